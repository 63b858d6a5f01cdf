import { readFileSync } from 'node:fs';
import { SourceSystem } from '../sources/source-system';
import {
  DEFAULT_PERSON_PRIORITY,
  DEFAULT_PLACE_PRIORITY,
  DEFAULT_THING_PRIORITY,
  PERSON_CORE_FIELDS,
  PersonCoreField,
  PLACE_CORE_FIELDS,
  PlaceCoreField,
  SourcePriority,
  THING_CORE_FIELDS,
  ThingCoreField,
} from '../sources/survivorship';

/** Per-field source priority for each kind that is merged across sources (incidents are not: one source each). */
export interface Priorities {
  person: SourcePriority<PersonCoreField>;
  place: SourcePriority<PlaceCoreField>;
  thing: SourcePriority<ThingCoreField>;
}

/** The documented default (src/sources/survivorship.ts explains each choice). */
export const DEFAULT_PRIORITIES: Priorities = {
  person: DEFAULT_PERSON_PRIORITY,
  place: DEFAULT_PLACE_PRIORITY,
  thing: DEFAULT_THING_PRIORITY,
};

const FIELDS: Record<keyof Priorities, readonly string[]> = {
  person: PERSON_CORE_FIELDS,
  place: PLACE_CORE_FIELDS,
  thing: THING_CORE_FIELDS,
};

/**
 * Reads a survivorship configuration file (`GRIDHUB_SURVIVORSHIP_FILE`): JSON of the shape
 * `{ "person": { "name": ["COMPREHENSIVE_GOVERNANCE", …], … }, "place": {…}, "thing": {…} }`. Kinds and fields
 * left out keep the default; an unknown kind, field or source, or a source listed twice, is an error naming it.
 * @throws Error with a message naming the file and the offending entry.
 */
export function loadPriorities(file: string): Priorities {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`GRIDHUB_SURVIVORSHIP_FILE: cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  return parsePriorities(parsed, file);
}

/** Validates a parsed configuration (see {@link loadPriorities}) and fills in the defaults. */
export function parsePriorities(parsed: unknown, origin = 'the configuration'): Priorities {
  const fail = (what: string): never => {
    throw new Error(`GRIDHUB_SURVIVORSHIP_FILE: ${origin}: ${what}`);
  };
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail('must be a JSON object');
  const result: Record<string, Record<string, readonly SourceSystem[]>> = {
    person: { ...DEFAULT_PRIORITIES.person },
    place: { ...DEFAULT_PRIORITIES.place },
    thing: { ...DEFAULT_PRIORITIES.thing },
  };
  const sources = Object.values(SourceSystem) as string[];
  for (const [kind, fields] of Object.entries(parsed as Record<string, unknown>)) {
    if (!(kind in FIELDS)) fail(`unknown kind "${kind}" (person, place, thing)`);
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) fail(`${kind} must be an object of fields`);
    for (const [field, order] of Object.entries(fields as Record<string, unknown>)) {
      if (!FIELDS[kind as keyof Priorities].includes(field)) {
        fail(`unknown field ${kind}.${field} (${FIELDS[kind as keyof Priorities].join(', ')})`);
      }
      if (!Array.isArray(order) || order.length === 0) fail(`${kind}.${field} must be a non-empty list of sources`);
      const list = order as unknown[];
      list.forEach((source, i) => {
        if (typeof source !== 'string' || !sources.includes(source)) fail(`${kind}.${field}[${i}]: unknown source ${JSON.stringify(source)}`);
        if (list.indexOf(source) !== i) fail(`${kind}.${field}: ${String(source)} is listed twice`);
      });
      result[kind][field] = list as SourceSystem[];
    }
  }
  return result as unknown as Priorities;
}
