import { MikroORM } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { Viewer } from '../auth/viewer';
import { AccessPolicy } from '../access/policy';
import { IncidentEventRow, inViewerScope, ScopedReader } from '../access/scope';
import { BadUserInputError, UnauthenticatedError } from '../shared/errors';
import { isWithin } from '../shared/region-code';
import { FeedSubscriber, LiveFeed } from './live-feed';

/** Seqs one replay statement looks through at most. */
const SCAN_WINDOW = 50_000n;

/** Close codes the live stream ends a WebSocket with (besides graphql-ws's own). */
export enum LiveCloseCode {
  /**
   * The socket's subscribers fell too far behind: more than `GRIDHUB_LIVE_MAX_QUEUED` events waited for it. The
   * client reconnects and resumes each subscription with `afterSeq` = the last seq it received.
   */
  SLOW_CONSUMER = 4503,
}

/** One WebSocket as the live stream sees it: what waits on it, and how to close it. */
export interface LiveSocket {
  /** Events queued for this socket's subscriptions, not yet handed to graphql-ws. */
  queued: number;
  close(code: number, reason: string): void;
}

/** The arguments of `subscription incidentEvents`. */
export interface IncidentEventsArgs {
  regionCode?: string | null;
  categories?: readonly string[] | null;
  afterSeq?: string | null;
}

/**
 * The last message of a subscription that ends for a reason the client must hear (an expired token): the
 * subscription's resolver throws its error, so it arrives as a `next` with that error, then `complete`.
 */
export class LiveEnd {
  constructor(readonly error: GraphQLError) {}
}

/** What a subscription yields: events in seq order, and possibly, last, a {@link LiveEnd}. */
export type LiveMessage = IncidentEventRow | LiveEnd;

/**
 * `subscription incidentEvents` for one viewer (one GraphQL operation's context). Checks the arguments, then
 * streams. See {@link IncidentEventSubscription} for the guarantees.
 */
export class IncidentEventStreamService {
  constructor(
    private readonly orm: MikroORM,
    private readonly viewer: Viewer,
    private readonly policy: AccessPolicy,
    private readonly live: { feed: LiveFeed; socket: LiveSocket } | null,
    /** Gives the operation's context a fresh entity manager and loaders (called before each delivered event). */
    private readonly renew: () => void,
  ) {}

  /**
   * @throws BadUserInputError for a bad `afterSeq` or `regionCode`, or over HTTP; ForbiddenError for a region
   * outside the scope, or categories asked by a department (the category is the merged one).
   */
  async subscribe(args: IncidentEventsArgs): Promise<AsyncIterableIterator<LiveMessage>> {
    if (!this.live) throw new BadUserInputError('subscriptions are served over WebSocket (graphql-transport-ws) only', 'incidentEvents');
    const afterSeq = args.afterSeq ?? null;
    if (afterSeq !== null && !/^\d{1,18}$/.test(afterSeq)) throw new BadUserInputError('must be the seq of an event', 'afterSeq');
    // The scoped reader checks the region against the scope; it reads nothing here.
    const region = args.regionCode == null ? null : new ScopedReader(this.orm.em.fork(), this.viewer).regionArgument(args.regionCode, 'regionCode');
    const categories = args.categories?.length ? [...args.categories] : null;
    if (categories) this.policy.checkMergedValueFilter('categories');
    // Only right after start-up, while the transactions that were running then end.
    await this.live.feed.ready;
    if (afterSeq !== null && BigInt(afterSeq) > this.live.feed.watermark) await this.checkAfterSeqInLog(BigInt(afterSeq));
    return new IncidentEventSubscription({
      orm: this.orm,
      viewer: this.viewer,
      policy: this.policy,
      feed: this.live.feed,
      socket: this.live.socket,
      renew: this.renew,
      filter: { region, categories },
      afterSeq: afterSeq === null ? null : BigInt(afterSeq),
    });
  }

