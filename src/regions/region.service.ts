import { EntityManager } from '@mikro-orm/postgresql';
import { ScopedReader, withinRegion } from '../access/scope';
import { BadUserInputError, ForbiddenError } from '../shared/errors';
import { FieldError, RecordOutcome } from '../shared/outcome';
import { jsonbProblem, lineTextProblem } from '../shared/text';
import {
  lengthOf,
  levelOf,
  parentCodeOf,
  parseRegionCode,
  RegionCodeError,
  RegionLevel,
} from '../shared/region-code';
import { boundaryProblem, cleanBoundary } from './boundary';
import { GeoJsonBoundary, Region } from './region.entity';
import { RegionInput, RegionUpsertReport, RegionUpsertResult } from './region.types';

/** At most this many regions in one answer of `regions` (it is not paged). */
export const MAX_REGIONS_PER_LIST = 1000;

/** At most this many regions per upsertRegions call. */
export const MAX_REGIONS_PER_UPSERT = 5000;
/** At most this many characters (UTF-16 code units) in a region's name, after trimming. */
export const MAX_REGION_NAME_LENGTH = 200;

interface ValidRegion {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  boundary: GeoJsonBoundary | null;
}

/** Regions and grids: lookups within the viewer's visibility, and the registry. */
export class RegionService {
  constructor(private readonly reader: ScopedReader) {}

  /** The registry's writer (ADMIN only). */
  private get em(): EntityManager {
    return this.reader.registryWriter();
  }

  /** A region by code, or null when unknown or not visible. @throws BadUserInputError for a malformed code */
  async get(input: string): Promise<Region | null> {
    const code = parseArgument(input, 'code');
    return this.reader.regions().select('*').andWhere({ code }).getSingleResult();
  }

  /**
   * Regions under `parentCode` (direct children, or all descendants at `level`), or without a parent all
   * visible regions at `level` (default: the provinces). Only visible regions are returned, ordered by code.
   * @throws ForbiddenError when `parentCode` lies outside the scope and is not one of its ancestors.
   */
  async list(parentInput: string | null | undefined, level: RegionLevel | null | undefined): Promise<Region[]> {
    const qb = this.reader.regions().select('*').orderBy({ code: 'asc' });
    const scope = this.reader.viewer.regionCode;
    if (parentInput != null) {
      const parent = parseArgument(parentInput, 'parentCode');
      if (!this.reader.regionVisible(parent)) {
        throw new ForbiddenError(`parentCode: region ${parent} lies outside your scope (${scope})`, 'parentCode');
      }
      if (level) {
        if (lengthOf(level) <= parent.length) {
          throw new BadUserInputError(`a ${level} region cannot lie under ${parent}`, 'level');
        }
        withinRegion(qb, parent, 'e.code');
        qb.andWhere({ level });
      } else {
        qb.andWhere({ parentCode: parent });
      }
    } else {
      qb.andWhere({ level: level ?? RegionLevel.PROVINCE });
    }
    // The list is not paged: it answers at most MAX_REGIONS_PER_LIST regions (what the cost model counts), and
    // asks for a narrower parent rather than cut the list short unsaid.
    const rows = await qb.limit(MAX_REGIONS_PER_LIST + 1).getResultList();
    if (rows.length > MAX_REGIONS_PER_LIST) {
      throw new BadUserInputError(
        `more than ${MAX_REGIONS_PER_LIST} regions match; ask under a narrower parentCode`,
        parentInput != null ? 'parentCode' : 'level',
      );
    }
    return rows;
  }

