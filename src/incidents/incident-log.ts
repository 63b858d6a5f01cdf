import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { incidentEventBell } from '../live/bell';
import { inTransaction, Sql } from '../ingest/sql';
import { IncidentEventType, IncidentStatus } from './incident-workflow';

/**
 * The incident event log's write side: the one function that appends events ({@link appendIncidentEvents}) and
 * the one way a transaction that appends them runs ({@link inIncidentTransaction}). Ingestion, the workflow
 * mutations and the overdue sweeper all write through these two.
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
