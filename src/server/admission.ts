import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { Role, Viewer } from '../auth/viewer';
import { Limits } from '../config';
import { RateLimitedError } from '../shared/errors';

/** Releases an admitted operation's slot; calling it more than once is harmless. */
export type Release = () => void;

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Who may run an operation now, for both transports (design §6). Two gates, both per instance:
 *
 * - **rate**: each token subject (`sub`) may start `ratePerSecond[role]` requests per second (the largest of its
 *   roles); beyond that RATE_LIMITED with `retryAfter`.
 * - **concurrency**: at most `maxConcurrent` operations execute at once; the next `maxQueued` wait in line, each
 *   at most `maxQueueWaitMs`; a full line or a wait that runs out answers RATE_LIMITED. The event loop thus
 *   keeps time for `/healthz`, `/readyz` and the operations already running, however many requests arrive.
 * - **fairness**: one subject may have at most `maxInFlightPerSubject` operations running or waiting, so a
 *   client that floods the hub fills neither the slots nor the line: others still get through.
 */
export class Admission {
  private active = 0;
  private readonly line: Waiter[] = [];
  /** Operations running or waiting, by subject. */
  private readonly inFlight = new Map<string, number>();
  private readonly rates = new Map<Role, RateLimiterMemory>();

  constructor(private readonly limits: Limits) {
    for (const [role, points] of Object.entries(limits.ratePerSecond) as [Role, number][]) {
      this.rates.set(role, new RateLimiterMemory({ points, duration: 1, keyPrefix: role }));
    }
  }

  /** Operations executing now and waiting now (for metrics and tests). */
  get load(): { active: number; queued: number } {
    return { active: this.active, queued: this.line.length };
  }

  /**
   * Counts one request of the viewer's subject.
   * @throws RateLimitedError when the subject is over its rate.
   */
  async countRequest(viewer: Viewer): Promise<void> {
    let best: RateLimiterMemory | undefined;
    for (const role of viewer.roles) {
      const limiter = this.rates.get(role);
      if (limiter && (!best || limiter.points > best.points)) best = limiter;
    }
    if (!best) return;
    try {
      await best.consume(viewer.subject);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new RateLimitedError(
        `more than ${best.points} requests per second from "${viewer.subject}"; try again in a moment`,
        rejection.msBeforeNext / 1000,
      );
    }
  }

  /**
   * Refuses at once when the line for execution slots is full: a request refused here costs almost nothing (its
   * body is not even read), which keeps the hub answering while a flood of requests arrives.
   * @throws RateLimitedError when no slot is free and the line is full.
   */
  checkRoom(subject: string): void {
    const own = this.inFlight.get(subject) ?? 0;
    if (own >= this.limits.maxInFlightPerSubject) {
      throw new RateLimitedError(`"${subject}" already has ${own} operations running or waiting; wait for them`, 1);
    }
    if (this.active >= this.limits.maxConcurrent && this.line.length >= this.limits.maxQueued) {
      throw new RateLimitedError(
        `the hub is busy: ${this.limits.maxConcurrent} operations running and ${this.line.length} waiting`,
        1,
      );
    }
  }

  /**
   * Waits for an execution slot.
   * @returns the function that gives the slot back (call it when the operation has finished).
   * @throws RateLimitedError when the line is full or the wait runs out.
   */
  async enter(subject: string): Promise<Release> {
    this.checkRoom(subject);
    this.inFlight.set(subject, (this.inFlight.get(subject) ?? 0) + 1);
    if (this.active < this.limits.maxConcurrent) {
      this.active++;
      return this.releaser(subject);
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve(this.releaser(subject));
        },
        timer: setTimeout(() => {
          const at = this.line.indexOf(waiter);
          if (at >= 0) this.line.splice(at, 1);
          this.leave(subject);
          reject(new RateLimitedError(`the hub is busy: no slot became free within ${this.limits.maxQueueWaitMs} ms`, 1));
        }, this.limits.maxQueueWaitMs),
      };
      this.line.push(waiter);
    });
  }

  private leave(subject: string): void {
    const left = (this.inFlight.get(subject) ?? 1) - 1;
    if (left > 0) this.inFlight.set(subject, left);
    else this.inFlight.delete(subject);
  }

  private releaser(subject: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leave(subject);
      const next = this.line.shift();
      // The slot passes straight to the next in line: `active` stays as it is.
      if (next) next.admit();
      else this.active--;
    };
  }
}
