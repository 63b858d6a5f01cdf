/**
 * A small seeded pseudo-random number generator (mulberry32: 32 bits of state, period 2^32) with the helpers the
 * demo generator needs. Same seed → same sequence, on every platform and Node version (integer arithmetic only).
 *
 * Not for anything security-related.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator whose seed mixes `parts` (numbers or strings): one independent stream per entity and purpose. */
  static of(...parts: Array<number | string>): Random {
    return new Random(mixSeed(...parts));
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element, uniformly. @throws Error for an empty array */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: empty array');
    return items[Math.floor(this.next() * items.length)];
  }

  /** One value, with probability proportional to its weight. @throws Error when no weight is positive */
  weighted<T>(pairs: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, weight] of pairs) total += Math.max(0, weight);
    if (!(total > 0)) throw new Error('Random.weighted: no positive weight');
    let r = this.next() * total;
    for (const [value, weight] of pairs) {
      if (weight <= 0) continue;
      r -= weight;
      if (r < 0) return value;
    }
    // Rounding: the last value with a positive weight.
    for (let i = pairs.length - 1; i >= 0; i--) if (pairs[i][1] > 0) return pairs[i][0];
    throw new Error('unreachable');
  }

  /** `count` distinct elements (or all of them when fewer), in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = items.slice();
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  }
}

/**
 * A precomputed weighted choice over many values (binary search over cumulative weights): for hot paths where
 * {@link Random.weighted}'s linear scan would be too slow, e.g. choosing one of ~1,000 grids a million times.
 */
export class WeightedTable<T> {
  private readonly values: T[];
  private readonly cumulative: Float64Array;

  constructor(pairs: ReadonlyArray<readonly [T, number]>) {
    const kept = pairs.filter(([, weight]) => weight > 0);
    if (kept.length === 0) throw new Error('WeightedTable: no positive weight');
    this.values = kept.map(([value]) => value);
    this.cumulative = new Float64Array(kept.length);
    let sum = 0;
    kept.forEach(([, weight], i) => (this.cumulative[i] = sum += weight));
  }

  pick(random: Random): T {
    const target = random.next() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.cumulative[mid] > target) high = mid;
      else low = mid + 1;
    }
    return this.values[low];
  }
}

/** A 32-bit seed mixed from numbers and strings (MurmurHash3's finaliser over a running hash). */
export function mixSeed(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Both 32-bit halves, so large integers (ids, millisecond times) mix fully.
      h = fmix32(h ^ (part >>> 0));
      h = fmix32(h ^ Math.floor(part / 4294967296));
    } else {
      for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
      h = fmix32(h);
    }
  }
  return h >>> 0;
}

function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
