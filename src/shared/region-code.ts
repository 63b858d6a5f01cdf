/**
 * Region and grid codes (design §2): the national 12-digit statistical division codes, written with their
 * significant digits only, plus 3 digits of grid number under a community.
 *
 * Pure functions; no I/O.
 */

/** Administrative level of a region (区划层级). */
export enum RegionLevel {
  PROVINCE = 'PROVINCE',
  CITY = 'CITY',
  COUNTY = 'COUNTY',
  TOWN = 'TOWN',
  COMMUNITY = 'COMMUNITY',
  GRID = 'GRID',
}

/** Significant digits of each level, top down. */
export const LEVEL_LENGTHS: ReadonlyArray<readonly [RegionLevel, number]> = [
  [RegionLevel.PROVINCE, 2],
  [RegionLevel.CITY, 4],
  [RegionLevel.COUNTY, 6],
  [RegionLevel.TOWN, 9],
  [RegionLevel.COMMUNITY, 12],
  [RegionLevel.GRID, 15],
];

const LEVEL_BY_LENGTH = new Map<number, RegionLevel>(LEVEL_LENGTHS.map(([level, len]) => [len, level]));
const LENGTH_BY_LEVEL = new Map<RegionLevel, number>(LEVEL_LENGTHS);
const LEVEL_NAMES: Record<RegionLevel, string> = {
  PROVINCE: 'province',
  CITY: 'city',
  COUNTY: 'county',
  TOWN: 'town',
  COMMUNITY: 'community',
  GRID: 'grid',
};

/** Thrown by {@link parseRegionCode} with a message that can be shown to the caller as is. */
export class RegionCodeError extends Error {}

/**
 * Parses a region or grid code as a client may send it: the short form (significant digits, 2/4/6/9/12/15
 * digits) or the zero-padded 12-digit division code (`150302000000`). Returns the short form.
 *
 * Checks the shape only (digits, length, no all-zero segment), not the ranges inside a segment.
 * @throws RegionCodeError when the code is not a region code.
 */
export function parseRegionCode(input: string): string {
  const code = input.trim();
  if (!/^\d+$/.test(code)) {
    throw new RegionCodeError(`"${input}" is not a region code: only digits are allowed`);
  }
  if (!LEVEL_BY_LENGTH.has(code.length)) {
    throw new RegionCodeError(
      `"${input}" is not a region code: it must have 2, 4, 6, 9, 12 or 15 digits (or the 12-digit padded form)`,
    );
  }
  const short = code.length === 12 ? stripPadding(code) : code;
  let start = 0;
  for (const [level, end] of LEVEL_LENGTHS) {
    if (end > short.length) break;
    if (/^0+$/.test(short.slice(start, end))) {
      throw new RegionCodeError(`"${input}" is not a region code: its ${LEVEL_NAMES[level]} digits are all zero`);
    }
    start = end;
  }
  return short;
}

/** Drops the trailing all-zero segments of a padded 12-digit code: `150302000000` → `150302`. */
function stripPadding(code: string): string {
  let short = code;
  for (let i = LEVEL_LENGTHS.length - 2; i > 0; i--) {
    const end = LEVEL_LENGTHS[i][1];
    const start = LEVEL_LENGTHS[i - 1][1];
    if (short.length === end && /^0+$/.test(short.slice(start, end))) short = short.slice(0, start);
  }
  return short;
}

/** The level of a short-form code (assumed valid). */
export function levelOf(code: string): RegionLevel {
  const level = LEVEL_BY_LENGTH.get(code.length);
  if (!level) throw new RegionCodeError(`"${code}" is not a short-form region code`);
  return level;
}

/** How many significant digits a level has. */
export function lengthOf(level: RegionLevel): number {
  return LENGTH_BY_LEVEL.get(level)!;
}

/** The parent's short code, or null for a province. */
export function parentCodeOf(code: string): string | null {
  const index = LEVEL_LENGTHS.findIndex(([, len]) => len === code.length);
  return index > 0 ? code.slice(0, LEVEL_LENGTHS[index - 1][1]) : null;
}

/** Codes of all ancestors, top down, excluding the code itself. */
export function ancestorCodesOf(code: string): string[] {
  return LEVEL_LENGTHS.map(([, len]) => len)
    .filter((len) => len < code.length)
    .map((len) => code.slice(0, len));
}

/**
 * The padded 12-digit statistical division code (统计用区划代码). A grid answers with its community's code.
 */
export function divisionCodeOf(code: string): string {
  return code.length >= 12 ? code.slice(0, 12) : code.padEnd(12, '0');
}

/** True when `code` is `region` or lies under it. */
export function isWithin(code: string, region: string): boolean {
  return code.startsWith(region);
}

/**
 * The half-open key range `[low, high)` of every code under `region` (including itself). Codes are digit
 * strings, so this range is the same under every collation and is served by a plain btree index.
 * `high` is null when no upper bound exists (a code of all nines).
 */
export function codeRange(region: string): { low: string; high: string | null } {
  const next = (BigInt(region) + 1n).toString().padStart(region.length, '0');
  return { low: region, high: next.length > region.length ? null : next };
}
