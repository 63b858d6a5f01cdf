/**
 * Internal: which seqs of the incident event log are settled, for the live feed (src/live/live-feed.ts).
 *
 * Seqs are taken in one order and committed in another: transaction 1 takes seq 10, transaction 2 takes 11 and
 * commits first. A reader that has seen 11 but not 10 may pass 10 only once it knows 10 will never appear. The
 * tracker decides that from transaction ids, never from a timeout:
 *
 * - A writer takes its transaction id before its seq (`incident_event_next_seq()`, migration `_live`). So when a
 *   read shows seq 11 and not 10, the holder of 10 had its id before 11 was taken, hence before the read.
 * - After such a read the reader takes a transaction id of its own, the *horizon* of the gaps that read revealed:
 *   it is larger than the id of every holder of those gaps.
 * - A later read whose snapshot has `xmin >= horizon` (every transaction below the horizon has ended) shows each
 *   such seq if its transaction committed; if the seq is still missing there, it never comes (rolled back, or a
 *   value the sequence gave out and nobody used). Only then is it passed.
 *
 * The cost of being sound: events behind a gap wait until every transaction that was running when the gap was
 * seen has ended, whatever it writes. Events with no gap before them are never held.
 *
 * Pure logic: the feed reads, and hands each read's seqs and snapshot xmin to {@link SeqTracker.advance}.
 */
export class SeqTracker {
  /** Every seq at or below it is settled: delivered, or known never to commit. */
  private settled: bigint;
  /** Gaps seen so far: missing seqs at or below `upTo` (and above the previous epoch's) have this horizon. */
  private epochs: Array<{ upTo: bigint; horizon: bigint }> = [];
  /** The highest seq whose gaps below are covered by an epoch (or settled). */
  private covered: bigint;

  constructor(start: bigint) {
    this.settled = start;
    this.covered = start;
  }

  /** Every seq at or below it is settled. */
  get watermark(): bigint {
    return this.settled;
  }

  /** True while some seq above the watermark is missing from what was read (events wait behind it). */
  get holding(): boolean {
    return this.epochs.length > 0;
  }

  /**
   * Takes one read: the seqs above the watermark visible in one snapshot, ascending and complete up to the last
   * (a read with a limit may stop early), and that snapshot's `xmin`.
   * @returns `watermark`: the new watermark (the caller delivers the read events up to it, in order); `gapsUpTo`:
   * when the read revealed missing seqs no horizon covers yet, the last seq read — the caller must then take a
   * transaction id (a horizon) and give it to {@link recordHorizon} before the next read.
   */
  advance(seqs: readonly bigint[], xmin: bigint): { watermark: bigint; gapsUpTo: bigint | null } {
    let blocked = false;
    let previous = this.settled;
    let newGaps = false;
    for (const seq of seqs) {
      if (seq <= previous) throw new Error(`seqs must ascend above the watermark: ${seq} after ${previous}`);
      if (seq > previous + 1n && seq - 1n > this.covered) newGaps = true;
      if (!blocked && seq > this.settled + 1n) {
        // The missing seqs settled+1 … seq-1 may be passed when the horizon of the latest of them (horizons grow
        // with the seqs they cover) lies at or below xmin.
        const horizon = this.horizonOf(seq - 1n);
        if (horizon === undefined || xmin < horizon) blocked = true;
      }
      if (!blocked) this.settled = seq;
      previous = seq;
    }
    const last = seqs.length > 0 ? seqs[seqs.length - 1] : null;
    if (last !== null && last > this.covered && !newGaps) this.covered = last;
    this.epochs = this.epochs.filter((epoch) => epoch.upTo > this.settled);
    return { watermark: this.settled, gapsUpTo: newGaps ? last : null };
  }

  /**
   * The horizon of the gaps one read revealed (a transaction id taken after that read), for every missing seq up
   * to `upTo` not covered before.
   */
  recordHorizon(upTo: bigint, horizon: bigint): void {
    if (upTo <= this.covered) return;
    const latest = this.epochs[this.epochs.length - 1];
    if (latest && horizon < latest.horizon) throw new Error('horizons must not go back');
    this.epochs.push({ upTo, horizon });
    this.covered = upTo;
  }

  private horizonOf(seq: bigint): bigint | undefined {
    return this.epochs.find((epoch) => epoch.upTo >= seq)?.horizon;
  }
}