  /**
   * An `afterSeq` past the end of the log is no seq the client received (another database's, a mistyped one): the
   * subscription would stay silent until the log grew past it, so it is refused. Beyond this instance's watermark
   * the log itself decides (another instance may have handed out a seq this one has not read yet).
   * @throws BadUserInputError on `afterSeq`
   */
  private async checkAfterSeqInLog(afterSeq: bigint): Promise<void> {
    const [{ last }] = await this.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ last: string }>>('select coalesce(max(seq), 0)::text as "last" from incident_event');
    if (afterSeq > BigInt(last)) throw new BadUserInputError(`must be the seq of an event: the log ends at ${last}`, 'afterSeq');
  }
}

interface SubscriptionOptions {
  orm: MikroORM;
  viewer: Viewer;
  policy: AccessPolicy;
  feed: LiveFeed;
  socket: LiveSocket;
  renew: () => void;
  filter: { region: string | null; categories: string[] | null };
  afterSeq: bigint | null;
}

/**
 * One `incidentEvents` subscription: an async iterator that graphql-js pulls (and graphql-ws pulls only after the
 * previous message has gone out on the socket, so a slow client slows only its own iterator).
 *
 * - **Replay, then live, no gap, no duplicate.** With `afterSeq`, the stored events after it are read from the
 *   log a page at a time (through the viewer's scoped reader, a fresh entity manager per page) until the replay
 *   reaches the feed's watermark; the subscription then registers with the feed at its watermark W — everything
 *   at or below W is settled in the log, everything above W will be handed to it live — replays what remains up
 *   to W, and continues with the live events above both W and `afterSeq`. Without `afterSeq`, it starts live at W.
 * - **Scope and masking.** Live events come from the feed (read once per instance) and pass the viewer's scope
 *   (the incident's grid and, for a department, its system's records — the rule of `incident.events`) and the
 *   filters here; replayed ones pass the same rules in SQL. Fields are masked by the schema's policy wrappers.
 * - **Bounds.** Live events wait in this subscription's queue, counted per socket; more than the socket's bound
 *   closes the socket ({@link LiveCloseCode.SLOW_CONSUMER}) and drops the queue. A replay holds one page.
 * - **Expiry.** When the token's `exp` passes, the subscription yields a {@link LiveEnd} (UNAUTHENTICATED), then ends.
 */
export class IncidentEventSubscription implements AsyncIterableIterator<LiveMessage>, FeedSubscriber {
  private readonly replayed: IncidentEventRow[] = [];
  private readonly queue: IncidentEventRow[] = [];
  /** Every event of the log at or below it has been replayed (or filtered out). */
  private scanned: bigint | null;
  private registered = false;
  /** The feed's watermark when this subscription registered: the replay ends there. */
  private replayUpTo = 0n;
  /** Live events at or below it are not delivered (replayed, or before the client's `afterSeq`). */
  private liveAfter = 0n;
  private ended = false;
  /** The seq of the last event handed out. */
  private delivered: bigint | null = null;
  private ending: LiveEnd | null = null;
  private waiting: (() => void) | null = null;

