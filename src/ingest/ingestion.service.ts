import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Role, Viewer } from '../auth/viewer';
import { locateGrids } from '../regions/locate';
import { BadUserInputError, ForbiddenError } from '../shared/errors';
import { FieldError, RecordOutcome } from '../shared/outcome';
import { isWithin } from '../shared/region-code';
import { EntityKind, SourceSystem } from '../sources/source-system';
import { Checker } from './checker';
import { IngestReport, IngestResult } from './ingest.types';
import { writeIncidents } from './incidents';
import { writePeople } from './people.writer';
import { writePlaces } from './places';
import { DEFAULT_PRIORITIES, Priorities } from './priorities';
import { inTransaction, Sql, sqlOf } from './sql';
import { writeThings } from './things';
import { incidentEventBell } from '../live/bell';

/** The four kinds of record a source can send, as the mutations and the import CLI name them. */
export enum IngestKind {
  PEOPLE = 'people',
  PLACES = 'places',
  THINGS = 'things',
  INCIDENTS = 'incidents',
}

const ENTITY_TABLES: Record<IngestKind, string> = { people: 'person', places: 'place', things: 'thing', incidents: 'incident' };

export const ENTITY_OF_KIND: Record<IngestKind, EntityKind> = {
  people: EntityKind.PERSON,
  places: EntityKind.PLACE,
  things: EntityKind.THING,
  incidents: EntityKind.INCIDENT,
};

/** Default of `GRIDHUB_MAX_INGEST_BATCH`: records per ingest call. */
export const DEFAULT_MAX_INGEST_BATCH = 1000;

export interface IngestOptions {
  /** Records per call (`GRIDHUB_MAX_INGEST_BATCH`). */
  maxBatch: number;
  /** Per-field source priority of survivorship (`GRIDHUB_SURVIVORSHIP_FILE`). */
  priorities: Priorities;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = { maxBatch: DEFAULT_MAX_INGEST_BATCH, priorities: DEFAULT_PRIORITIES };

/** The fields every record has, checked; `index` is its position in the batch. */
export interface Prepared<T> {
  index: number;
  sourceKey: string;
  version: number;
  observedAt: Date;
  /** The record as accepted (JSON), with a located grid filled in as `gridCode`. */
  payload: Record<string, unknown>;
  /** Resolved grid: given and registered, or located from lng/lat. */
  gridCode: string;
  /** What the kind's checker made of the record. */
  checked: T;
}

/** A stored source record of the batch's source and kind, locked for the transaction. */
export interface StoredRecord {
  id: string;
  sourceKey: string;
  entityId: string;
  version: string;
  payload: Record<string, unknown>;
}

/** What the transaction decided for one record; the report is made from these once it commits. */
export interface Decision {
  outcome: RecordOutcome;
  entityId: string | null;
  errors: FieldError[];
}

/** Everything a kind's writer gets: the batch, its stored records, and where to put its decisions. */
export interface WriteContext<T> {
  sql: Sql;
  source: SourceSystem;
  kind: EntityKind;
  /** Records to store: new ones and newer versions, in batch order. */
  items: Array<Prepared<T> & { stored: StoredRecord | null }>;
  decide(index: number, decision: Decision): void;
  priorities: Priorities;
  /** Who sent it (the token's subject): incident events name it as their actor. */
  actor: string;
  /** The caller's region (null: no limit): linked entities must lie in it. */
  region: string | null;
}

/** How a kind checks its own fields. `null`: rejected (problems in `check.errors`). */
export type KindChecker<T> = (check: Checker, source: SourceSystem, today: Date) => T | null;

/** Coordinates of a record, when it gives both. */
function pointOf(payload: Record<string, unknown>): { lng: number; lat: number } | null {
  return typeof payload.lng === 'number' && typeof payload.lat === 'number' ? { lng: payload.lng, lat: payload.lat } : null;
}

/**
 * The one write path for source records (design §3 and §5): the ingest mutations, the file import and the demo city
 * all come through {@link IngestionService.ingest}.
 *
 * A batch is checked record by record first (shape, codes, grid registration and scope); the records that pass are
 * stored and merged in one transaction with set-based statements; a record found bad inside the transaction (a
 * link that does not resolve) is decided before anything of it is written. Deadlocks and lost insert races between
 * concurrent batches are retried inside ({@link inTransaction}); callers never see them.
 */
export class IngestionService {
  constructor(
    private readonly orm: MikroORM,
    private readonly viewer: Viewer,
    private readonly options: IngestOptions = DEFAULT_INGEST_OPTIONS,
  ) {}

