import { randomUUID } from 'node:crypto';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/** The PostgreSQL channel on which writers ring and every instance's live feed listens. */
export const INCIDENT_EVENTS_CHANNEL = 'gridhub_incident_events';

/**
 * Notifications go out at least this far apart, in ms: under a stream of commits one `NOTIFY` stands for all that
 * committed meanwhile (other instances hear of them a few ms later; this process's feeds are woken at once).
 */
export const NOTIFY_GAP_MS = 10;

/** What rings on this process's bell: the live feeds reading the same database (one per server). */
type Listener = () => void;

/**
 * The after-commit bell of the incident event log, one per database connection pool.
 *
 * The event log is the truth; the bell only says "read it now". A `NOTIFY` inside a business transaction would
 * take PostgreSQL's database-wide notify lock at its commit and serialise every committing writer, so writers
 * ring after their transaction has committed, outside it, and rings are coalesced: while one `NOTIFY` is on its
 * way, any number of further rings make exactly one more, and notifications go out at least
 * {@link NOTIFY_GAP_MS} apart. Each `NOTIFY` is an autocommit statement of its own.
 * Feeds of this process are woken directly as well, without waiting for the notification to come back; the
 * notification carries the bell's {@link IncidentEventBell.id}, so that they can tell their own ring from another
 * instance's and need not read the log twice for one ring.
 *
 * A ring that is lost (the statement fails, the listener is reconnecting) loses no event: every feed also reads
 * on a timer.
 */
export class IncidentEventBell {
  private sending = false;
  private again = false;
  private readonly listeners = new Set<Listener>();
  /** When the last notification went out (performance.now()). */
  private lastSent = -Infinity;
  /** The payload of this bell's notifications. */
  readonly id = randomUUID();

  constructor(private readonly notify: (payload: string) => Promise<unknown>) {}

  /** Rings: call after the transaction that appended incident events has committed. Never throws. */
  ring(): void {
    for (const listener of this.listeners) listener();
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    void this.send();
  }

  /** Wakes `listener` on every ring of this process. @returns what stops it. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async send(): Promise<void> {
    do {
      const wait = this.lastSent + NOTIFY_GAP_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastSent = performance.now();
      this.again = false;
      try {
        await this.notify(this.id);
      } catch {
        // Readers catch up on their timer.
      }
    } while (this.again);
    this.sending = false;
  }
}

const bells = new WeakMap<object, IncidentEventBell>();

/**
 * The bell of the database that `orm` (or an entity manager of it) writes to. Writers ring it after the
 * transaction that appended incident events has committed — one line:
 *
 * ```ts
 * incidentEventBell(orm).ring();
 * ```
 */
export function incidentEventBell(orm: MikroORM | EntityManager): IncidentEventBell {
  const connection = 'em' in orm ? orm.em.getConnection() : orm.getConnection();
  let bell = bells.get(connection);
  if (!bell) {
    bell = new IncidentEventBell((payload) => connection.execute(`select pg_notify('${INCIDENT_EVENTS_CHANNEL}', ?)`, [payload]));
    bells.set(connection, bell);
  }
  return bell;
}