  constructor(private readonly options: SubscriptionOptions) {
    this.scanned = options.afterSeq;
    if (options.afterSeq === null) this.register();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<LiveMessage>> {
    for (;;) {
      if (this.ended) return { done: true, value: undefined };
      if (this.expired(Date.now())) continue;
      if (this.ending) {
        const last = this.ending;
        this.finish();
        return { done: false, value: last };
      }
      // The replay comes first, whole: live events queued meanwhile are all above it.
      const event = this.replayed.shift() ?? (this.scanned === null ? this.takeQueued() : undefined);
      if (event) {
        this.delivered = event.position;
        this.options.renew();
        return { done: false, value: event };
      }
      if (this.scanned !== null) {
        try {
          await this.replayPage();
        } catch (error) {
          // graphql-ws answers the error and forgets the operation: nothing may stay registered for it.
          this.finish();
          throw error;
        }
        continue;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = null;
    }
  }

  async return(): Promise<IteratorResult<LiveMessage>> {
    this.finish();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<LiveMessage>> {
    this.finish();
    throw error;
  }

  deliver(events: readonly IncidentEventRow[]): void {
    if (this.ended || this.ending) return;
    const { viewer, policy, filter, socket } = this.options;
    let added = false;
    for (const event of events) {
      if (event.position <= this.liveAfter) continue;
      if (!inViewerScope(viewer, policy, event.incidentGridCode, event.sources)) continue;
      if (filter.region !== null && !isWithin(event.gridCode, filter.region)) continue;
      if (filter.categories !== null && !filter.categories.includes(event.category)) continue;
      if (socket.queued >= this.options.feed.settingsInUse.maxQueuedPerSocket) {
        this.overflow();
        return;
      }
      this.queue.push(event);
      socket.queued++;
      added = true;
    }
    if (added) this.waiting?.();
  }

  tick(now: number): void {
    this.expired(now);
  }

  /** Ends the subscription with UNAUTHENTICATED once the token has expired. @returns true when it just did. */
  private expired(now: number): boolean {
    const expiresAt = this.options.viewer.expiresAt;
    if (this.ended || this.ending || expiresAt === null || now < expiresAt.getTime()) return false;
    this.ending = new LiveEnd(
      new UnauthenticatedError(`the token has expired; reconnect with a fresh token and resume with afterSeq: ${this.lastSeq()}`),
    );
    this.dropQueue();
    this.options.feed.remove(this);
    this.waiting?.();
    return true;
  }

  /** The client fell too far behind: close its socket (with the reason) and forget what waited. */
  private overflow(): void {
    const max = this.options.feed.settingsInUse.maxQueuedPerSocket;
    const reason = `slow consumer: more than ${max} events waited; resume with afterSeq`;
    this.finish();
    this.options.socket.close(LiveCloseCode.SLOW_CONSUMER, reason);
  }

  /** The seq of the last event handed out (or the starting point). */
  private lastSeq(): string {
    return (this.delivered ?? this.options.afterSeq ?? this.liveAfter).toString();
  }

  private takeQueued(): IncidentEventRow | undefined {
    const event = this.queue.shift();
    if (event) this.options.socket.queued--;
    return event;
  }

  private register(): void {
    const { feed, afterSeq } = this.options;
    this.registered = true;
    this.replayUpTo = feed.watermark;
    this.liveAfter = afterSeq !== null && afterSeq > this.replayUpTo ? afterSeq : this.replayUpTo;
    if (this.scanned !== null && this.scanned >= this.replayUpTo) this.scanned = null;
    feed.add(this);
  }

  /**
   * Reads the next page of the replay into `replayed`. Before registering, it reads up to the feed's watermark of
   * the moment; a page that reaches it registers the subscription (synchronously after the read, so no event the
   * feed hands out later is missed) and the replay then continues to the watermark of registration.
   */
  private async replayPage(): Promise<void> {
    const { orm, viewer, feed, filter } = this.options;
    const after = this.scanned!;
    const upTo = this.registered ? this.replayUpTo : feed.watermark;
    if (after >= upTo) {
      if (this.registered) this.scanned = null;
      else this.register();
      return;
    }
    const limit = feed.settingsInUse.batchSize;
    // At most SCAN_WINDOW seqs per statement, so that a narrow scope over a long log costs bounded statements.
    const end = upTo - after > SCAN_WINDOW ? after + SCAN_WINDOW : upTo;
    const page = await new ScopedReader(orm.em.fork(), viewer).incidentEventLog(after.toString(), end.toString(), filter, limit);
    if (this.ended) return;
    this.replayed.push(...page);
    const scanned = page.length === limit ? page[page.length - 1].position : end;
    this.scanned = scanned;
    if (!this.registered && scanned >= upTo) this.register();
    else if (this.registered && scanned >= this.replayUpTo) this.scanned = null;
  }

  private dropQueue(): void {
    this.options.socket.queued -= this.queue.length;
    this.queue.length = 0;
    this.replayed.length = 0;
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.dropQueue();
    this.options.feed.remove(this);
    this.waiting?.();
  }
}