  /**
   * Validates, merges and stores one batch of `kind` records sent by `source`; one result per record, in order.
   * @throws ForbiddenError when the viewer may not ingest as `source`; BadUserInputError for an empty or oversized
   * batch or a record that is not an object.
   */
  async ingest(kind: IngestKind, source: SourceSystem, records: readonly unknown[]): Promise<IngestReport> {
    return this.run(kind, source, records, null);
  }

  /**
   * The same as {@link ingest}, inside the caller's transaction (`em` from `em.transactional`): for loaders that
   * must be all or nothing (the demo city). Nothing is retried: a deadlock or lost race fails the caller's
   * transaction, so such callers should be the only writer.
   */
  async ingestInTransaction(em: EntityManager, kind: IngestKind, source: SourceSystem, records: readonly unknown[]): Promise<IngestReport> {
    if (!em.isInTransaction()) throw new Error('ingestInTransaction needs an entity manager inside a transaction');
    return this.run(kind, source, records, em);
  }

  private async run(kind: IngestKind, source: SourceSystem, records: readonly unknown[], outer: EntityManager | null): Promise<IngestReport> {
    this.authorize(source);
    if (!Array.isArray(records) || records.length === 0) throw new BadUserInputError('give at least one record', 'records');
    if (records.length > this.options.maxBatch) {
      throw new BadUserInputError(`at most ${this.options.maxBatch} records per call, got ${records.length}`, 'records');
    }
    const today = new Date();
    const results: IngestResult[] = records.map((record) => ({
      sourceKey: record !== null && typeof record === 'object' && typeof (record as { sourceKey?: unknown }).sourceKey === 'string'
        ? ((record as { sourceKey: string }).sourceKey)
        : '',
      outcome: RecordOutcome.REJECTED,
      entityId: null,
      errors: [],
    }));
    const prepared = await this.prepare(outer ?? this.orm.em.fork(), kind, source, records, results, today);
    if (prepared.length > 0) {
      const decisions = outer
        ? await this.write(kind, source, sqlOf(outer), prepared)
        : await inTransaction(this.orm, (sql) => this.write(kind, source, sql, prepared));
      // Incidents append events: ring the live feeds once committed, outside the transaction. (Inside a caller's
      // transaction the caller's commit is unknown here; the feeds' timer finds those events.)
      if (kind === IngestKind.INCIDENTS && !outer) incidentEventBell(this.orm).ring();
      const warningsOf = new Map(prepared.map((item) => [item.index, (item.checked as { warnings?: FieldError[] }).warnings ?? []]));
      for (const [index, decision] of decisions) {
        results[index].outcome = decision.outcome;
        results[index].entityId = decision.entityId;
        // On an accepted record, errors are warnings: it was stored, but something in it is not what it should be.
        results[index].errors = decision.outcome === RecordOutcome.REJECTED ? decision.errors : [...warningsOf.get(index)!, ...decision.errors];
      }
    }
    const count = (outcome: RecordOutcome) => results.filter((result) => result.outcome === outcome).length;
    return {
      created: count(RecordOutcome.CREATED),
      updated: count(RecordOutcome.UPDATED),
      unchanged: count(RecordOutcome.UNCHANGED),
      stale: count(RecordOutcome.STALE),
      rejected: count(RecordOutcome.REJECTED),
      results,
    };
  }

  /** Only a DEPARTMENT token of `source` (or an ADMIN) may ingest as `source`. */
  private authorize(source: SourceSystem): void {
    if (!Object.values(SourceSystem).includes(source)) throw new BadUserInputError(`unknown source ${String(source)}`, 'source');
    if (this.viewer.has(Role.ADMIN)) return;
    if (this.viewer.has(Role.DEPARTMENT) && this.viewer.source === source) return;
    if (this.viewer.has(Role.DEPARTMENT)) {
      throw new ForbiddenError(`your token speaks for ${this.viewer.source ?? 'no source'}; it may not ingest as ${source}`, 'source');
    }
    throw new ForbiddenError('only department systems (DEPARTMENT, as their own source) and ADMIN may ingest', 'source');
  }

