import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { incidentEventBell } from '../live/bell';
import { columnList } from '../db/rows';
import { Query } from '../db/prepared';
import { inTransaction, Sql } from '../ingest/sql';
import { Incident } from './incident.entity';
import { HandlingLevel, IncidentEventType, IncidentStatus } from './incident-workflow';

/**
 * The incident event log's write side, the only code that writes `incident_event`: {@link appendIncidentEvents}
 * appends events in an ORM transaction run by {@link inIncidentTransaction} (ingestion, reports, the overdue
 * sweeper); {@link changeIncident} changes one incident and appends its event in one statement (the workflow
 * actions). Both give the same columns ({@link EVENT_COLUMNS}) and leave `seq` to its default.
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

/** The columns every writer gives an event; `seq` is left to its default (see the live migration). */
const EVENT_COLUMNS = 'incident_id, grid_code, category, type, actor, note, from_status, to_status, at';

/**
 * Appends `drafts` to the log in the caller's transaction, in the order given (seq follows it), in one statement.
 * Call it only inside {@link inIncidentTransaction} (or a seeding transaction with no live readers), so that the
 * events' commit is seen.
 * @returns the seq of each appended event, in the order given.
 */
export async function appendIncidentEvents(sql: Sql, drafts: readonly IncidentEventDraft[]): Promise<string[]> {
  if (drafts.length === 0) return [];
  const rows = await sql.rows<{ seq: string }>(
    `insert into incident_event (${EVENT_COLUMNS})
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

/** A due time: a given one (or none), or so many seconds after the changing statement's clock. */
export type DueChange = { at: Date | null } | { inSeconds: number };

/** What one workflow action sets on an incident besides its status (absent or undefined: left as it is). */
export interface IncidentChanges {
  level?: HandlingLevel;
  department?: string | null;
  assignee?: string | null;
  due?: DueChange;
  overdue?: boolean;
  feedback?: string | null;
  photoUrls?: string[] | null;
  satisfaction?: number;
  /** Closes the case at the changing statement's clock. */
  closeNow?: boolean;
}

/** The columns of the changes that are plain values. */
const CHANGED_COLUMNS: Readonly<Record<Exclude<keyof IncidentChanges, 'due' | 'closeNow'>, string>> = {
  level: 'level',
  department: 'department',
  assignee: 'assignee',
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
 * Applies `change` and appends its event in one statement, at one clock (the statement's `now()` stamps
 * `updated_at`, a `closeNow`, a due time in seconds and the event). The version moves by one. Run it autocommitted
 * ({@link preparedQuery}) or in an {@link inPreparedTransaction}; the caller rings the bell once it has committed.
 * @returns the incident's row as it now stands (its mapped columns), or null when the incident is no longer at
 * `fromVersion` (nothing was written: read it again and decide again).
 */
export async function changeIncident(orm: MikroORM, query: Query, change: IncidentChange): Promise<Record<string, unknown> | null> {
  const params: unknown[] = [change.event.toStatus];
  const next = (value: unknown) => `$${params.push(value)}`;
  const assignments = ['status = $1', 'version = version + 1', 'updated_at = now()'];
  for (const [key, column] of Object.entries(CHANGED_COLUMNS) as Array<[keyof typeof CHANGED_COLUMNS, string]>) {
    const value = change.set[key];
    if (value === undefined) continue;
    assignments.push(key === 'photoUrls' ? `${column} = ${next(value === null ? null : JSON.stringify(value))}::jsonb` : `${column} = ${next(value)}`);
  }
  const { due } = change.set;
  if (due !== undefined) assignments.push('inSeconds' in due ? `due_at = now() + ${next(due.inSeconds)} * interval '1 second'` : `due_at = ${next(due.at)}`);
  if (change.set.closeNow) assignments.push('closed_at = now()');
  const { event } = change;
  // One text per combination of changed columns: few, each prepared once per connection.
  const rows = await query(
    `with changed as (
       update incident set ${assignments.join(', ')} where id = ${next(change.incidentId)} and version = ${next(change.fromVersion)}
       returning ${columnList(orm.em, Incident)}),
     appended as (
       insert into incident_event (${EVENT_COLUMNS})
       select id, grid_code, category, ${next(event.type)}, ${next(event.actor)}, ${next(event.note)}, ${next(event.fromStatus)},
              $1, now() from changed)
     select * from changed`,
    params,
  );
  return rows[0] ?? null;
}

/**
 * Runs `work` in one transaction, retried on deadlocks and lost races as {@link inTransaction} does (so `work` must
 * be safe to run again): the one way an ORM transaction that appends incident events runs. When it returns, the
 * transaction — and every event it appended — has committed, and the live feeds have been rung (after the commit)
 * unless `rings` says of the result that nothing was appended.
 */
export async function inIncidentTransaction<T>(
  orm: MikroORM,
  work: (sql: Sql, em: EntityManager) => Promise<T>,
  rings: (result: T) => boolean = () => true,
): Promise<T> {
  const result = await inTransaction(orm, work);
  // Committed: this tells live readers new events are in the log — never inside the transaction, where NOTIFY would
  // serialise every committing writer. Coalesced; a lost ring only waits for the feeds' timer.
  if (rings(result)) incidentEventBell(orm).ring();
  return result;
}
