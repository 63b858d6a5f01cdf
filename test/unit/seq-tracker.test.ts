import { describe, expect, it } from '@jest/globals';
import { SeqTracker } from '../../src/live/seq-tracker';

/** The gap rule of the live feed (src/live/seq-tracker.ts), read by read. */

const seqs = (...values: number[]) => values.map(BigInt);

describe('SeqTracker', () => {
  it('passes contiguous seqs at once, whatever the xmin', () => {
    const tracker = new SeqTracker(10n);
    expect(tracker.advance(seqs(11, 12, 13), 1n)).toEqual({ watermark: 13n, gapsUpTo: null });
    expect(tracker.holding).toBe(false);
    expect(tracker.advance([], 1n)).toEqual({ watermark: 13n, gapsUpTo: null });
  });

  it('holds everything behind a missing seq until a read whose xmin has reached the horizon taken after the gap was seen', () => {
    const tracker = new SeqTracker(10n);
    // 12 committed before 11: 11 is a gap, 12 waits behind it; a horizon is needed.
    expect(tracker.advance(seqs(12), 100n)).toEqual({ watermark: 10n, gapsUpTo: 12n });
    tracker.recordHorizon(12n, 105n);
    expect(tracker.holding).toBe(true);
    // Transactions below 105 still run: 11 may yet commit.
    expect(tracker.advance(seqs(12, 13), 104n)).toEqual({ watermark: 10n, gapsUpTo: null });
    // 11 committed: it is read, and everything passes in order.
    expect(tracker.advance(seqs(11, 12, 13), 104n)).toEqual({ watermark: 13n, gapsUpTo: null });
    expect(tracker.holding).toBe(false);
  });

  it('passes a gap that never fills once xmin has reached its horizon (a rollback, an unused value)', () => {
    const tracker = new SeqTracker(10n);
    expect(tracker.advance(seqs(11, 13, 14), 50n)).toEqual({ watermark: 11n, gapsUpTo: 14n });
    tracker.recordHorizon(14n, 60n);
    expect(tracker.advance(seqs(13, 14), 59n).watermark).toBe(11n);
    expect(tracker.advance(seqs(13, 14), 60n)).toEqual({ watermark: 14n, gapsUpTo: null });
  });

  it('gives each read its own horizon: a later gap waits for its own, an earlier one only for its own', () => {
    const tracker = new SeqTracker(0n);
    expect(tracker.advance(seqs(2), 10n).gapsUpTo).toBe(2n); // 1 missing
    tracker.recordHorizon(2n, 20n);
    expect(tracker.advance(seqs(2, 5), 15n)).toEqual({ watermark: 0n, gapsUpTo: 5n }); // 3, 4 missing, newly
    tracker.recordHorizon(5n, 30n);
    // xmin 20 settles 1 (horizon 20) but not 3 and 4 (horizon 30).
    expect(tracker.advance(seqs(2, 5), 20n)).toEqual({ watermark: 2n, gapsUpTo: null });
    expect(tracker.holding).toBe(true);
    expect(tracker.advance(seqs(5, 6), 29n)).toEqual({ watermark: 2n, gapsUpTo: null });
    expect(tracker.advance(seqs(4, 5, 6), 29n)).toEqual({ watermark: 2n, gapsUpTo: null }); // 3 still missing
    expect(tracker.advance(seqs(4, 5, 6), 30n)).toEqual({ watermark: 6n, gapsUpTo: null });
  });

  it('asks again for a horizon when the last one was not recorded (the read after a failure reports the gap again)', () => {
    const tracker = new SeqTracker(0n);
    expect(tracker.advance(seqs(2), 10n).gapsUpTo).toBe(2n);
    expect(tracker.advance(seqs(2), 1000n)).toEqual({ watermark: 0n, gapsUpTo: 2n }); // no horizon: no xmin is enough
    tracker.recordHorizon(2n, 1001n);
    expect(tracker.advance(seqs(2), 1001n).watermark).toBe(2n);
  });

  it('refuses seqs that do not ascend above the watermark', () => {
    const tracker = new SeqTracker(5n);
    expect(() => tracker.advance(seqs(5), 1n)).toThrow(/ascend/);
    expect(() => tracker.advance(seqs(7, 6), 1n)).toThrow(/ascend/);
  });
});