  /**
   * Registers or updates regions (ADMIN only). Each region is validated on its own — code shape, level matching
   * the code, parent registered (or earlier in the batch), name (not blank, at most 200 characters, no control
   * characters or lone surrogates), boundary — and a bad one is rejected alone with
   * per-field errors. A region whose parent is rejected is rejected too. Valid ones are written in one transaction:
   * one statement per 1000 regions, and one more for their shapes (`region_shape`, see locate.ts).
   * @throws ForbiddenError for a non-ADMIN viewer; BadUserInputError for an empty or oversized batch.
   */
  async upsert(inputs: RegionInput[]): Promise<RegionUpsertReport> {
    const em = this.em; // refuses a non-ADMIN viewer
    if (inputs.length === 0) throw new BadUserInputError('give at least one region', 'regions');
    if (inputs.length > MAX_REGIONS_PER_UPSERT) {
      throw new BadUserInputError(`at most ${MAX_REGIONS_PER_UPSERT} regions per call`, 'regions');
    }
    const results: RegionUpsertResult[] = inputs.map((input) => ({
      code: input.code,
      outcome: RecordOutcome.REJECTED,
      errors: [],
    }));
    const parsed = inputs.map((input, i) => {
      const region = validateShape(input, results[i].errors);
      // An ADMIN token limited to a region registers under it only.
      if (region !== null && !this.reader.inScope(region.code)) {
        results[i].errors.push({ field: 'code', message: `${region.code} lies outside your scope (${this.reader.viewer.regionCode})` });
        return null;
      }
      return region;
    });

    const codes = parsed.filter((p): p is ValidRegion => p !== null).map((p) => p.code);
    const parents = parsed.filter((p): p is ValidRegion => p?.parentCode != null).map((p) => p.parentCode!);
    const known = await em
      .createQueryBuilder(Region, 'e')
      .select('*')
      .where({ code: { $in: [...new Set([...codes, ...parents])] } })
      .getResultList();
    const stored = new Map(known.map((region) => [region.code, region]));

    // Parents first, so a child sees whether its parent (perhaps in the same batch) is valid.
    const order = parsed.map((_, i) => i).filter((i) => parsed[i] !== null);
    order.sort((a, b) => parsed[a]!.code.length - parsed[b]!.code.length);
    const accepted = new Map<string, ValidRegion>();
    const writes: ValidRegion[] = [];
    for (const i of order) {
      const region = parsed[i]!;
      const result = results[i];
      if (accepted.has(region.code)) {
        result.errors.push({ field: 'code', message: `${region.code} appears twice in this batch` });
        continue;
      }
      if (region.parentCode !== null && !accepted.has(region.parentCode) && !stored.has(region.parentCode)) {
        result.errors.push({ field: 'parentCode', message: `parent region ${region.parentCode} is not registered` });
        continue;
      }
      accepted.set(region.code, region);
      const existing = stored.get(region.code);
      if (existing && sameRegion(existing, region)) {
        result.outcome = RecordOutcome.UNCHANGED;
      } else {
        result.outcome = existing ? RecordOutcome.UPDATED : RecordOutcome.CREATED;
        writes.push(region);
      }
    }
    // A region rejected for a duplicate stays rejected even though its first occurrence was accepted.
    for (const result of results) if (result.errors.length > 0) result.outcome = RecordOutcome.REJECTED;

    if (writes.length > 0) await this.write(writes);
    const count = (outcome: RecordOutcome) => results.filter((r) => r.outcome === outcome).length;
    return {
      created: count(RecordOutcome.CREATED),
      updated: count(RecordOutcome.UPDATED),
      unchanged: count(RecordOutcome.UNCHANGED),
      rejected: count(RecordOutcome.REJECTED),
      results,
    };
  }

  /** Writes the regions in the caller's transaction, or in one of its own. */
  private async write(regions: ValidRegion[]): Promise<void> {
    const em = this.em;
    if (em.getTransactionContext()) await writeRegions(em, regions);
    else await em.transactional((tx) => writeRegions(tx, regions));
  }
}

/**
 * Writes the regions, then their rows in `region_shape` (see Migration20261202100000_region_shape): two
 * statements per 1000 regions, inside `em`'s transaction. The shape statement runs second, once the transaction
 * holds the regions' row locks, so a concurrent upsert of the same region cannot leave its shapes behind.
 */
