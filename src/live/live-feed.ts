import { Client } from 'pg';
import { INCIDENT_EVENT_ROW_COLUMNS, IncidentEventRow, incidentEventRow } from '../access/scope';
import { DEFAULT_LIVE_SETTINGS, LiveSettings } from '../config';
import { describeError } from '../shared/log-safe';
import { INCIDENT_EVENTS_CHANNEL, IncidentEventBell } from './bell';
import { SeqTracker } from './seq-tracker';

/** What the feed hands new events to: the subscriptions of this instance. */
export interface FeedSubscriber {
  /** New settled events, in seq order, each read once for the whole instance. Must not throw or block. */
  deliver(events: readonly IncidentEventRow[]): void;
  /** Called on every timer tick (token expiry). */
  tick(now: number): void;
}

export interface LiveFeedOptions {
  /** The database (the URL of the ORM's pool). */
  url: string;
  settings?: Partial<LiveSettings>;
  /** This process's bell of the same database: local writers wake the feed without a round trip. */
  bell?: IncidentEventBell;
  log?: (line: string) => void;
}

/** Timeout of each statement on the feed's connection, in ms. */
const FEED_STATEMENT_TIMEOUT_MS = 30_000;
/** How long to wait before reconnecting the feed's connection after it failed, in ms. */
const RECONNECT_MS = 1000;
/**
 * Reads start at least this far apart, in ms: under a stream of commits each read takes all that committed since the
 * last one instead of one read per commit. A ring after a quiet moment is read at once.
 */
export const FEED_READ_GAP_MS = 10;
/** First and longest pause before reading again while events wait behind a gap, in ms (doubling between). */
const GAP_RETRY_FIRST_MS = 5;

/**
 * The live incident event feed of one hub instance (design §7). The event log in PostgreSQL is the truth:
 * `LISTEN` (and this process's own {@link IncidentEventBell}) only rings, and a timer rings too, so a lost
 * notification delays an event by at most one poll interval and loses nothing. On each ring the feed reads the
 * events after its watermark — once for the instance, however many subscribers — on one connection of its own,
 * passes only settled seqs (the gap rule of {@link SeqTracker}), and hands them, in seq order, to every
 * subscription of this instance, which applies its viewer's scope and filters. Several instances on one database
 * each do the same and serve their own sockets.
 *
 * Lifecycle: {@link LiveFeed.start} resolves once the watermark is sound (every seq at or below it settled);
 * {@link close} stops reading and ends nothing itself (the transport closes the sockets).
 */
export class LiveFeed {
  private readonly settings: LiveSettings;
  private readonly log: (line: string) => void;
  private readonly subscribers = new Set<FeedSubscriber>();
  private client: Client | null = null;
  /** Null until the watermark is sound ({@link ready}). */
  private tracker: SeqTracker | null = null;
  /** Resolves once the watermark is sound: subscriptions wait for it, nothing else does. */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private closed = false;
  private dirty = false;
  private running = false;
  /** When the last read started (performance.now()). */
  private lastRead = -Infinity;
  private gapRetryMs = GAP_RETRY_FIRST_MS;
  private gapTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly pollTimer: NodeJS.Timeout;
  private readonly stopBell: () => void;

