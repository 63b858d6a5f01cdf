import path from 'node:path';
import { parseArgs } from 'node:util';

/** A benchmark's flags: each a whole number (with its least value), a text, a directory, or a switch. */
export type FlagSpec = Record<string, { whole: number } | 'text' | 'directory' | 'switch'>;

/**
 * The flags of a benchmark script (`--name value` or `--name=value`), read with node's own parser: whole numbers
 * checked against their least value, directories made absolute, switches true when given.
 * @throws Error naming the flag and the usage, for an unknown flag or a bad value.
 */
export function readFlags(argv: string[], spec: FlagSpec): Record<string, string | number | boolean | undefined> {
  const usage = Object.entries(spec)
    .map(([name, kind]) => `--${name}${kind === 'switch' ? '' : kind === 'directory' ? ' DIR' : typeof kind === 'object' ? ' N' : ' S'}`)
    .join(', ');
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(spec).map(([name, kind]) => [name, { type: kind === 'switch' ? 'boolean' : 'string' }])),
      strict: true,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new Error(`${(error as Error).message} (${usage})`);
  }
  const flags: Record<string, string | number | boolean | undefined> = {};
  for (const [name, kind] of Object.entries(spec)) {
    const value = values[name];
    if (value === undefined || typeof value === 'boolean') {
      flags[name] = value;
    } else if (typeof kind === 'object') {
      const number = Number(value);
      if (!/^\d+$/.test(value) || number < kind.whole) throw new Error(`--${name} needs a whole number of at least ${kind.whole}`);
      flags[name] = number;
    } else {
      if (value === '') throw new Error(`--${name} needs a value`);
      flags[name] = kind === 'directory' ? path.resolve(value) : value;
    }
  }
  return flags;
}

/** A count as the benchmarks print it: rounded, with thousands separators. */
export const n = (value: number): string => Math.round(value).toLocaleString('en');

/** Milliseconds as seconds with one decimal. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
