import { describe, expect, it } from '@jest/globals';
import { SeqTracker } from '../../src/live/seq-tracker';

/** The gap rule of the live feed (src/live/seq-tracker.ts), read by read. */

const seqs = (...values: number[]) => values.map(BigInt);
/** A result as text: jest cannot report a failure holding BigInts from a worker. */
const text = (result: { watermark: bigint; gapsUpTo: bigint | null }) => ({
  watermark: String(result.watermark),
  gapsUpTo: result.gapsUpTo === null ? null : String(result.gapsUpTo),
});

describe('SeqTracker', () => {
  it('passes contiguous seqs at once, whatever the xmin', () => {
    const tracker = new SeqTracker(10n);
    expect(text(tracker.advance(seqs(11, 12, 13), 1n))).toEqual({ watermark: '13', gapsUpTo: null });
    expect(tracker.holding).toBe(false);
    expect(text(tracker.advance([], 1n))).toEqual({ watermark: '13', gapsUpTo: null });
  });

  it('holds everything behind a missing seq until a read whose xmin has reached the horizon taken after the gap was seen', () => {
    const tracker = new SeqTracker(10n);
    // 12 committed before 11: 11 is a gap, 12 waits behind it; a horizon is needed.
    expect(text(tracker.advance(seqs(12), 100n))).toEqual({ watermark: '10', gapsUpTo: '12' });
    tracker.recordHorizon(12n, 105n);
    expect(tracker.holding).toBe(true);
    // Transactions below 105 still run: 11 may yet commit.
    expect(text(tracker.advance(seqs(12, 13), 104n))).toEqual({ watermark: '10', gapsUpTo: null });
    // 11 committed: it is read, and everything passes in order.
    expect(text(tracker.advance(seqs(11, 12, 13), 104n))).toEqual({ watermark: '13', gapsUpTo: null });
    expect(tracker.holding).toBe(false);
  });

  it('passes a gap that never fills once xmin has reached its horizon (a rollback, an unused value)', () => {
    const tracker = new SeqTracker(10n);
    expect(text(tracker.advance(seqs(11, 13, 14), 50n))).toEqual({ watermark: '11', gapsUpTo: '14' });
    tracker.recordHorizon(14n, 60n);
    expect(String(tracker.advance(seqs(13, 14), 59n).watermark)).toBe('11');
    expect(text(tracker.advance(seqs(13, 14), 60n))).toEqual({ watermark: '14', gapsUpTo: null });
  });

  it('gives each read its own horizon: a later gap waits for its own, an earlier one only for its own', () => {
    const tracker = new SeqTracker(0n);
    expect(String(tracker.advance(seqs(2), 10n).gapsUpTo)).toBe('2'); // 1 missing
    tracker.recordHorizon(2n, 20n);
    expect(text(tracker.advance(seqs(2, 5), 15n))).toEqual({ watermark: '0', gapsUpTo: '5' }); // 3, 4 missing, newly
    tracker.recordHorizon(5n, 30n);
    // xmin 20 settles 1 (horizon 20) but not 3 and 4 (horizon 30).
    expect(text(tracker.advance(seqs(2, 5), 20n))).toEqual({ watermark: '2', gapsUpTo: null });
    expect(tracker.holding).toBe(true);
    expect(text(tracker.advance(seqs(5, 6), 29n))).toEqual({ watermark: '2', gapsUpTo: null });
    expect(text(tracker.advance(seqs(4, 5, 6), 29n))).toEqual({ watermark: '2', gapsUpTo: null }); // 3 still missing
    expect(text(tracker.advance(seqs(4, 5, 6), 30n))).toEqual({ watermark: '6', gapsUpTo: null });
  });

  it('asks again for a horizon when the last one was not recorded (the read after a failure reports the gap again)', () => {
    const tracker = new SeqTracker(0n);
    expect(String(tracker.advance(seqs(2), 10n).gapsUpTo)).toBe('2');
    expect(text(tracker.advance(seqs(2), 1000n))).toEqual({ watermark: '0', gapsUpTo: '2' }); // no horizon: no xmin is enough
    tracker.recordHorizon(2n, 1001n);
    expect(String(tracker.advance(seqs(2), 1001n).watermark)).toBe('2');
  });

  it('refuses seqs that do not ascend above the watermark', () => {
    const tracker = new SeqTracker(5n);
    expect(() => tracker.advance(seqs(5), 1n)).toThrow(/ascend/);
    expect(() => tracker.advance(seqs(7, 6), 1n)).toThrow(/ascend/);
  });
});