  /**
   * Checks every record on its own: the common fields, the kind's fields, duplicates within the batch, and its grid
   * (given: registered and in the viewer's region; or located from lng/lat). Records with problems get them in
   * `results` and are left out.
   */
  private async prepare(
    em: EntityManager,
    kind: IngestKind,
    source: SourceSystem,
    records: readonly unknown[],
    results: IngestResult[],
    today: Date,
  ): Promise<Array<Prepared<unknown>>> {
    const checker = CHECKERS[kind] as KindChecker<unknown>;
    const candidates: Array<Prepared<unknown> & { givenGrid: string | null; locatable: boolean }> = [];
    const seen = new Map<string, number>();
    records.forEach((record, index) => {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        results[index].errors.push({ field: 'record', message: 'must be an object' });
        return;
      }
      const check = new Checker(record as Record<string, unknown>);
      const sourceKey = check.text('sourceKey', { required: true, max: 200 });
      const version = check.number('version', 0, Number.MAX_SAFE_INTEGER, { integer: true });
      const observed = check.dateTime('observedAt', new Date(today.getTime() + 5 * 60_000));
      if (version === null && observed === null) check.fail('version', 'give version, observedAt or both');
      const gridInput = check.raw('gridCode');
      let givenGrid: string | null = null;
      let gridShapeBad = false;
      if (gridInput !== null && gridInput !== undefined && !(typeof gridInput === 'string' && gridInput.trim() === '')) {
        if (typeof gridInput !== 'string' || !/^\d{15}$/.test(gridInput.trim())) {
          check.fail('gridCode', 'a grid code has 15 digits');
          gridShapeBad = true;
        } else givenGrid = gridInput.trim();
      }
      const lng = check.number('lng', -180, 180);
      const lat = check.number('lat', -90, 90);
      if ((lng === null) !== (lat === null) && lng !== undefined && lat !== undefined) {
        check.fail(lng === null ? 'lng' : 'lat', 'give both lng and lat, or neither');
      }
      if (givenGrid === null && !gridShapeBad && !(typeof lng === 'number' && typeof lat === 'number')) {
        check.fail('gridCode', 'give gridCode, or lng and lat inside a registered grid');
      }
      const checked = checker(check, source, today);
      if (sourceKey) {
        const earlier = seen.get(sourceKey);
        if (earlier !== undefined) check.fail('sourceKey', `${sourceKey} appears twice in this batch (records ${earlier + 1} and ${index + 1})`);
        else seen.set(sourceKey, index);
      }
      results[index].errors.push(...check.errors);
      const observedAt = observed ?? today;
      const payload = plainJson(record) as Record<string, unknown>;
      delete payload.sourceKey;
      delete payload.version;
      delete payload.observedAt;
      // Kept even when the record has problems: its grid is checked too, so that every bad field is named at once.
      candidates.push({
        index,
        sourceKey: sourceKey ?? '',
        version: version ?? observedAt.getTime(),
        observedAt,
        payload,
        gridCode: givenGrid ?? '',
        givenGrid,
        locatable: givenGrid === null && typeof lng === 'number' && typeof lat === 'number',
        checked,
      });
    });
    if (candidates.length === 0) return [];

    // Grids: the given ones must be registered grids; the others are located from their coordinates.
    const given = [...new Set(candidates.map((c) => c.givenGrid).filter((code): code is string => code !== null))];
    const registered = new Set(
      given.length === 0
        ? []
        : (await sqlOf(em).rows<{ code: string }>(`select code from region where level = 'GRID' and code = any(?::text[])`, [given])).map(
            (row) => row.code,
          ),
    );
    const toLocate = candidates.filter((c) => c.locatable);
    const located = toLocate.length === 0 ? [] : await locateGrids(em, toLocate.map((c) => pointOf(c.payload)!));
    toLocate.forEach((c, i) => {
      c.gridCode = located[i] ?? '';
    });
    const scope = this.viewer.regionCode;
    const accepted: Array<Prepared<unknown>> = [];
    for (const candidate of candidates) {
      const errors = results[candidate.index].errors;
      if (candidate.givenGrid !== null && !registered.has(candidate.givenGrid)) {
        errors.push({ field: 'gridCode', message: `grid ${candidate.givenGrid} is not registered` });
      } else if (candidate.locatable && candidate.gridCode === '') {
        const point = pointOf(candidate.payload)!;
        errors.push({ field: 'lng', message: `the point (${point.lng}, ${point.lat}) lies in no registered grid` });
      } else if (candidate.gridCode !== '' && scope !== null && !isWithin(candidate.gridCode, scope)) {
        errors.push({ field: candidate.givenGrid ? 'gridCode' : 'lng', message: `grid ${candidate.gridCode} lies outside your region (${scope})` });
      }
      if (errors.length > 0 || candidate.checked === null) continue;
      if (candidate.givenGrid === null) candidate.payload.gridCode = candidate.gridCode;
      const { givenGrid: _given, locatable: _locatable, ...item } = candidate;
      accepted.push(item);
    }
    return accepted;
  }