async function writeRegions(em: EntityManager, regions: ValidRegion[]): Promise<void> {
  // One JSON parameter per chunk: MikroORM inlines array parameters, JSON travels as a single literal.
  const transaction = em.getTransactionContext();
  for (let start = 0; start < regions.length; start += 1000) {
    const chunk = regions.slice(start, start + 1000);
    await em.getConnection().execute(
      `insert into region (code, name, level, parent_code, boundary)
       select code, name, level, parent_code, boundary
       from jsonb_to_recordset(?::jsonb) as r(code varchar, name text, level text, parent_code varchar, boundary jsonb)
       on conflict (code) do update set name = excluded.name, level = excluded.level,
         parent_code = excluded.parent_code, boundary = excluded.boundary, updated_at = now()`,
      [
        JSON.stringify(
          chunk.map((r) => ({ code: r.code, name: r.name, level: r.level, parent_code: r.parentCode, boundary: r.boundary })),
        ),
      ],
      'run',
      transaction,
    );
    // From the boundaries just stored: parts the new boundary has are upserted, the others deleted (all of them
    // for a null boundary). The two touch different rows, so their order inside the statement does not matter.
    await em.getConnection().execute(
      `with written as (
         select r.code, r.boundary from region r where r.code in (select jsonb_array_elements_text(?::jsonb))
       ), parts as (
         select w.code, p.part, p.outer_ring, p.holes, p.region_area
         from written w cross join lateral region_boundary_parts(w.boundary) p
       ), stale as (
         delete from region_shape s using written w
         where s.region_code = w.code and not exists (select 1 from parts p where p.code = s.region_code and p.part = s.part)
       )
       insert into region_shape (region_code, part, outer_ring, holes, region_area)
       select code, part, outer_ring, holes, region_area from parts
       on conflict (region_code, part) do update set outer_ring = excluded.outer_ring, holes = excluded.holes,
         region_area = excluded.region_area`,
      [JSON.stringify(chunk.map((r) => r.code))],
      'run',
      transaction,
    );
  }
}

function parseArgument(input: string, field: string): string {
  try {
    return parseRegionCode(input);
  } catch (error) {
    throw new BadUserInputError((error as RegionCodeError).message, field);
  }
}

function validateShape(input: RegionInput, errors: FieldError[]): ValidRegion | null {
  let code: string | null = null;
  try {
    code = parseRegionCode(input.code);
  } catch (error) {
    errors.push({ field: 'code', message: (error as RegionCodeError).message });
  }
  const name = input.name?.trim() ?? '';
  const nameProblem = lineTextProblem(name);
  if (name === '') errors.push({ field: 'name', message: 'must not be empty' });
  else if (name.length > MAX_REGION_NAME_LENGTH) {
    errors.push({ field: 'name', message: `must be at most ${MAX_REGION_NAME_LENGTH} characters` });
  } else if (nameProblem) errors.push({ field: 'name', message: nameProblem });
  if (input.boundary != null) {
    // What jsonb cannot hold is this region's fault, not the batch's (the boundary is stored cleaned, see cleanBoundary).
    const shape = boundaryProblem(input.boundary);
    const text = shape ? null : jsonbProblem(input.boundary);
    if (shape) errors.push({ field: 'boundary', message: shape });
    else if (text) errors.push({ field: text.path ? `boundary.${text.path}` : 'boundary', message: text.message });
  }
  if (code === null) return null;
  const level = levelOf(code);
  if (input.level != null && input.level !== level) {
    errors.push({ field: 'level', message: `a ${code.length}-digit code is a ${level}, not a ${input.level}` });
  }
  const parentCode = parentCodeOf(code);
  if (input.parentCode != null) {
    let given: string | null = null;
    try {
      given = parseRegionCode(input.parentCode);
    } catch (error) {
      errors.push({ field: 'parentCode', message: (error as RegionCodeError).message });
    }
    if (given !== null && given !== parentCode) {
      errors.push({ field: 'parentCode', message: `the parent of ${code} is ${parentCode}, not ${given}` });
    }
  }
  if (errors.length > 0) return null;
  return { code, name, level, parentCode, boundary: input.boundary == null ? null : cleanBoundary(input.boundary as GeoJsonBoundary) };
}

function sameRegion(stored: Region, region: ValidRegion): boolean {
  return (
    stored.name === region.name &&
    stored.level === region.level &&
    (stored.parentCode ?? null) === region.parentCode &&
    JSON.stringify(stored.boundary ?? null) === JSON.stringify(region.boundary)
  );
}
