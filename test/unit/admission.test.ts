import { describe, expect, it } from '@jest/globals';
import { DEFAULT_LIMITS, Limits } from '../../src/config';
import { Admission } from '../../src/server/admission';

const limits = (overrides: Partial<Limits>): Limits => ({ ...DEFAULT_LIMITS, ...overrides });
const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'admitted',
    (error: { extensions?: { code?: string; retryAfter?: number } }) => `${error.extensions?.code} ${error.extensions?.retryAfter}`,
  );

describe('execution slots', () => {
  it('admits up to maxConcurrent at once, lines up the next, and hands a freed slot to the first in line', async () => {
    const admission = new Admission(limits({ maxConcurrent: 2, maxQueued: 5, maxInFlightPerSubject: 10 }));
    const first = await admission.enter('a');
    await admission.enter('b');
    const order: string[] = [];
    const third = admission.enter('c').then((release) => (order.push('c'), release));
    const fourth = admission.enter('d').then((release) => (order.push('d'), release));
    expect(admission.load).toEqual({ active: 2, queued: 2 });
    first();
    first(); // a second release gives nothing back twice
    await third;
    expect(order).toEqual(['c']);
    expect(admission.load).toEqual({ active: 2, queued: 1 });
    (await third)();
    await fourth;
    expect(order).toEqual(['c', 'd']);
  });

  it('refuses at once when the line is full, and after maxQueueWaitMs in line, with retryAfter', async () => {
    const admission = new Admission(limits({ maxConcurrent: 1, maxQueued: 1, maxQueueWaitMs: 50, maxInFlightPerSubject: 10 }));
    await admission.enter('a');
    const waiting = codeOf(admission.enter('b'));
    expect(await codeOf(admission.enter('c'))).toBe('RATE_LIMITED 1');
    expect(await waiting).toBe('RATE_LIMITED 1');
    expect(admission.load).toEqual({ active: 1, queued: 0 });
  });

  it('lets one subject hold at most maxInFlightPerSubject, running or waiting; others still get in', async () => {
    const admission = new Admission(limits({ maxConcurrent: 2, maxQueued: 10, maxInFlightPerSubject: 3 }));
    const flood = [admission.enter('flood'), admission.enter('flood'), admission.enter('flood')];
    expect(await codeOf(admission.enter('flood'))).toBe('RATE_LIMITED 1');
    expect(() => admission.checkRoom('flood')).toThrow();
    expect(() => admission.checkRoom('dashboard')).not.toThrow();
    const other = admission.enter('dashboard');
    expect(admission.load).toEqual({ active: 2, queued: 2 });
    (await flood[0])();
    await flood[2];
    (await flood[1])();
    await expect(other).resolves.toBeInstanceOf(Function);
    // The flood's slots are back: it may send again.
    expect(() => admission.checkRoom('flood')).not.toThrow();
  });
});
