import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { incidentEventBell } from '../live/bell';
import { columnList } from '../db/rows';
import { inTransaction, preparedRows, Sql } from '../ingest/sql';
import { Incident } from './incident.entity';
import { HandlingLevel, IncidentEventType, IncidentStatus } from './incident-workflow';

/**
 * The incident event log's write side: the one function that appends events ({@link appendIncidentEvents}), the
 * one way a transaction that appends them runs ({@link inIncidentTransaction}), and one statement that changes an
 * incident and appends its event ({@link changeIncident}, the workflow actions' lean path). Ingestion, the workflow
 * mutations and the overdue sweeper all write through these.
 */

/** One event to append. The grid code and category are copied from the incident as it stands in the transaction. */
export interface IncidentEventDraft {
  incidentId: string;
  type: IncidentEventType;
  /** The token's subject, the sending system, or `system` for the sweeper. */
  actor: string;
  note: string | null;
  /** State before (null: the incident was just created) and after. */
  fromStatus: IncidentStatus | null;
  toStatus: IncidentStatus;
  /** When it happened; default: the transaction's clock (`now()`). */
  at?: Date;
}

/**
 * Appends `drafts` to the log in the caller's transaction, in the order given (seq follows it), in one statement.
 * Call it only inside {@link inIncidentTransaction} (or a seeding transaction with no live readers), so that the
 * events' commit is seen.
 * @returns the seq of each appended event, in the order given.
 */
export async function appendIncidentEvents(sql: Sql, drafts: readonly IncidentEventDraft[]): Promise<string[]> {
  if (drafts.length === 0) return [];
  const rows = await sql.rows<{ seq: string }>(
    `insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status, at)
     select i.id, i.grid_code, i.category, r.type, r.actor, r.note, r.from_status, r.to_status, coalesce(r.at, now())
       from rows from (jsonb_to_recordset(?::jsonb) as (incident_id bigint, type text, actor text, note text, from_status text,
            to_status text, at timestamptz)) with ordinality as r(incident_id, type, actor, note, from_status, to_status, at, n)
       join incident i on i.id = r.incident_id
      order by r.n
     returning seq::text as "seq"`,
    [
      JSON.stringify(
        drafts.map((draft) => ({
          incident_id: draft.incidentId,
          type: draft.type,
          actor: draft.actor,
          note: draft.note,
          from_status: draft.fromStatus,
          to_status: draft.toStatus,
          at: draft.at?.toISOString() ?? null,
        })),
      ),
    ],
  );
  if (rows.length !== drafts.length) throw new Error(`appending incident events: ${drafts.length - rows.length} name no incident`);
  return rows.map((row) => row.seq);
}

/** What one workflow action sets on an incident besides its status (absent: left as it is). */
export interface IncidentChanges {
  level?: HandlingLevel;
  department?: string | null;
  assignee?: string | null;
  dueAt?: Date | null;
  /** A due time this many seconds after the transaction's clock (instead of `dueAt`). */
  dueInSeconds?: number;
  overdue?: boolean;
  feedback?: string | null;
  photoUrls?: string[] | null;
  satisfaction?: number;
  /** Closes the case at the transaction's clock. */
  closeNow?: boolean;
}

/** The columns of the changes that are plain values. */
const CHANGED_COLUMNS: Readonly<Record<Exclude<keyof IncidentChanges, 'dueInSeconds' | 'closeNow'>, string>> = {
  level: 'level',
  department: 'department',
  assignee: 'assignee',
  dueAt: 'due_at',
  overdue: 'overdue',
  feedback: 'feedback',
  photoUrls: 'photo_urls',
  satisfaction: 'satisfaction',
};

/** One workflow action on one incident: the status it leaves, what else changes, and its one event. */
export interface IncidentChange {
  incidentId: string;
  /** The version the action was decided on: the change applies only if the incident is still at it. */
  fromVersion: number;
  set: IncidentChanges;
  event: Omit<IncidentEventDraft, 'incidentId' | 'at'>;
}

/**
 * Applies `change` and appends its event in one autocommitted statement, at one clock (the statement's `now()`
 * stamps `updated_at`, a `closeNow`, a `dueInSeconds` and the event). The version moves by one. The bell is rung
 * after the commit.
 * @returns the incident's row as it now stands (snake_case columns, as `select *` gives them), or null when the
 * incident is no longer at `fromVersion` (nothing was written: read it again and decide again).
 */
export async function changeIncident(orm: MikroORM, change: IncidentChange): Promise<Record<string, unknown> | null> {
  const params: unknown[] = [change.event.toStatus];
  const next = (value: unknown) => `$${params.push(value)}`;
  const assignments = ['status = $1', 'version = version + 1', 'updated_at = now()'];
  for (const [key, column] of Object.entries(CHANGED_COLUMNS) as Array<[keyof typeof CHANGED_COLUMNS, string]>) {
    if (!(key in change.set)) continue;
    const value = change.set[key];
    assignments.push(key === 'photoUrls' ? `${column} = ${next(value == null ? null : JSON.stringify(value))}::jsonb` : `${column} = ${next(value)}`);
  }
  if (change.set.dueInSeconds !== undefined) assignments.push(`due_at = now() + ${next(change.set.dueInSeconds)} * interval '1 second'`);
  if (change.set.closeNow) assignments.push('closed_at = now()');
  const { event } = change;
  // One statement per combination of changed columns: few, each prepared once per connection.
  const rows = await preparedRows(
    orm,
    `with changed as (
       update incident set ${assignments.join(', ')} where id = ${next(change.incidentId)} and version = ${next(change.fromVersion)}
       returning ${columnList(orm, Incident)}),
     appended as (
       insert into incident_event (incident_id, grid_code, category, type, actor, note, from_status, to_status, at)
       select id, grid_code, category, ${next(event.type)}, ${next(event.actor)}, ${next(event.note)}, ${next(event.fromStatus)},
              $1, now() from changed)
     select * from changed`,
    params,
  );
  if (rows.length === 0) return null;
  incidentEventBell(orm).ring();
  return rows[0];
}

/**
 * Runs `work` in one transaction, retried on deadlocks and lost races as {@link inTransaction} does (so `work` must
 * be safe to run again): the one way a transaction that appends incident events runs. When it returns, the
 * transaction — and every event it appended — has committed, and the live feeds have been rung (after the commit).
 */
export async function inIncidentTransaction<T>(orm: MikroORM, work: (sql: Sql, em: EntityManager) => Promise<T>): Promise<T> {
  const result = await inTransaction(orm, work);
  // Committed: the one place that tells live readers new events are in the log — never inside the transaction,
  // where NOTIFY would serialise every committing writer. Coalesced; a lost ring only waits for the feeds' timer.
  incidentEventBell(orm).ring();
  return result;
}