  private constructor(private readonly options: LiveFeedOptions) {
    this.settings = { ...DEFAULT_LIVE_SETTINGS, ...options.settings };
    this.log = options.log ?? (() => undefined);
    this.pollTimer = setInterval(() => this.onTimer(), this.settings.pollMs);
    this.pollTimer.unref();
    this.stopBell = options.bell?.listen(() => this.wake()) ?? (() => undefined);
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /**
   * Connects and listens; then, without holding up the caller, establishes a sound watermark ({@link ready}) —
   * which waits for the transactions running at start-up to end.
   * @throws when the database cannot be reached.
   */
  static async start(options: LiveFeedOptions): Promise<LiveFeed> {
    const feed = new LiveFeed(options);
    try {
      await feed.connect();
    } catch (error) {
      await feed.close();
      throw error;
    }
    void feed.establish();
    return feed;
  }

  /** Every event at or below it has been handed to the subscribers registered at the time (or never commits). */
  get watermark(): bigint {
    if (!this.tracker) throw new Error('the live feed is not ready: await ready first');
    return this.tracker.watermark;
  }

  get settingsInUse(): LiveSettings {
    return this.settings;
  }

  /** Registers a subscriber: it receives every event settled from now on, i.e. every seq above {@link watermark}. */
  add(subscriber: FeedSubscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: FeedSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Reads the log soon (a ring). */
  wake(): void {
    if (this.closed || !this.tracker) return;
    this.dirty = true;
    if (!this.running) void this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopBell();
    this.subscribers.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private onTimer(): void {
    const now = Date.now();
    for (const subscriber of this.subscribers) subscriber.tick(now);
    this.wake();
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: 'gridhub-live',
      // The feed's own statements are short; a stuck one must not stall the feed for long. (Not the requests'
      // timeout: that one may be set tiny, and the feed is no request.)
      statement_timeout: FEED_STATEMENT_TIMEOUT_MS,
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    // This process's own rings have woken the feed already.
    client.on('notification', (message) => {
      if (this.options.bell === undefined || message.payload !== this.options.bell.id) this.wake();
    });
    await client.connect();
    await client.query(`listen ${INCIDENT_EVENTS_CHANNEL}`);
    this.client = client;
  }

  /** The feed's connection failed: connect again after a pause, then catch up (notifications meanwhile are lost). */
  private lost(client: Client, error: Error | null): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.log(`live feed: connection lost${error ? ` (${describeError(error)})` : ''}; reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().then(
        () => this.wake(),
        (error) => {
          this.log(`live feed: reconnecting failed (${describeError(error)})`);
          this.scheduleReconnect();
        },
      );
    }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }

  /** Runs a statement on the feed's connection; `name` keeps it prepared there (the feed's read runs at every ring). */
  private async query<R>(text: string, params: unknown[] = [], name?: string): Promise<R[]> {
    if (!this.client) throw new Error('the live feed is not connected');
    return (await this.client.query({ text, values: params, name })).rows as R[];
  }

  /**
   * A watermark at which every lower seq is settled: the highest seq now, once every transaction that may hold a
   * lower one has ended (the same horizon rule as gaps; at start-up there is usually none). Retried until it
   * succeeds or the feed closes.
   */
  private async establish(): Promise<void> {
    while (!this.closed) {
      try {
        const [{ max }] = await this.query<{ max: string }>('select coalesce(max(seq), 0)::text as max from incident_event');
        const horizon = await this.takeHorizon();
        for (let pause = GAP_RETRY_FIRST_MS; !this.closed; pause = Math.min(pause * 2, 200)) {
          const [{ xmin }] = await this.query<{ xmin: string }>('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin');
          if (BigInt(xmin) >= horizon) {
            this.tracker = new SeqTracker(BigInt(max));
            this.markReady();
            this.wake();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      } catch (error) {
        if (this.closed) return;
        this.log(`live feed: starting failed (${describeError(error)}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    }
  }

  /** A transaction id taken now: larger than that of every transaction that has taken a seq so far. */
  private async takeHorizon(): Promise<bigint> {
    const [{ horizon }] = await this.query<{ horizon: string }>('select pg_current_xact_id()::text as horizon');
    return BigInt(horizon);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.dirty && !this.closed && this.client) {
        const wait = this.lastRead + FEED_READ_GAP_MS - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.closed || !this.client) break;
        this.lastRead = performance.now();
        this.dirty = false;
        if (await this.readOnce()) this.dirty = true;
      }
    } catch (error) {
      if (!this.closed) this.log(`live feed: reading the event log failed (${describeError(error)}); retrying on the next ring`);
    } finally {
      this.running = false;
    }
    if (this.closed) return;
    if (this.tracker?.holding) {
      // Events wait behind a gap: read again soon, less often the longer it lasts.
      if (!this.gapTimer) {
        this.gapTimer = setTimeout(() => {
          this.gapTimer = null;
          this.wake();
        }, this.gapRetryMs);
        this.gapTimer.unref();
        this.gapRetryMs = Math.min(this.gapRetryMs * 2, this.settings.pollMs);
      }
    } else {
      this.gapRetryMs = GAP_RETRY_FIRST_MS;
    }
  }

  /**
   * Reads the events after the watermark (with the snapshot's xmin, in one statement), settles what it can and
   * hands that out. @returns true when a full batch was settled (more may be waiting).
   */
  private async readOnce(): Promise<boolean> {
    const tracker = this.tracker!;
    const before = tracker.watermark;
    const rows = await this.query<Omit<IncidentEventRow, 'position'> & { xmin: string; seq: string | null }>(
      `with snap as (select pg_snapshot_xmin(pg_current_snapshot())::text as xmin)
       select snap.xmin, e.* from snap left join lateral (
         select ${INCIDENT_EVENT_ROW_COLUMNS}
           from incident_event ev join incident i on i.id = ev.incident_id
          where ev.seq > $1 order by ev.seq limit $2) e on true`,
      [before.toString(), this.settings.batchSize],
      'gridhub_live_feed_read',
    );
    const events = rows.filter((row) => row.seq !== null);
    const xmin = BigInt(rows[0].xmin);
    const { watermark, gapsUpTo } = tracker.advance(
      events.map((row) => BigInt(row.seq)),
      xmin,
    );
    const settled = events
      .filter((row) => BigInt(row.seq) <= watermark)
      .map(({ xmin: _xmin, ...row }) => incidentEventRow(row));
    // Handed out before anything else can fail: the tracker has passed them.
    if (settled.length > 0) {
      for (const subscriber of this.subscribers) {
        try {
          subscriber.deliver(settled);
        } catch (error) {
          this.log(`live feed: a subscriber failed (${describeError(error)})`);
        }
      }
    }
    // A failure here leaves the gaps uncovered: the next read reports them again.
    if (gapsUpTo !== null) tracker.recordHorizon(gapsUpTo, await this.takeHorizon());
    return events.length === this.settings.batchSize && settled.length === events.length;
  }
}
