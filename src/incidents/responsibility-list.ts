import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sql } from '../ingest/sql';
import { IncidentCategory } from './incident.entity';
import { HandlingLevel } from './incident-workflow';

/**
 * The responsibility list (属地管理事项清单): for each category and sub-category of incident, the lead department
 * (牵头部门) and the cooperating departments (配合部门) at each handling level. Dispatch takes its default
 * department from it and accepts only a department it lists for the case (lead or cooperating); the department a
 * case is dispatched to is the one that may start and resolve it (besides the handling level itself).
 *
 * Department names are templates: `{county}`, `{town}`, `{townShort}` (the town without 街道/镇) and `{community}`
 * are replaced with the names of the case's county, town and community from the region registry, so one list
 * serves every county of a city: `{county}城市管理综合执法局` is 海勃湾区城市管理综合执法局 for a case in 海勃湾区.
 * The resolved name is the department's identity: what `Incident.department` holds and a handling department's
 * token names in its `department` claim.
 *
 * The file (`GRIDHUB_RESPONSIBILITY_FILE`, default {@link DEFAULT_RESPONSIBILITY_FILE}) is JSON:
 * `{ "name": "…", "items": [{ "category": "CITY_MANAGEMENT", "subCategory": "占道经营",
 *    "levels": { "TOWN": { "lead": "{town}综合行政执法队", "cooperating": ["{town}市场监督管理所"] }, … } }] }`.
 * An item without `subCategory` covers the category's sub-categories that have no item of their own.
 */
export interface ResponsibilityList {
  /** What the list is, e.g. 乌海市属地管理事项清单. */
  name: string;
  items: readonly ResponsibilityItem[];
}

/** One row of the list: a category (and sub-category, or all of its others) and who handles it at each level. */
export interface ResponsibilityItem {
  category: IncidentCategory;
  /** Null: the category's sub-categories that have no item of their own. */
  subCategory: string | null;
  levels: Partial<Record<HandlingLevel, Responsibility>>;
}

/** Who handles a matter at one level: department name templates (see {@link ResponsibilityList}). */
export interface Responsibility {
  lead: string;
  cooperating: readonly string[];
}

/** Names the department templates may use, filled from the region registry. */
export interface RegionNames {
  county: string;
  town: string;
  community: string;
}

/** The list shipped for the demo city 乌海市 (seeds/responsibility-list.json). */
export const DEFAULT_RESPONSIBILITY_FILE = findShippedList();

function findShippedList(): string {
  const candidates = [
    path.resolve(__dirname, '../../../seeds/responsibility-list.json'), // dist/src/incidents → project root
    path.resolve(__dirname, '../../seeds/responsibility-list.json'), // src/incidents
    path.resolve(process.cwd(), 'seeds/responsibility-list.json'),
  ];
  return candidates.find((candidate) => {
    try {
      readFileSync(candidate);
      return true;
    } catch {
      return false;
    }
  }) ?? candidates[0];
}

const PLACEHOLDERS = new Set(['county', 'town', 'townShort', 'community']);
const LEVELS = Object.values(HandlingLevel);
/** Longest department name (template or resolved). */
export const MAX_DEPARTMENT_LENGTH = 100;

/**
 * Reads and checks a responsibility list file (see {@link ResponsibilityList}).
 * @throws Error naming the file and the offending item and key.
 */
export function loadResponsibilityList(file: string): ResponsibilityList {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  return parseResponsibilityList(parsed, file);
}

