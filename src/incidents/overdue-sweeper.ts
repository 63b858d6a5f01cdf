import { MikroORM } from '@mikro-orm/postgresql';
import { describeError } from '../shared/log-safe';
import { appendIncidentEvents, inIncidentTransaction } from './incident-log';
import { eventFor, IncidentAction, IncidentStatus } from './incident-workflow';

/** Options of {@link OverdueSweeper}. */
export interface OverdueSweeperOptions {
  /** Milliseconds between the end of one sweep and the start of the next (`GRIDHUB_SWEEP_INTERVAL_MS`, default 60,000). */
  intervalMs: number;
  /**
   * What "now" is when due times are compared, and the time the OVERDUE events carry. Default: the system clock.
   * Only code that constructs the sweeper can set it (tests do); no configuration or API reaches it.
   */
  clock?: () => Date;
  /** Cases marked per transaction (default 500); a sweep runs transactions until none is left. */
  batchSize?: number;
  /** Where a failed sweep is reported (one line; the next sweep tries again). */
  log?: (line: string) => void;
}

/** Default of `GRIDHUB_SWEEP_INTERVAL_MS`. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/**
 * The overdue sweeper (超期): marks open, dispatched cases past their due time `overdue` and appends one OVERDUE
 * event each — exactly once per case and deadline, however many hub instances sweep one database. The marking is
 * one conditional update (`… and not overdue`, rows taken `for update skip locked`): whichever instance's
 * transaction takes a case marks it, and an instance that comes later finds it marked. A new deadline (dispatch,
 * or a failed verification that dispatches again) clears the mark, so the next deadline is swept once more.
 * Nothing is coordinated in memory.
 */
export class OverdueSweeper {
  private readonly clock: () => Date;
  private readonly batchSize: number;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;

  constructor(
    private readonly orm: MikroORM,
    private readonly options: OverdueSweeperOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.batchSize = options.batchSize ?? 500;
    this.log = options.log ?? (() => undefined);
  }

  /** Sweeps now and then every `intervalMs` until {@link stop}. Calling it again while started does nothing. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      this.running = this.sweep().catch((error) => this.log(`overdue sweep failed: ${describeError(error)}`));
      await this.running;
      this.running = null;
      if (!this.stopped) {
        this.timer = setTimeout(tick, this.options.intervalMs);
        this.timer.unref();
      }
    };
    void tick();
  }

  /** Stops the timer and waits for a sweep in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * Marks every case due by the clock's now, in transactions of `batchSize`, each appending its cases' OVERDUE
   * events. Safe to run at the same time on several instances.
   * @returns how many cases this call marked.
   */
  async sweep(): Promise<number> {
    const now = this.clock();
    let marked = 0;
    for (;;) {
      const count = await inIncidentTransaction(this.orm, async (sql) => {
        const rows = await sql.rows<{ id: string; status: IncidentStatus; dueAt: Date }>(
          `update incident i set overdue = true, version = i.version + 1, updated_at = ?
             from (select id from incident
                    where status in ('DISPATCHED', 'IN_PROGRESS') and not overdue and due_at is not null and due_at <= ?
                    order by due_at, id
                    limit ?
                    for update skip locked) due
            where i.id = due.id and not i.overdue
           returning i.id::text as "id", i.status as "status", i.due_at as "dueAt"`,
          [now, now, this.batchSize],
        );
        rows.sort((a, b) => new Date(a.dueAt).getTime() - new Date(b.dueAt).getTime() || Number(BigInt(a.id) - BigInt(b.id)));
        await appendIncidentEvents(
          sql,
          rows.map((row) => {
            const step = eventFor(row.status, IncidentAction.MARK_OVERDUE)!;
            return {
              incidentId: row.id,
              type: step.type,
              actor: 'system',
              note: `超过处置时限（${new Date(row.dueAt).toISOString()}）未办结`,
              fromStatus: step.fromStatus,
              toStatus: step.toStatus,
              at: now,
            };
          }),
        );
        return rows.length;
        // A sweep that marked nothing appended nothing: no ring.
      }, (count) => count > 0);
      marked += count;
      if (count < this.batchSize) return marked;
    }
  }
}