  /**
   * Inside the transaction: locks the batch's stored records, decides UNCHANGED / STALE for those that need no
   * write, and hands the rest to the kind's writer.
   */
  private async write(kind: IngestKind, source: SourceSystem, sql: Sql, prepared: Array<Prepared<unknown>>): Promise<Map<number, Decision>> {
    const decisions = new Map<number, Decision>();
    const entityKind = ENTITY_OF_KIND[kind];
    const stored = await sql.rows<StoredRecord & { gridCode: string | null }>(
      `select sr.id::text as "id", sr.source_key as "sourceKey", sr.entity_id::text as "entityId", sr.version::text as "version",
              sr.payload, e.grid_code as "gridCode"
         from source_record sr left join ${ENTITY_TABLES[kind]} e on e.id = sr.entity_id
        where sr.entity_kind = ? and sr.source = ? and sr.source_key = any(?::text[])
        order by sr.source_key for update of sr`,
      [entityKind, source, prepared.map((item) => item.sourceKey)],
    );
    const byKey = new Map(stored.map((record) => [record.sourceKey, record]));
    const items: WriteContext<unknown>['items'] = [];
    const region = this.viewer.regionCode;
    for (const item of prepared) {
      const record = byKey.get(item.sourceKey) ?? null;
      // One system's keys are shared by its offices of every county: a token limited to a region neither changes
      // nor learns about a record whose entity lies outside it.
      if (record !== null && region !== null && (record.gridCode === null || !isWithin(record.gridCode, region))) {
        decisions.set(item.index, {
          outcome: RecordOutcome.REJECTED,
          entityId: null,
          errors: [{ field: 'sourceKey', message: `a record with this key belongs to an entity outside your region (${region})` }],
        });
        continue;
      }
      if (record !== null) {
        const storedVersion = BigInt(record.version);
        const version = BigInt(item.version);
        if (version < storedVersion) {
          decisions.set(item.index, { outcome: RecordOutcome.STALE, entityId: record.entityId, errors: [] });
          continue;
        }
        if (version === storedVersion) {
          if (sameJson(record.payload, item.payload)) {
            decisions.set(item.index, { outcome: RecordOutcome.UNCHANGED, entityId: record.entityId, errors: [] });
          } else {
            decisions.set(item.index, {
              outcome: RecordOutcome.REJECTED,
              entityId: null,
              errors: [{ field: 'version', message: `version ${record.version} is already stored with other values; send a newer version` }],
            });
          }
          continue;
        }
      }
      items.push({ ...item, stored: record });
    }
    if (items.length > 0) {
      await WRITERS[kind]({
        sql,
        source,
        kind: entityKind,
        items,
        decide: (index, decision) => decisions.set(index, decision),
        priorities: this.options.priorities,
        actor: this.viewer.subject,
        region: this.viewer.regionCode,
      });
    }
    return decisions;
  }
}

/**
 * `value` as `JSON.parse(JSON.stringify(value))` makes it, without the text in between (a batch's records are
 * copied this way, and the copy's garbage showed in profiles): records from GraphQL are class instances (type-graphql)
 * holding Dates and absent fields as undefined; what is stored is plain JSON. Like JSON, it drops undefined, functions
 * and symbols from objects (null in arrays), calls `toJSON`, turns non-finite numbers into null and throws on BigInt.
 */
export function plainJson(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : null; // + 0: -0 becomes 0, as JSON writes it
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object': {
      if (value === null) return null;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return plainJson((value as { toJSON(): unknown }).toJSON());
      if (value instanceof Number || value instanceof String || value instanceof Boolean) return value.valueOf();
      if (Array.isArray(value)) {
        return value.map((item) => {
          const copy = plainJson(item);
          return copy === undefined ? null : copy;
        });
      }
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = plainJson((value as Record<string, unknown>)[key]);
        if (item === undefined) continue;
        // An own "__proto__" key stays a key, as JSON.parse makes it, not the copy's prototype.
        if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
        else copy[key] = item;
      }
      return copy;
    }
    default:
      return undefined; // undefined, functions, symbols
  }
}

/** Equal as JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameJson(item, other[i]));
  }
  const keysA = Object.keys(a as object).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b as object).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  return (
    keysA.length === keysB.length &&
    keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}

import { checkPerson } from './people';
import { checkPlace } from './places';
import { checkThing } from './things';
import { checkIncident } from './incidents';

const CHECKERS: Record<IngestKind, KindChecker<unknown>> = {
  people: checkPerson,
  places: checkPlace,
  things: checkThing,
  incidents: checkIncident,
};

const WRITERS: Record<IngestKind, (context: WriteContext<any>) => Promise<void>> = { // eslint-disable-line @typescript-eslint/no-explicit-any
  people: writePeople as never,
  places: writePlaces as never,
  things: writeThings as never,
  incidents: writeIncidents as never,
};