/** Checks a parsed list (see {@link loadResponsibilityList}). @throws Error naming `origin` and the offending entry. */
export function parseResponsibilityList(parsed: unknown, origin = 'the responsibility list'): ResponsibilityList {
  const fail = (where: string, what: string): never => {
    throw new Error(`${origin}: ${where}: ${what}`);
  };
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(parsed)) fail('the file', 'must be a JSON object with "name" and "items"');
  const root = parsed as Record<string, unknown>;
  const name = typeof root.name === 'string' ? root.name : fail('name', 'must be a string');
  if (!Array.isArray(root.items) || root.items.length === 0) fail('items', 'must be a non-empty array');
  const seen = new Set<string>();
  const template = (where: string, value: unknown): string => {
    if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_DEPARTMENT_LENGTH) {
      fail(where, `must be a department name of 1 to ${MAX_DEPARTMENT_LENGTH} characters`);
    }
    for (const [, key] of (value as string).matchAll(/\{([^}]*)\}/g)) {
      if (!PLACEHOLDERS.has(key)) fail(where, `unknown placeholder {${key}} (known: ${[...PLACEHOLDERS].map((p) => `{${p}}`).join(', ')})`);
    }
    return (value as string).trim();
  };
  const items = (root.items as unknown[]).map((item, i): ResponsibilityItem => {
    const at = `items[${i}]`;
    if (!isObject(item)) fail(at, 'must be an object');
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!['category', 'subCategory', 'levels'].includes(key)) fail(`${at}.${key}`, 'unknown key (category, subCategory, levels)');
    }
    const category = entry.category as IncidentCategory;
    if (!Object.values(IncidentCategory).includes(category)) fail(`${at}.category`, `must be one of ${Object.values(IncidentCategory).join(', ')}`);
    const subCategory = entry.subCategory ?? null;
    if (subCategory !== null && (typeof subCategory !== 'string' || subCategory.trim() === '')) fail(`${at}.subCategory`, 'must be a non-empty string or left out');
    const key = `${category}/${subCategory ?? '*'}`;
    if (seen.has(key)) fail(at, `${category} ${subCategory ?? '(all other sub-categories)'} is listed twice`);
    seen.add(key);
    if (!isObject(entry.levels) || Object.keys(entry.levels).length === 0) fail(`${at}.levels`, `must map at least one of ${LEVELS.join(', ')}`);
    const levels: Partial<Record<HandlingLevel, Responsibility>> = {};
    for (const [level, value] of Object.entries(entry.levels as Record<string, unknown>)) {
      const where = `${at}.levels.${level}`;
      if (!LEVELS.includes(level as HandlingLevel)) fail(where, `unknown level (${LEVELS.join(', ')})`);
      if (!isObject(value)) fail(where, 'must be { "lead": "…", "cooperating": ["…"] }');
      const { lead, cooperating = [], ...rest } = value as Record<string, unknown>;
      if (Object.keys(rest).length > 0) fail(`${where}.${Object.keys(rest)[0]}`, 'unknown key (lead, cooperating)');
      if (!Array.isArray(cooperating)) fail(`${where}.cooperating`, 'must be an array of department names');
      levels[level as HandlingLevel] = {
        lead: template(`${where}.lead`, lead),
        cooperating: (cooperating as unknown[]).map((name, k) => template(`${where}.cooperating[${k}]`, name)),
      };
    }
    return { category, subCategory: subCategory === null ? null : (subCategory as string).trim(), levels };
  });
  return { name, items };
}

/**
 * Who handles a matter of `category` and `subCategory` at `level`: the item of that sub-category, else the
 * category's item for all other sub-categories; null when neither names the level.
 */
export function responsibilityFor(
  list: ResponsibilityList,
  category: IncidentCategory,
  subCategory: string | null | undefined,
  level: HandlingLevel,
): Responsibility | null {
  const own = subCategory ? list.items.find((item) => item.category === category && item.subCategory === subCategory.trim()) : undefined;
  const item = own ?? list.items.find((candidate) => candidate.category === category && candidate.subCategory === null);
  return item?.levels[level] ?? null;
}

/**
 * Names of the county, town and community of a grid, from the region registry (a code that is not registered
 * stands for its own name): what department name templates are filled with, for dispatch and calls alike.
 */
export async function regionNames(gridCode: string, sql: Sql): Promise<RegionNames> {
  const [names] = await sql.rows<RegionNames>(`select ${regionNamesSql('g.code')} from (select ?::text as code) g`, [gridCode]);
  return names;
}

/**
 * {@link regionNames} in SQL: the names of the district, town and community of the grid `gridCode` (an SQL
 * expression, such as a column) as the columns `county`, `town` and `community` of a select list.
 */
export function regionNamesSql(gridCode: string): string {
  const name = (length: number) => `coalesce((select name from region where code = left(${gridCode}, ${length})), left(${gridCode}, ${length}))`;
  return `${name(6)} as "county", ${name(9)} as "town", ${name(12)} as "community"`;
}

/** A department name template with the region's names filled in. */
export function departmentName(template: string, names: RegionNames): string {
  const values: Record<string, string> = {
    county: names.county,
    town: names.town,
    townShort: names.town.replace(/(街道|镇|乡|苏木)$/, ''),
    community: names.community,
  };
  return template.replace(/\{([^}]*)\}/g, (_whole, key: string) => values[key]);
}

/** The lead and cooperating departments of `responsibility` for a case in the region named `names`. */
export function departmentsFor(responsibility: Responsibility, names: RegionNames): { lead: string; cooperating: string[] } {
  return {
    lead: departmentName(responsibility.lead, names),
    cooperating: responsibility.cooperating.map((template) => departmentName(template, names)),
  };
}
