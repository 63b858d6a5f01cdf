import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Role, Viewer } from '../auth/viewer';
import { ScopedReader } from '../access/scope';
import { dueLimitSeconds } from '../incidents/due-time';
import { defaultWorkflowOptions, WorkflowOptions } from '../incidents/incident-workflow.service';
import { departmentsFor, responsibilityFor } from '../incidents/responsibility-list';
import { appendIncidentEvents, IncidentEventDraft } from '../incidents/incident-log';
import { IncidentCategory, Severity } from '../incidents/incident.entity';
import { IncidentPartyRole } from '../incidents/incident-party.entity';
import {
  eventFor,
  HandlingLevel,
  IncidentAction,
  IncidentEventType,
  IncidentStatus,
  levelAbove,
} from '../incidents/incident-workflow';
import { IngestionService, IngestKind } from '../ingest/ingestion.service';
import { IngestResult } from '../ingest/ingest.types';
import { MAX_PLACE_PEOPLE, placeMatchKey } from '../ingest/places';
import { DEFAULT_PRIORITIES, Priorities } from '../ingest/priorities';
import { Sql, sqlOf } from '../ingest/sql';
import {
  Allowance,
  AllowanceType,
  CivilAffairsFacet,
  GovernanceFacet,
  HouseholdType,
  MedicalInsuranceType,
  PensionType,
  PersonTag,
  RiskLevel,
  SocialSecurityFacet,
} from '../people/person.entity';
import { PlaceAttributes, PlaceKind } from '../places/place.entity';
import { PersonPlaceRole } from '../places/person-place.entity';
import { RegionService } from '../regions/region.service';
import { RegionInput } from '../regions/region.types';
import { composeIdNumber } from '../shared/id-number';
import { RecordOutcome } from '../shared/outcome';
import { Random, WeightedTable } from '../shared/random';
import { SourceSystem } from '../sources/source-system';
import { DEFAULT_PERSON_PRIORITY, PersonCoreField } from '../sources/survivorship';
import { ThingCategory, ThingKind, ThingStatus } from '../things/thing.entity';
import { boxPolygon, CityPlan, GridPlan, planCity, round6 } from './city-plan';
import {
  CATEGORY_WEIGHTS,
  ESCALATION_REASONS,
  INCIDENT_TEMPLATES,
  IncidentTemplate,
  REJECTION_REASONS,
  SEVERITY_WEIGHTS,
  VERIFY_FAIL_REASONS,
} from './incident-templates';
import {
  AGE_BANDS,
  ASSOCIATION_TYPES,
  COMPANY_TYPES,
  COMPOUND_PREFIXES,
  COMPOUND_SUFFIXES,
  FEMALE_CHARS,
  GIVEN_NAMES,
  KEY_PLACE_TYPES,
  MALE_CHARS,
  MONGOLIAN_NAMES,
  MONGOLIAN_SURNAMES,
  NAME_VARIANTS,
  ORIGIN_COUNTY_CODES,
  OWNER_UNITS,
  PHONE_PREFIXES,
  SHOP_TYPES,
  STREETS,
  SURNAMES,
  TRADE_NAMES,
} from './vocabulary';

/**
 * The demo city (乌海市) generator: fills an empty database with regions and ~930 grids, then sends what the
 * department systems would send — people with overlapping records, places with the people linked to them, things
 * and incidents — through the one write path, {@link IngestionService}, which validates, matches, merges (with
 * lineage and data conflicts) and stores them. Only the incidents' workflow histories (state, handling, due times,
 * the events after CREATED) are written directly: no workflow service replays them yet.
 *
 * Deterministic: every value comes from a seeded random stream (one per entity, so an entity can be re-derived
 * anywhere) and every generated time from a fixed base date; records go out in a fixed order, so ids (from the
 * sequences, in ingestion order) repeat too. Only the times gridhub stamps on receipt (`received_at`, the entities'
 * `created_at` and `updated_at`) are those of the load.
 * Memory stays bounded: records are generated and sent chunk by chunk; only a few typed arrays per entity
 * (grid, kind, birth year, ID number parts, links, event times) are kept.
 */

/** The default random seed. */
export const DEFAULT_DEMO_SEED = 20261101;
/** "Now" of the demo city: every generated time lies before it. */
export const DEMO_BASE_DATE = '2026-11-01T00:00:00+08:00';

export interface DemoProgress {
  /** What is being generated, e.g. "people". */
  phase: string;
  /** Entities of this phase done so far, out of `total`. */
  done: number;
  total: number;
  /** Rows written so far: source records, the entities they created, and incident events (not links or conflicts). */
  rows: number;
}

export interface DemoCityOptions {
  /** Volume multiplier: 1 = 50,000 people, 10,000 places, 5,000 things, 5,000 incidents. Grids do not scale. */
  scale: number;
  /** Random seed (unsigned 32-bit integer); default {@link DEFAULT_DEMO_SEED}. */
  seed?: number;
  /** Called after every written chunk; throwing from it aborts the run, which then leaves nothing behind. */
  onProgress?: (progress: DemoProgress) => void;
  /**
   * Empty the demo tables first (default false: refuse a database that holds data). The emptying is part of the
   * run's transaction, so a failed or interrupted run leaves the previous contents in place.
   */
  reset?: boolean;
  /** Per-field source priority of survivorship (`GRIDHUB_SURVIVORSHIP_FILE`); default {@link DEFAULT_PRIORITIES}. */
  priorities?: Priorities;
  /**
   * The responsibility list the replayed dispatches follow (`GRIDHUB_RESPONSIBILITY_FILE`: its lead department at the
   * case's level) and the due-time policy of their deadlines (`GRIDHUB_DUE_HOURS`, `GRIDHUB_DUE_SEVERITY_FACTORS`),
   * as `dispatchIncident` and the overdue sweeper have them; default {@link defaultWorkflowOptions}.
   */
  workflow?: WorkflowOptions;
}

/** Rows written per table. */
export interface DemoCityCounts {
  region: number;
  person: number;
  place: number;
  person_place: number;
  thing: number;
  incident: number;
  incident_party: number;
  incident_event: number;
  source_record: number;
}

export interface DemoCitySummary {
  scale: number;
  seed: number;
  counts: DemoCityCounts;
  /** Grids among the regions. */
  grids: number;
  /** People whose source records disagree on at least one core field (future data conflicts). */
  peopleWithConflicts: number;
  /** All rows written. */
  rows: number;
  elapsedMs: number;
}

/** Tables the generator writes (the ingestion service among them), children first (truncate order). */
export const DEMO_TABLES = [
  'data_conflict',
  'case_counter',
  'source_record_version',
  'source_record',
  'incident_event',
  'incident_party',
  'incident',
  'person_place',
  'thing',
  'place',
  'person',
  'region_shape',
  'region',
] as const;

const BASE = Date.parse(DEMO_BASE_DATE);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Entities generated between two rounds of ingestion: at most this many records per source and kind in a round. */
const CHUNK = 5000;
/** Records per ingestion call. */
const MAX_BATCH = 5000;
const YIELD_EVERY = 250;
/** Who sends the demo city's records. */
const DEMO_VIEWER = new Viewer('demo-seed', new Set([Role.ADMIN]), null, null);

/**
 * Fills an empty database with the demo city, or with `reset` replaces what the demo tables hold.
 *
 * One transaction, the emptying included: regions go through {@link RegionService.upsert}, people, places, things
 * and incidents through {@link IngestionService.ingestInTransaction} (both as an ADMIN), and the incidents'
 * workflow histories are written after their records. On failure (or an interrupted run) the database is left as
 * it was.
 * @throws Error when the database already holds regions, people or other entity rows and `reset` is not set,
 * for bad options, or when the ingestion service does not accept every record (the generator and the service
 * disagree: the message names the first few records and why).
 */
export async function seedDemoCity(orm: MikroORM, options: DemoCityOptions): Promise<DemoCitySummary> {
  const started = performance.now();
  const { scale } = options;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 1000) {
    throw new Error(`seedDemoCity: scale must be a number above 0 and at most 1000, got ${scale}`);
  }
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`seedDemoCity: seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
  const city = new DemoCity(planCity(), seed, scale, options.onProgress ?? (() => undefined), options.workflow ?? defaultWorkflowOptions());
  const em = orm.em.fork();
  const service = new IngestionService(orm, DEMO_VIEWER, { maxBatch: MAX_BATCH, priorities: options.priorities ?? DEFAULT_PRIORITIES });
  const { counts, peopleWithConflicts } = await em.transactional(async (tx) => {
    if (options.reset) await truncateDemoTables(tx);
    else await assertEmpty(tx);
    await city.writeRegions(tx);
    await city.writeEntities(tx, service);
    const written = await countRows(sqlOf(tx));
    for (const [table, generated] of Object.entries(city.generated)) {
      const stored = written.counts[table as keyof DemoCityCounts];
      if (stored !== generated) {
        throw new Error(`demo city: ${generated} ${table} rows generated but ${stored} stored: the ingestion merged or split some`);
      }
    }
    return written;
  });
  await em.getConnection().execute(`analyze ${DEMO_TABLES.join(', ')}`, [], 'run');
  return {
    scale,
    seed,
    counts,
    grids: city.plan.grids.length,
    peopleWithConflicts,
    rows: Object.values(counts).reduce((sum, n) => sum + n, 0),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** What the load wrote: rows per table, and the people with a disagreement between their sources. */
async function countRows(sql: Sql): Promise<{ counts: DemoCityCounts; peopleWithConflicts: number }> {
  const count = async (query: string) => Number((await sql.rows<{ n: string }>(`select count(*) as n from ${query}`))[0].n);
  const counts = {} as DemoCityCounts;
  for (const table of COUNTED_TABLES) counts[table] = await count(table);
  const peopleWithConflicts = await count(
    `(select distinct entity_id from data_conflict where entity_kind = 'PERSON' and kind = 'VALUE_MISMATCH') people`,
  );
  return { counts, peopleWithConflicts };
}

const COUNTED_TABLES: ReadonlyArray<keyof DemoCityCounts> = [
  'region', 'person', 'place', 'person_place', 'thing', 'incident', 'incident_party', 'incident_event', 'source_record',
];

/** Row counts of the demo tables that hold rows (empty object: the database is empty). */
export async function nonEmptyDemoTables(em: EntityManager): Promise<Partial<Record<string, number>>> {
  const probes = DEMO_TABLES.map((table) => `(select count(*) from (select 1 from ${table} limit 1000001) t) as "${table}"`);
  const [row] = await em
    .getConnection()
    .execute<Array<Record<string, string>>>(`select ${probes.join(', ')}`, [], 'all', em.getTransactionContext());
  const found: Record<string, number> = {};
  for (const table of DEMO_TABLES) if (Number(row[table]) > 0) found[table] = Number(row[table]);
  return found;
}

/** Empties every demo table and restarts their id sequences, inside `em`'s transaction when it has one. */
async function truncateDemoTables(em: EntityManager): Promise<void> {
  await em
    .getConnection()
    .execute(`truncate table ${DEMO_TABLES.join(', ')} restart identity cascade`, [], 'run', em.getTransactionContext());
}

async function assertEmpty(em: EntityManager): Promise<void> {
  const found = await nonEmptyDemoTables(em);
  const tables = Object.keys(found).reverse(); // parents first
  if (tables.length > 0) {
    const listed = tables.map((table) => `${table}: ${found[table]! > 1_000_000 ? 'over 1000000' : found[table]} rows`);
    throw new Error(`the demo city needs an empty database, but it holds data (${listed.join(', ')})`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Static tables

const PLACE_KINDS = Object.values(PlaceKind);
const PLACE_KIND_WEIGHTS: ReadonlyArray<readonly [PlaceKind, number]> = [
  [PlaceKind.RESIDENTIAL_BUILDING, 28],
  [PlaceKind.HOUSE, 44],
  [PlaceKind.SHOP, 15],
  [PlaceKind.ORGANIZATION, 8],
  [PlaceKind.SCHOOL, 1],
  [PlaceKind.HOSPITAL, 0.8],
  [PlaceKind.KEY_PLACE, 3.2],
];

interface ThingKindInfo {
  kind: ThingKind;
  category: ThingCategory;
  /** Class and subclass digits of the component code (digital city management classes; 07 = governance objects). */
  classCode: string;
  subclassCode: string;
  label: string;
  weight: number;
  source: SourceSystem;
}
const THING_KINDS: readonly ThingKindInfo[] = [
  { kind: ThingKind.MANHOLE_COVER, category: ThingCategory.PUBLIC_UTILITIES, classCode: '01', subclassCode: '01', label: '井盖', weight: 22, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.STREET_LAMP, category: ThingCategory.PUBLIC_UTILITIES, classCode: '01', subclassCode: '24', label: '路灯', weight: 20, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.FIRE_HYDRANT, category: ThingCategory.PUBLIC_UTILITIES, classCode: '01', subclassCode: '14', label: '消防栓', weight: 6, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.TRAFFIC_SIGNAL, category: ThingCategory.ROADS_AND_TRAFFIC, classCode: '02', subclassCode: '05', label: '交通信号灯', weight: 3, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.BUS_SHELTER, category: ThingCategory.ROADS_AND_TRAFFIC, classCode: '02', subclassCode: '01', label: '公交站亭', weight: 3, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.BRIDGE, category: ThingCategory.ROADS_AND_TRAFFIC, classCode: '02', subclassCode: '14', label: '桥梁', weight: 0.3, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.TRASH_BIN, category: ThingCategory.CITY_APPEARANCE, classCode: '03', subclassCode: '07', label: '垃圾箱', weight: 14, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.PUBLIC_TOILET, category: ThingCategory.CITY_APPEARANCE, classCode: '03', subclassCode: '01', label: '公厕', weight: 2, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.BILLBOARD, category: ThingCategory.CITY_APPEARANCE, classCode: '03', subclassCode: '10', label: '广告牌匾', weight: 5, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.STREET_TREE, category: ThingCategory.GREENERY, classCode: '04', subclassCode: '01', label: '行道树', weight: 12, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.GREEN_BELT, category: ThingCategory.GREENERY, classCode: '04', subclassCode: '04', label: '绿地', weight: 4, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.VACANT_LOT, category: ThingCategory.HOUSING_AND_LAND, classCode: '05', subclassCode: '06', label: '待建地', weight: 1, source: SourceSystem.CITY_MANAGEMENT },
  { kind: ThingKind.CAMERA, category: ThingCategory.GOVERNANCE, classCode: '07', subclassCode: '01', label: '视频监控', weight: 7, source: SourceSystem.COMPREHENSIVE_GOVERNANCE },
  { kind: ThingKind.HAZMAT_STORE, category: ThingCategory.GOVERNANCE, classCode: '07', subclassCode: '02', label: '危化品存放点', weight: 0.7, source: SourceSystem.COMPREHENSIVE_GOVERNANCE },
];
const THING_KIND_INDEX = new Map(THING_KINDS.map((info, i) => [info.kind, i]));

const SPECIAL_TAGS = [
  PersonTag.COMMUNITY_CORRECTION,
  PersonTag.RELEASED_PRISONER,
  PersonTag.DRUG_REHABILITATION,
  PersonTag.SEVERE_MENTAL_DISORDER,
  PersonTag.KEY_YOUTH,
  PersonTag.KEY_PETITIONER,
];
/** Tags civil affairs keeps (its care groups). */
const CIVIL_AFFAIRS_TAGS = new Set([
  PersonTag.ELDERLY_LIVING_ALONE,
  PersonTag.LEFT_BEHIND_CHILD,
  PersonTag.DISABLED,
  PersonTag.LOW_INCOME,
  PersonTag.EXTREME_POVERTY,
]);
/** Tags governance keeps: the special groups, and the care groups its grid workers visit. */
const GOVERNANCE_TAGS = new Set([...SPECIAL_TAGS, PersonTag.ELDERLY_LIVING_ALONE, PersonTag.LEFT_BEHIND_CHILD]);
const TAG_ORDER = Object.values(PersonTag);

const FLOATING_SHARE = { URBAN: 0.15, TOWNSHIP: 0.15, VILLAGE: 0.06, SPECIAL: 0.45 } as const;
const HOUSEHOLD_SIZES: ReadonlyArray<readonly [number, number]> = [[1, 22], [2, 30], [3, 28], [4, 14], [5, 6]];
const WUHAI_COUNTIES = ['150302', '150303', '150304'];

const STATUS_WEIGHTS: ReadonlyArray<readonly [IncidentStatus, number]> = [
  [IncidentStatus.REPORTED, 7],
  [IncidentStatus.ACCEPTED, 6],
  [IncidentStatus.DISPATCHED, 10],
  [IncidentStatus.IN_PROGRESS, 10],
  [IncidentStatus.RESOLVED, 9],
  [IncidentStatus.CLOSED, 50],
  [IncidentStatus.REJECTED, 8],
];
const STATUSES = Object.values(IncidentStatus);
const CATEGORIES = Object.values(IncidentCategory);
const EVENT_TYPES = Object.values(IncidentEventType);
const LEVEL_NAMES: Record<HandlingLevel, string> = { GRID: '网格', COMMUNITY: '社区', TOWN: '街道（镇）', COUNTY: '区级指挥中心' };
/** Every source, in the order each round of ingestion sends them. */
const SOURCES = Object.values(SourceSystem);
const PLACE_ROLES = Object.values(PersonPlaceRole);

/** Per-grid extras that depend on the seed: streets, residential compounds, the grid worker. */
interface GridInfo {
  streets: string[];
  compounds: string[];
  worker: string;
}

interface PlaceDetails {
  kind: PlaceKind;
  name: string;
  address: string;
  lng: number;
  lat: number;
  attributes: PlaceAttributes;
}

interface ThingDetails {
  info: ThingKindInfo;
  componentCode: string;
  name: string;
  status: ThingStatus;
  ownerUnit: string;
  address: string;
  lng: number;
  lat: number;
}

interface Household {
  remaining: number;
  size: number;
  members: number;
  floating: boolean;
  origin: string;
  surname: string;
  mongolian: boolean;
  lowIncome: boolean;
  houseId: number;
  buildingId: number;
  address: string;
}

/** One record as a department system sends it: its key there, version, when it was observed, and its fields. */
interface SourceDraft {
  source: SourceSystem;
  key: string;
  version: number;
  observedAt: number;
  /** The record's fields, named as the ingestion input names them. */
  payload: Record<string, unknown>;
}

/** Ids of one kind of entity per grid, in a compact CSR layout. */
class GridLists {
  private readonly offsets: Int32Array;
  private readonly ids: Int32Array;

  constructor(gridCount: number, gridOf: Uint16Array, include: (id: number) => boolean) {
    const counts = new Int32Array(gridCount + 1);
    let total = 0;
    for (let id = 1; id < gridOf.length; id++) {
      if (include(id)) {
        counts[gridOf[id] + 1]++;
        total++;
      }
    }
    for (let g = 0; g < gridCount; g++) counts[g + 1] += counts[g];
    this.offsets = counts;
    this.ids = new Int32Array(total);
    const cursor = counts.slice(0, gridCount);
    for (let id = 1; id < gridOf.length; id++) if (include(id)) this.ids[cursor[gridOf[id]]++] = id;
  }

  of(grid: number): Int32Array {
    return this.ids.subarray(this.offsets[grid], this.offsets[grid + 1]);
  }
}

/** Repeated strings stored once (actors and notes of the event log). */
class Interner {
  private readonly index = new Map<string, number>();
  readonly values: string[] = [];

  id(value: string | null): number {
    if (value === null) return -1;
    let id = this.index.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.index.set(value, id);
    }
    return id;
  }

  get(id: number): string | null {
    return id < 0 ? null : this.values[id];
  }
}

/** The incident event log, kept compactly until it is sorted by time and written. */
class EventLog {
  length = 0;
  at = new Float64Array(1024);
  incident = new Int32Array(1024);
  type = new Uint8Array(1024);
  from = new Int8Array(1024);
  to = new Uint8Array(1024);
  actor = new Int32Array(1024);
  note = new Int32Array(1024);

  push(at: number, incident: number, type: number, from: number, to: number, actor: number, note: number): void {
    if (this.length === this.at.length) this.grow();
    const i = this.length++;
    this.at[i] = at;
    this.incident[i] = incident;
    this.type[i] = type;
    this.from[i] = from;
    this.to[i] = to;
    this.actor[i] = actor;
    this.note[i] = note;
  }

  private grow(): void {
    const size = this.at.length * 2;
    const grow = <A extends Float64Array | Int32Array | Uint8Array | Int8Array>(array: A, make: (n: number) => A): A => {
      const next = make(size);
      next.set(array as never);
      return next;
    };
    this.at = grow(this.at, (n) => new Float64Array(n));
    this.incident = grow(this.incident, (n) => new Int32Array(n));
    this.type = grow(this.type, (n) => new Uint8Array(n));
    this.from = grow(this.from, (n) => new Int8Array(n));
    this.to = grow(this.to, (n) => new Uint8Array(n));
    this.actor = grow(this.actor, (n) => new Int32Array(n));
    this.note = grow(this.note, (n) => new Int32Array(n));
  }
}

/** Incidents' event log after CREATED (which the ingestion writes), with its interned actors and notes. */
interface IncidentLog {
  events: EventLog;
  strings: Interner;
}

/**
 * Person–place links found while generating people, kept compactly until the places are sent: the place record
 * that carries them names each person by ID number.
 */
class LinkLog {
  length = 0;
  person = new Int32Array(1024);
  place = new Int32Array(1024);
  role = new Uint8Array(1024);
  /** Days since the epoch. */
  since = new Int32Array(1024);

  push(person: number, place: number, role: PersonPlaceRole, since: string): void {
    if (this.length === this.person.length) {
      const grow = <A extends Int32Array | Uint8Array>(array: A, make: (n: number) => A): A => {
        const next = make(array.length * 2);
        next.set(array as never);
        return next;
      };
      this.person = grow(this.person, (n) => new Int32Array(n));
      this.place = grow(this.place, (n) => new Int32Array(n));
      this.role = grow(this.role, (n) => new Uint8Array(n));
      this.since = grow(this.since, (n) => new Int32Array(n));
    }
    const i = this.length++;
    this.person[i] = person;
    this.place[i] = place;
    this.role[i] = PLACE_ROLES.indexOf(role);
    this.since[i] = dayOf(since);
  }

  /** The links of each place, in the order they were found: indices `order[offsets[p]]` … `order[offsets[p + 1] - 1]`. */
  byPlace(placeCount: number): { offsets: Int32Array; order: Int32Array } {
    const offsets = new Int32Array(placeCount + 2);
    for (let i = 0; i < this.length; i++) offsets[this.place[i] + 1]++;
    for (let p = 0; p <= placeCount; p++) offsets[p + 1] += offsets[p];
    const cursor = offsets.slice(0, placeCount + 1);
    const order = new Int32Array(this.length);
    for (let i = 0; i < this.length; i++) order[cursor[this.place[i]]++] = i;
    return { offsets, order };
  }
}

/** Records waiting for the next round of ingestion, per source, each with the generator id of what it describes. */
class Outbox {
  private readonly bySource = new Map<SourceSystem, { ids: number[]; records: Array<Record<string, unknown>> }>();

  add(source: SourceSystem, id: number, draft: SourceDraft, extra: Record<string, unknown> = {}): void {
    let batch = this.bySource.get(source);
    if (!batch) this.bySource.set(source, (batch = { ids: [], records: [] }));
    batch.ids.push(id);
    // The record as the ingestion input has it: its key, version and observation time, then its fields.
    batch.records.push({ sourceKey: draft.key, version: draft.version, observedAt: iso(draft.observedAt), ...draft.payload, ...extra });
  }

  /** Everything waiting, sources in a fixed order; empties the box. */
  take(): Array<{ source: SourceSystem; ids: number[]; records: Array<Record<string, unknown>> }> {
    const batches = SOURCES.filter((source) => this.bySource.has(source)).map((source) => ({ source, ...this.bySource.get(source)! }));
    this.bySource.clear();
    return batches;
  }
}

/** An incident's replayed workflow. Offsets are seconds after creation; `endOffset` is the base date. */
interface Workflow {
  events: EventDraft[];
  level: HandlingLevel;
  department: string | null;
  assignee: string | null;
  dueOffset: number | null;
  overdue: boolean;
  feedback: string | null;
  satisfaction: number | null;
  closedOffset: number | null;
  endOffset: number;
}

interface EventDraft {
  type: IncidentEventType;
  from: IncidentStatus | null;
  to: IncidentStatus;
  actor: string;
  note: string | null;
  /** Seconds after the incident was created. */
  offset: number;
}

// ---------------------------------------------------------------------------------------------------------------

class DemoCity {
  private readonly grids: GridPlan[];
  private readonly info: GridInfo[];
  /** Entities generated, by table: each must be stored as one entity of its own. */
  readonly generated: Partial<DemoCityCounts>;
  private readonly people: number;
  private readonly placeCount: number;
  private readonly thingCount: number;
  private readonly incidentCount: number;

  /** People of grid g have ids personStart[g] + 1 … personStart[g + 1]. */
  private readonly personStart: Int32Array;
  private readonly birthYear: Uint16Array;

  private readonly placeKind: Uint8Array;
  private readonly placeGrid: Uint16Array;
  private readonly gridPlaces: GridLists;
  private readonly gridHouses: GridLists;
  private readonly gridBuildings: GridLists;
  private readonly employersByCounty = new Map<string, Int32Array>();

  private readonly thingKind: Uint8Array;
  private readonly thingGrid: Uint16Array;
  private readonly thingSerial: Int32Array;
  private readonly gridThings: GridLists;

  private em!: EntityManager;
  private sql!: Sql;
  private service!: IngestionService;
  private regionRows = 0;
  private rowsWritten = 0;
  /** When to refresh the planner's statistics next (rows written). */
  private analyzeAt = 0;
  private readonly keyCounters = new Map<string, number>();
  private readonly idSequences: Uint16Array;
  private readonly addressCodeIndex = new Map<string, number>();
  private readonly addressCodes: string[] = [];

  /** Each person's ID number, in parts: address code (index), birth day (since ID_FIRST_DAY), sequence number. */
  private readonly idAddress: Uint8Array;
  private readonly idDay: Uint16Array;
  private readonly idSerial: Uint16Array;
  private readonly links = new LinkLog();

  /** Which attempt at a description each place keeps (so that no two places share an identity; see dedupePlaces). */
  private readonly placeAttempt: Uint8Array;
  /** Sources that sent each place (a bit per index in SOURCES), and each one's key number for it. */
  private readonly placeSourceMask: Uint8Array;
  private readonly placeKeyNumber: Int32Array[];
  /** The gridhub id of each place, once ingested. */
  private readonly placeEntity: Float64Array;
  private readonly thingKeyNumber: Int32Array;
  private readonly incidentEntity: Float64Array;

  constructor(
    readonly plan: CityPlan,
    private readonly seed: number,
    scale: number,
    private readonly onProgress: (progress: DemoProgress) => void,
    private readonly workflowOptions: WorkflowOptions,
  ) {
    this.grids = plan.grids;
    this.people = Math.round(50_000 * scale);
    this.placeCount = Math.round(10_000 * scale);
    this.thingCount = Math.round(5_000 * scale);
    this.incidentCount = Math.round(5_000 * scale);
    this.generated = { person: this.people, place: this.placeCount, thing: this.thingCount, incident: this.incidentCount };
    this.info = this.grids.map((grid) => this.gridInfo(grid));

    // People: contiguous id ranges per grid, sized by density.
    const perGrid = allocate(this.people, this.grids.map((g) => g.weight));
    this.personStart = new Int32Array(this.grids.length + 1);
    perGrid.forEach((n, g) => (this.personStart[g + 1] = this.personStart[g] + n));
    this.birthYear = new Uint16Array(this.people + 1);
    this.idAddress = new Uint8Array(this.people + 1);
    this.idDay = new Uint16Array(this.people + 1);
    this.idSerial = new Uint16Array(this.people + 1);

    // Places: kind and grid of each id.
    const random = Random.of(seed, 'place-plan');
    const kinds = new WeightedTable(PLACE_KIND_WEIGHTS.map(([kind, w]) => [PLACE_KINDS.indexOf(kind), w] as const));
    const commercial = { URBAN: 1.2, TOWNSHIP: 0.8, VILLAGE: 0.4, SPECIAL: 3 } as const;
    const residentialGrids = new WeightedTable(this.grids.map((g) => [g.index, g.weight] as const));
    const commercialGrids = new WeightedTable(this.grids.map((g) => [g.index, g.weight * commercial[g.community.kind]] as const));
    const publicGrids = new WeightedTable(this.grids.map((g) => [g.index, Math.sqrt(g.weight)] as const));
    this.placeKind = new Uint8Array(this.placeCount + 1);
    this.placeGrid = new Uint16Array(this.placeCount + 1);
    for (let id = 1; id <= this.placeCount; id++) {
      const kind = kinds.pick(random);
      this.placeKind[id] = kind;
      const table =
        PLACE_KINDS[kind] === PlaceKind.RESIDENTIAL_BUILDING || PLACE_KINDS[kind] === PlaceKind.HOUSE
          ? residentialGrids
          : PLACE_KINDS[kind] === PlaceKind.SCHOOL || PLACE_KINDS[kind] === PlaceKind.HOSPITAL
            ? publicGrids
            : commercialGrids;
      this.placeGrid[id] = table.pick(random);
    }
    const kindIs = (kind: PlaceKind) => {
      const index = PLACE_KINDS.indexOf(kind);
      return (id: number) => this.placeKind[id] === index;
    };
    this.gridPlaces = new GridLists(this.grids.length, this.placeGrid, () => true);
    this.gridHouses = new GridLists(this.grids.length, this.placeGrid, kindIs(PlaceKind.HOUSE));
    this.gridBuildings = new GridLists(this.grids.length, this.placeGrid, kindIs(PlaceKind.RESIDENTIAL_BUILDING));
    const isShop = kindIs(PlaceKind.SHOP);
    const isOrganization = kindIs(PlaceKind.ORGANIZATION);
    for (const county of plan.counties) {
      const ids: number[] = [];
      for (let id = 1; id <= this.placeCount; id++) {
        if ((isShop(id) || isOrganization(id)) && this.grids[this.placeGrid[id]].code.startsWith(county.code)) ids.push(id);
      }
      this.employersByCounty.set(county.code, Int32Array.from(ids));
    }

    // Things: kind, grid and component serial of each id.
    const thingRandom = Random.of(seed, 'thing-plan');
    const thingKinds = new WeightedTable(THING_KINDS.map((info, i) => [i, info.weight] as const));
    const thingGrids = new WeightedTable(this.grids.map((g) => [g.index, Math.sqrt(g.weight)] as const));
    this.thingKind = new Uint8Array(this.thingCount + 1);
    this.thingGrid = new Uint16Array(this.thingCount + 1);
    this.thingSerial = new Int32Array(this.thingCount + 1);
    const serials = new Map<string, number>();
    for (let id = 1; id <= this.thingCount; id++) {
      const kind = thingKinds.pick(thingRandom);
      const grid = thingGrids.pick(thingRandom);
      this.thingKind[id] = kind;
      this.thingGrid[id] = grid;
      const key = this.grids[grid].code.slice(0, 6) + THING_KINDS[kind].classCode + THING_KINDS[kind].subclassCode;
      const serial = (serials.get(key) ?? 0) + 1;
      if (serial > 999_999) throw new Error(`component serials exhausted for ${key}`);
      serials.set(key, serial);
      this.thingSerial[id] = serial;
    }
    this.gridThings = new GridLists(this.grids.length, this.thingGrid, () => true);

    // ID number sequences: per address code (at most 64), birth day and gender.
    this.idSequences = new Uint16Array(64 * ID_DAYS * 2);

    this.placeAttempt = new Uint8Array(this.placeCount + 1);
    this.dedupePlaces();
    this.placeSourceMask = new Uint8Array(this.placeCount + 1);
    this.placeKeyNumber = SOURCES.map(() => new Int32Array(this.placeCount + 1));
    this.placeEntity = new Float64Array(this.placeCount + 1);
    this.thingKeyNumber = new Int32Array(this.thingCount + 1);
    this.incidentEntity = new Float64Array(this.incidentCount + 1);
  }

  /**
   * Gives every place an identity of its own. The ingestion service takes places of one grid with the same
   * normalised standard address (and, for organisations, shops and key places, the same name) for one place, so
   * a place whose description would repeat an earlier one's is described again from another random stream.
   * Buildings first: a flat's address is its building's.
   */
  private dedupePlaces(): void {
    const seen = new Set<string>();
    const building = PLACE_KINDS.indexOf(PlaceKind.RESIDENTIAL_BUILDING);
    const visit = (id: number) => {
      const gridCode = this.grids[this.placeGrid[id]].code;
      for (let attempt = 0; ; attempt++) {
        if (attempt > 200) throw new Error(`demo city: no free address left for place ${id} in grid ${gridCode}`);
        this.placeAttempt[id] = attempt;
        const place = this.describePlace(id);
        const key = placeMatchKey(
          { placeId: null, kind: place.kind, name: place.name, address: place.address, creditCode: place.attributes.creditCode ?? null, people: null },
          gridCode,
        );
        if (key === null || !seen.has(key)) {
          if (key !== null) seen.add(key);
          return;
        }
      }
    };
    for (let id = 1; id <= this.placeCount; id++) if (this.placeKind[id] === building) visit(id);
    for (let id = 1; id <= this.placeCount; id++) if (this.placeKind[id] !== building) visit(id);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Regions

  /** Registers every division and grid through the region registry, as an ADMIN. */
  async writeRegions(em: EntityManager): Promise<void> {
    const inputs: RegionInput[] = [
      ...this.plan.divisions.map((d) => ({ code: d.code, name: d.name, level: d.level, parentCode: d.parentCode })),
      ...this.grids.map((g) => ({ code: g.code, name: g.name, boundary: boxPolygon(g.box) })),
    ];
    const admin = new Viewer('demo-seed', new Set([Role.ADMIN]), null, null);
    const service = new RegionService(new ScopedReader(em, admin));
    this.progress('regions', 0, inputs.length);
    for (let start = 0; start < inputs.length; start += 5000) {
      const batch = inputs.slice(start, start + 5000);
      const report = await service.upsert(batch);
      if (report.rejected > 0) {
        const errors = report.results
          .filter((result) => result.errors.length > 0)
          .slice(0, 5)
          .map((result) => `${result.code}: ${result.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
        throw new Error(`the region registry rejected ${report.rejected} demo regions: ${errors.join(' | ')}`);
      }
      this.regionRows += report.created + report.updated + report.unchanged;
      this.progress('regions', start + batch.length, inputs.length);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Everything else, in one transaction

  async writeEntities(em: EntityManager, service: IngestionService): Promise<void> {
    this.em = em;
    this.sql = sqlOf(em);
    this.service = service;
    const at = iso(BASE - 30 * DAY);
    await this.sql.rows(`update region set created_at = ?, updated_at = ?`, [at, at]);
    // People first: the places' records link them by ID number, the incidents' records name them as parties.
    await this.writePeople();
    await this.writePlaces();
    await this.writeThings();
    await this.writeEvents(await this.writeIncidents());
  }

  private progress(phase: string, done: number, total: number): void {
    this.onProgress({ phase, done, total, rows: this.regionRows + this.rowsWritten });
  }

  private nextKey(counter: string): number {
    const next = (this.keyCounters.get(counter) ?? 0) + 1;
    this.keyCounters.set(counter, next);
    return next;
  }

  /**
   * Sends what waits in `outbox` through the ingestion service, a source at a time, and returns each record's
   * entity id with the generator id it was made for.
   * @throws Error when a record is not accepted as new, or comes back with a warning: the generator and the service
   * disagree.
   */
  private async send(kind: IngestKind, outbox: Outbox): Promise<Array<{ source: SourceSystem; id: number; entityId: string }>> {
    const sent: Array<{ source: SourceSystem; id: number; entityId: string }> = [];
    for (const { source, ids, records } of outbox.take()) {
      for (let start = 0; start < records.length; start += MAX_BATCH) {
        const batch = records.slice(start, start + MAX_BATCH);
        const report = await this.service.ingestInTransaction(this.em, kind, source, batch);
        // Each record must be stored as new and without a warning (accepted records carry warnings as errors).
        const refused = report.results.filter((result) => result.outcome !== RecordOutcome.CREATED || result.errors.length > 0);
        if (refused.length > 0) {
          throw new Error(
            `the ingestion service did not accept ${refused.length} of ${batch.length} demo ${kind} records from ${source} ` +
              `as new and clean: ${refused.slice(0, 5).map(describeResult).join(' | ')}`,
          );
        }
        report.results.forEach((result, i) => sent.push({ source, id: ids[start + i], entityId: result.entityId! }));
        this.rowsWritten += batch.length + report.created;
        await this.analyzeAsTablesGrow();
      }
    }
    return sent;
  }

  /**
   * Refreshes the planner's statistics after a phase's first batch and whenever the rows written have doubled since.
   * The tables fill inside this one transaction, where autovacuum cannot see them: without statistics the planner
   * takes the service's lookups of a batch's thousands of keys for most of a table and scans it whole, so every
   * batch would cost more than the last. ANALYZE in the transaction samples its own new rows. Only the columns
   * and tables that are looked up by keys are analysed (not the payloads).
   */
  private async analyzeAsTablesGrow(): Promise<void> {
    if (this.rowsWritten < this.analyzeAt) return;
    // A small sample is plenty to tell a lookup of a few thousand keys from a scan; the full ANALYZE runs at the end.
    const [{ target }] = await this.sql.rows<{ target: string }>(`select current_setting('default_statistics_target') as target`);
    await this.sql.rows(`select set_config('default_statistics_target', '10', true)`);
    await this.sql.rows(
      `analyze person, place, thing, incident, person_place, incident_party, incident_event, data_conflict,
               source_record (entity_kind, entity_id, source, source_key)`,
    );
    await this.sql.rows(`select set_config('default_statistics_target', ?, true)`, [target]);
    this.analyzeAt = this.rowsWritten * 2;
  }

  /** A new phase: its tables get statistics after its first batch. */
  private startPhase(phase: string, total: number): void {
    this.analyzeAt = 0;
    this.progress(phase, 0, total);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Places

  /**
   * Sends every place's records: one per system that knows it. One of them (governance's, or for an employer the
   * social security system's) lists the people linked to the place — residents, owners, tenants, employees and the
   * legal representative — by ID number.
   */
  private async writePlaces(): Promise<void> {
    const outbox = new Outbox();
    this.startPhase('places', this.placeCount);
    const links = this.links.byPlace(this.placeCount);
    const flush = async (done: number) => {
      for (const { source, id, entityId } of await this.send(IngestKind.PLACES, outbox)) {
        const known = this.placeEntity[id];
        if (known !== 0 && known !== Number(entityId)) {
          throw new Error(`demo city: the records of place ${id} were merged into two places (${known} and ${entityId}, the latter from ${source})`);
        }
        this.placeEntity[id] = Number(entityId);
      }
      this.progress('places', done, this.placeCount);
    };
    for (let id = 1; id <= this.placeCount; id++) {
      const place = this.describePlace(id);
      const grid = this.grids[this.placeGrid[id]];
      const random = Random.of(this.seed, 'place-sources', id);
      const systems = placeSources(place.kind, random);
      const carrier = linkSource(place.kind, systems);
      for (const source of systems) {
        const observedAt = BASE - random.int(2, 900) * DAY - random.int(0, DAY / SECOND - 1) * SECOND;
        let payload: Record<string, unknown>;
        if (source === SourceSystem.SOCIAL_SECURITY) {
          // The employer register: no coordinates, and of the attributes only the credit code.
          const creditCode = place.attributes.creditCode;
          payload = { kind: place.kind, name: place.name, address: place.address, gridCode: grid.code, ...(creditCode ? { attributes: { creditCode } } : {}) };
        } else {
          payload = {
            kind: place.kind,
            name: place.name,
            address: place.address,
            gridCode: grid.code,
            lng: place.lng,
            lat: place.lat,
            // City management knows a shop front by its business licence only.
            attributes: source === SourceSystem.CITY_MANAGEMENT ? { creditCode: place.attributes.creditCode } : place.attributes,
          };
        }
        const n = this.nextKey(`place:${source}`);
        const s = SOURCES.indexOf(source);
        this.placeSourceMask[id] |= 1 << s;
        this.placeKeyNumber[s][id] = n;
        const draft: SourceDraft = {
          source,
          key: placeSourceKey(source, place.kind, grid.code, n),
          version: random.weighted(VERSION_WEIGHTS),
          observedAt,
          payload,
        };
        const people = source === carrier ? this.placePeople(id, place.kind, links) : [];
        outbox.add(source, id, draft, people.length > 0 ? { people } : {});
      }
      if (id % CHUNK === 0) await flush(id);
      else if (id % YIELD_EVERY === 0) await tick();
    }
    await flush(this.placeCount);
  }

  /** The people linked to a place, as its record lists them: those found while generating people, and for an employer its legal representative. */
  private placePeople(id: number, kind: PlaceKind, { offsets, order }: { offsets: Int32Array; order: Int32Array }): Array<Record<string, unknown>> {
    const people: Array<Record<string, unknown>> = [];
    for (let k = offsets[id]; k < offsets[id + 1]; k++) {
      const i = order[k];
      people.push({ idNumber: this.idNumberOf(this.links.person[i]), role: PLACE_ROLES[this.links.role[i]], since: dateOfDay(this.links.since[i]) });
    }
    if (kind === PlaceKind.SHOP || kind === PlaceKind.ORGANIZATION) {
      const representative = this.legalRepresentative(id);
      if (representative) people.push({ idNumber: this.idNumberOf(representative.person), role: PersonPlaceRole.LEGAL_REPRESENTATIVE, since: representative.since });
    }
    if (people.length > MAX_PLACE_PEOPLE) throw new Error(`demo city: place ${id} has ${people.length} people, more than a record may list`);
    return people;
  }

  /** Each organisation and shop gets a legal representative: an adult of its grid (none when the grid has no people). */
  private legalRepresentative(id: number): { person: number; since: string } | null {
    const g = this.placeGrid[id];
    const first = this.personStart[g] + 1;
    const count = this.personStart[g + 1] - this.personStart[g];
    if (count === 0) return null;
    const random = Random.of(this.seed, 'legal-representative', id);
    let person = first + Math.floor(random.next() * count);
    for (let tries = 0; tries < 12; tries++) {
      const age = 2026 - this.birthYear[person];
      if (age >= 25 && age <= 70) break;
      person = first + Math.floor(random.next() * count);
    }
    return { person, since: iso(BASE - random.int(60, 15 * 365) * DAY).slice(0, 10) };
  }

  /** Everything about a place, derived from its id alone. */
  private describePlace(id: number): PlaceDetails {
    const attempt = this.placeAttempt[id];
    const random = attempt === 0 ? Random.of(this.seed, 'place', id) : Random.of(this.seed, 'place', id, attempt);
    const kind = PLACE_KINDS[this.placeKind[id]];
    const g = this.placeGrid[id];
    const grid = this.grids[g];
    const info = this.info[g];
    const community = grid.community;
    const town = community.town;
    const county = town.county;
    const base = `${county.name}${town.name}`;
    const street = random.pick(info.streets);
    const streetAddress = `${base}${street}${random.int(1, 288)}号`;
    const village = community.kind === 'VILLAGE';
    const [lng, lat] = pointIn(grid.box, random);
    const attributes: PlaceAttributes = {};
    let name: string;
    let address: string;
    switch (kind) {
      case PlaceKind.RESIDENTIAL_BUILDING: {
        if (village) {
          const group = random.int(1, 8);
          name = `${community.shortName}${group}组${random.int(1, 20)}号楼`;
          address = `${base}${name}`;
          attributes.floors = random.int(1, 3);
          attributes.unitCount = 1;
        } else {
          name = `${random.pick(info.compounds)}${random.int(1, 36)}号楼`;
          address = `${streetAddress}${name}`;
          attributes.floors = random.weighted(FLOOR_WEIGHTS);
          attributes.unitCount = random.int(1, attributes.floors > 11 ? 3 : 6);
        }
        attributes.householdCount = attributes.floors * attributes.unitCount * (attributes.floors > 11 ? 4 : 2);
        break;
      }
      case PlaceKind.HOUSE: {
        const buildings = this.gridBuildings.of(g);
        if (!village && buildings.length > 0) {
          const building = this.describePlace(buildings[Math.floor(random.next() * buildings.length)]);
          const flat = flatIn(building.attributes, random);
          name = `${building.name}${flat}室`;
          address = `${building.address}${flat}室`;
          return { kind, name, address, lng: building.lng, lat: building.lat, attributes: { floorArea: round2(random.float(45, 160)) } };
        }
        if (village) {
          name = `${community.shortName}${random.int(1, 8)}组${random.int(1, 99)}号`;
          address = `${base}${name}`;
        } else {
          name = `${random.pick(info.compounds)}${random.int(1, 36)}号楼${flatIn({ floors: 6, unitCount: 3 }, random)}室`;
          address = `${streetAddress}${name}`;
        }
        attributes.floorArea = round2(random.float(village ? 60 : 45, village ? 220 : 160));
        break;
      }
      case PlaceKind.SHOP: {
        const [suffix, industry] = random.weighted(SHOP_TYPES.map(([s, i, w]) => [[s, i] as const, w] as const));
        const style = random.next();
        const surname = random.weighted(SURNAMES);
        name =
          style < 0.5 ? `${random.pick(TRADE_NAMES)}${suffix}` : style < 0.8 ? `老${surname}${suffix}` : `${surname}记${suffix}`;
        address = streetAddress;
        attributes.creditCode = creditCode('9', '2', county.code, id);
        attributes.industry = industry;
        break;
      }
      case PlaceKind.ORGANIZATION: {
        const trade = random.pick(TRADE_NAMES);
        if (random.chance(0.78)) {
          const [suffix, industry] = random.weighted(COMPANY_TYPES.map(([s, i, w]) => [[s, i] as const, w] as const));
          name = `乌海市${trade}${suffix}`;
          attributes.creditCode = creditCode('9', '1', county.code, id);
          attributes.industry = industry;
        } else {
          const [pattern, industry] = random.pick(ASSOCIATION_TYPES);
          name = pattern.replace('{T}', trade).replace('{C}', county.name);
          attributes.creditCode = creditCode('5', '1', county.code, id);
          attributes.industry = industry;
        }
        address = streetAddress;
        break;
      }
      case PlaceKind.SCHOOL: {
        const type = random.next();
        if (type < 0.45) {
          name = `${village ? community.shortName : random.pick(info.compounds)}幼儿园`;
          attributes.studentCount = random.int(60, 360);
        } else if (type < 0.8) {
          name = village ? `${community.shortName}小学` : `${county.name}第${random.int(1, 24)}小学`;
          attributes.studentCount = random.int(village ? 80 : 400, village ? 400 : 2200);
        } else {
          name = `乌海市第${random.int(1, 16)}中学`;
          attributes.studentCount = random.int(700, 3000);
        }
        address = streetAddress;
        break;
      }
      case PlaceKind.HOSPITAL: {
        const type = random.next();
        if (type < 0.45) {
          name = `${random.weighted(SURNAMES)}氏诊所`;
          attributes.bedCount = random.int(0, 6);
        } else if (type < 0.85) {
          name = village ? `${community.shortName}卫生室` : `${town.shortName}社区卫生服务中心`;
          attributes.bedCount = random.int(village ? 0 : 8, village ? 4 : 40);
        } else {
          name = `${county.name}${random.pick(TRADE_NAMES)}医院`;
          attributes.bedCount = random.int(60, 600);
        }
        address = streetAddress;
        break;
      }
      case PlaceKind.KEY_PLACE: {
        const [category, pattern] = random.weighted(KEY_PLACE_TYPES.map(([c, p, w]) => [[c, p] as const, w] as const));
        name = pattern.replace('{T}', random.pick(TRADE_NAMES)).replace('{S}', street);
        attributes.keyPlaceCategory = category;
        address = streetAddress;
        break;
      }
    }
    return { kind, name, address, lng, lat, attributes };
  }

  // -------------------------------------------------------------------------------------------------------------
  // People

  /** Sends every person's records, a round of CHUNK people at a time; keeps their links to places for the places' records. */
  private async writePeople(): Promise<void> {
    const outbox = new Outbox();
    this.startPhase('people', this.people);
    const household: Household = {
      remaining: 0, size: 0, members: 0, floating: false, origin: '', surname: '', mongolian: false,
      lowIncome: false, houseId: 0, buildingId: 0, address: '',
    };
    for (let g = 0; g < this.grids.length; g++) {
      household.remaining = 0;
      let houseCursor = 0;
      for (let id = this.personStart[g] + 1; id <= this.personStart[g + 1]; id++) {
        const random = Random.of(this.seed, 'person', id);
        if (household.remaining === 0) houseCursor = this.startHousehold(household, g, houseCursor, random);
        this.generatePerson(id, g, household, random, outbox);
        if (id % CHUNK === 0) {
          await this.send(IngestKind.PEOPLE, outbox);
          this.progress('people', id, this.people);
        } else if (id % YIELD_EVERY === 0) await tick();
      }
    }
    await this.send(IngestKind.PEOPLE, outbox);
    this.progress('people', this.people, this.people);
  }

  private startHousehold(h: Household, g: number, houseCursor: number, random: Random): number {
    const grid = this.grids[g];
    h.size = random.weighted(HOUSEHOLD_SIZES);
    h.remaining = h.size;
    h.members = 0;
    h.floating = random.chance(FLOATING_SHARE[grid.community.kind]);
    h.origin = h.floating ? random.weighted(ORIGIN_COUNTY_CODES) : '';
    h.mongolian = random.chance(0.08);
    h.surname = h.mongolian ? random.pick(MONGOLIAN_SURNAMES) : random.weighted(SURNAMES);
    h.lowIncome = random.chance(h.floating ? 0.008 : 0.028);
    h.houseId = 0;
    h.buildingId = 0;
    const houses = this.gridHouses.of(g);
    const buildings = this.gridBuildings.of(g);
    if (houseCursor < houses.length && random.chance(0.7)) {
      h.houseId = houses[houseCursor++];
      h.address = this.describePlace(h.houseId).address;
    } else if (buildings.length > 0 && random.chance(0.55)) {
      h.buildingId = buildings[Math.floor(random.next() * buildings.length)];
      const building = this.describePlace(h.buildingId);
      h.address = `${building.address}${flatIn(building.attributes, random)}`;
    } else {
      h.address = this.freeAddress(g, random);
    }
    return houseCursor;
  }

  /** An address in grid g that is not a registered place. */
  private freeAddress(g: number, random: Random): string {
    const grid = this.grids[g];
    const info = this.info[g];
    const community = grid.community;
    const base = `${community.town.county.name}${community.town.name}`;
    if (community.kind === 'VILLAGE') return `${base}${community.shortName}${random.int(1, 8)}组${random.int(1, 99)}号`;
    const street = `${base}${random.pick(info.streets)}${random.int(1, 288)}号`;
    if (community.kind === 'SPECIAL') return street;
    return `${street}${random.pick(info.compounds)}${random.int(1, 36)}号楼${flatIn({ floors: 6, unitCount: 3 }, random)}`;
  }

  private generatePerson(id: number, g: number, h: Household, random: Random, outbox: Outbox): void {
    const grid = this.grids[g];
    const head = h.members === 0;
    h.members++;
    h.remaining--;

    // Identity: birth date, gender, ID number.
    let ageBand = random.weighted(AGE_BAND_WEIGHTS);
    for (let tries = 0; head && ageBand[1] < 22 && tries < 10; tries++) ageBand = random.weighted(AGE_BAND_WEIGHTS);
    const ageYears = random.int(ageBand[0], ageBand[1]);
    let birthDay = BASE_DAY - Math.floor((ageYears + random.next()) * 365.2425);
    // Birth dates stay within 1930–2024; the oldest fall back into 1930 rather than piling up on its first day.
    if (birthDay < ID_FIRST_DAY) birthDay = ID_FIRST_DAY + random.int(0, 300);
    birthDay = clamp(birthDay, ID_FIRST_DAY, ID_FIRST_DAY + ID_DAYS - 1);
    const birthDate = new Date(birthDay * DAY).toISOString().slice(0, 10);
    const age = ageAt(birthDate);
    const male = !random.chance(age >= 75 ? 0.57 : 0.5);
    const addressCode = h.floating
      ? h.origin
      : random.chance(0.88)
        ? grid.code.slice(0, 6)
        : random.pick(WUHAI_COUNTIES);
    const sequence = this.idSequence(addressCode, birthDay, male);
    const idNumber = composeIdNumber(addressCode, birthDate, sequence);
    this.birthYear[id] = Number(birthDate.slice(0, 4));
    this.idAddress[id] = this.addressCodeIndex.get(addressCode)!;
    this.idDay[id] = birthDay - ID_FIRST_DAY;
    this.idSerial[id] = sequence;

    const name = h.mongolian
      ? mongolianName(random, male, h.surname)
      : `${head || random.chance(0.6) ? h.surname : random.weighted(SURNAMES)}${givenName(random, male, Number(birthDate.slice(0, 4)))}`;
    const phone = age >= 14 && random.chance(age >= 80 ? 0.6 : 0.96) ? mobile(random) : null;
    const householdType = h.floating ? HouseholdType.FLOATING : HouseholdType.REGISTERED;

    // Tags.
    const tags = new Set<PersonTag>();
    if (age >= 18 && age <= 70 && random.chance(0.004)) tags.add(PersonTag.COMMUNITY_CORRECTION);
    if (age >= 20 && age <= 75 && random.chance(male ? 0.008 : 0.002)) tags.add(PersonTag.RELEASED_PRISONER);
    if (age >= 18 && age <= 60 && random.chance(0.003)) tags.add(PersonTag.DRUG_REHABILITATION);
    if (age >= 14 && random.chance(0.005)) tags.add(PersonTag.SEVERE_MENTAL_DISORDER);
    if (age >= 12 && age <= 25 && random.chance(0.02)) tags.add(PersonTag.KEY_YOUTH);
    if (age >= 30 && random.chance(0.002)) tags.add(PersonTag.KEY_PETITIONER);
    if (age >= 65 && h.size === 1 && random.chance(0.5)) tags.add(PersonTag.ELDERLY_LIVING_ALONE);
    if (age < 16 && random.chance(grid.community.kind === 'VILLAGE' ? 0.1 : 0.025)) tags.add(PersonTag.LEFT_BEHIND_CHILD);
    if (random.chance(age >= 60 ? 0.05 : 0.018)) tags.add(PersonTag.DISABLED);
    if (h.lowIncome ? random.chance(0.95) : random.chance(0.003)) tags.add(PersonTag.LOW_INCOME);
    else if (random.chance(age >= 60 || tags.has(PersonTag.DISABLED) ? 0.012 : 0.002)) tags.add(PersonTag.EXTREME_POVERTY);
    const special = SPECIAL_TAGS.filter((tag) => tags.has(tag));
    const care = [...tags].some((tag) => CIVIL_AFFAIRS_TAGS.has(tag));

    // Which systems know the person: 2–3 of governance, social security and civil affairs, plus the grid app for some.
    let zz = special.length > 0 || random.chance(0.9);
    let sb = random.chance(age < 16 ? 0.75 : 0.88);
    let mz = care || age >= 80 || random.chance(0.38);
    const ga = random.chance(tags.size > 0 ? 0.5 : 0.1);
    if (Number(zz) + Number(sb) + Number(mz) < 2) {
      // At least two: add governance, then social security (everybody is in one of their registers).
      if (!zz) zz = true;
      if (Number(zz) + Number(sb) + Number(mz) < 2) sb = true;
    }

    // Facets, each from its department.
    let employerName: string | null = null;
    let socialSecurity: SocialSecurityFacet | null = null;
    if (sb) {
      socialSecurity = socialSecurityFacet(random, age, male);
      if (socialSecurity.employer !== null) {
        const employers = this.employersByCounty.get(grid.code.slice(0, 6))!;
        if (employers.length > 0) {
          const employer = employers[Math.floor(random.next() * employers.length)];
          employerName = this.describePlace(employer).name;
          this.links.push(id, employer, PersonPlaceRole.EMPLOYEE, sinceDate(random, birthDay, 18, 15));
        } else {
          employerName = `乌海市${random.pick(TRADE_NAMES)}${random.weighted(COMPANY_TYPES.map(([s, , w]) => [s, w] as const))}`;
        }
        socialSecurity.employer = employerName;
      }
    }
    const civilAffairs = mz ? civilAffairsFacet(random, tags, age, birthDay) : null;
    const governance: GovernanceFacet | null = zz
      ? {
          keyPersonCategory: special[0] ?? null,
          riskLevel: special.length > 0 ? random.weighted(RISK_WEIGHTS) : null,
          gridWorker: this.info[g].worker,
        }
      : null;

    // Places: the household's house or building, as resident; the head owns or rents the house.
    if (h.houseId > 0) {
      const since = sinceDate(random, birthDay, 0, 25);
      this.links.push(id, h.houseId, PersonPlaceRole.RESIDENT, since);
      if (head) this.links.push(id, h.houseId, !h.floating && random.chance(0.8) ? PersonPlaceRole.OWNER : PersonPlaceRole.TENANT, since);
    } else if (h.buildingId > 0) {
      this.links.push(id, h.buildingId, PersonPlaceRole.RESIDENT, sinceDate(random, birthDay, 0, 25));
    }

    // The source records, each as its system would send it; ~10% carry a stale or variant value somewhere.
    const truth: PersonValues = { name, phone, gridCode: grid.code, address: h.address, householdType };
    const systems: SourceSystem[] = [];
    if (zz) systems.push(SourceSystem.COMPREHENSIVE_GOVERNANCE);
    if (sb) systems.push(SourceSystem.SOCIAL_SECURITY);
    if (mz) systems.push(SourceSystem.CIVIL_AFFAIRS);
    if (ga) systems.push(SourceSystem.GRID_APP);
    const deviation = random.chance(0.1) ? this.deviation(random, systems, truth, g) : null;
    const sortedTags = TAG_ORDER.filter((tag) => tags.has(tag));
    for (const source of systems) {
      const values: PersonValues = { ...truth };
      let observedAt = BASE - random.int(1, OBSERVED_WITHIN_DAYS[source]) * DAY - random.int(0, 86_399) * SECOND;
      if (deviation && deviation.source === source) {
        values[deviation.field] = deviation.value as never;
        if (deviation.field !== 'name') observedAt -= random.int(200, 900) * DAY;
      }
      if (source === SourceSystem.SOCIAL_SECURITY) values.householdType = null;
      const payload: Record<string, unknown> = {
        idNumber,
        name: values.name,
        phone: values.phone ?? undefined,
        address: values.address,
        gridCode: values.gridCode,
        householdType: values.householdType ?? undefined,
      };
      switch (source) {
        case SourceSystem.COMPREHENSIVE_GOVERNANCE:
          payload.tags = sortedTags.filter((tag) => GOVERNANCE_TAGS.has(tag));
          payload.governance = governance;
          break;
        case SourceSystem.SOCIAL_SECURITY:
          payload.socialSecurity = socialSecurity;
          break;
        case SourceSystem.CIVIL_AFFAIRS:
          payload.tags = sortedTags.filter((tag) => CIVIL_AFFAIRS_TAGS.has(tag));
          payload.civilAffairs = civilAffairs;
          break;
        default:
          payload.tags = sortedTags;
      }
      const key = this.personSourceKey(source, grid.code, observedAt);
      outbox.add(source, id, { source, key, version: random.weighted(VERSION_WEIGHTS), observedAt, payload });
    }
  }

  /**
   * A stale or variant value for one field in one record. Never in the record that survivorship picks for that
   * field, so the canonical person keeps the true value while the sources disagree.
   */
  private deviation(
    random: Random,
    systems: SourceSystem[],
    truth: PersonValues,
    g: number,
  ): { field: PersonCoreField; source: SourceSystem; value: string } | null {
    let field: PersonCoreField = random.weighted([['phone', 40], ['address', 35], ['name', 25]] as const);
    let value: string | null = null;
    if (field === 'name') value = nameVariant(truth.name);
    if (field === 'name' && value === null) field = 'phone';
    if (field === 'phone' && truth.phone === null) field = 'address';
    if (field === 'phone') value = mobile(random);
    if (field === 'address') value = this.freeAddress(g, random);
    if (value === null || value === truth[field]) return null;
    // Every system sends name, phone and address, so the winner is the first known system in priority order.
    const winner = DEFAULT_PERSON_PRIORITY[field].find((source) => systems.includes(source));
    const eligible = systems.filter((source) => source !== winner);
    if (eligible.length === 0) return null;
    return { field, source: random.pick(eligible), value };
  }

  private personSourceKey(source: SourceSystem, gridCode: string, observedAt: number): string {
    const n = this.nextKey(`person:${source}`);
    switch (source) {
      case SourceSystem.COMPREHENSIVE_GOVERNANCE:
        return `ZZ-${gridCode.slice(0, 6)}-${pad(n, 8)}`;
      case SourceSystem.SOCIAL_SECURITY:
        return `SB1503${pad(n, 10)}`;
      case SourceSystem.CIVIL_AFFAIRS:
        return `MZ${new Date(observedAt).getUTCFullYear()}${pad(n, 8)}`;
      default:
        return `WG-${gridCode}-${pad(n, 7)}`;
    }
  }

  /** A sequence number (001–998) not yet used for this address code, birth day and gender. */
  private idSequence(addressCode: string, birthDay: number, male: boolean): number {
    let index = this.addressCodeIndex.get(addressCode);
    if (index === undefined) {
      index = this.addressCodeIndex.size;
      if (index >= 64) throw new Error('too many distinct ID address codes');
      this.addressCodeIndex.set(addressCode, index);
      this.addressCodes.push(addressCode);
    }
    const day = birthDay - ID_FIRST_DAY;
    const slot = (index * ID_DAYS + day) * 2 + (male ? 1 : 0);
    const n = this.idSequences[slot]++;
    if (n >= 499) throw new Error(`ID sequences exhausted for ${addressCode} on day ${day}`);
    const k = ((index * 131 + day * 7 + n) % 499) + 1;
    return male ? 2 * k - 1 : 2 * k;
  }

  /** The ID number of person `id` (generator id), from its stored parts. */
  private idNumberOf(id: number): string {
    const birthDate = dateOfDay(ID_FIRST_DAY + this.idDay[id]);
    return composeIdNumber(this.addressCodes[this.idAddress[id]], birthDate, this.idSerial[id]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Things

  /** Sends every thing's record: city components from city management, cameras and hazmat stores from governance. */
  private async writeThings(): Promise<void> {
    const outbox = new Outbox();
    this.startPhase('things', this.thingCount);
    for (let id = 1; id <= this.thingCount; id++) {
      const thing = this.describeThing(id);
      const grid = this.grids[this.thingGrid[id]];
      const random = Random.of(this.seed, 'thing-source', id);
      const source = thing.info.source;
      const observedAt = BASE - random.int(2, 700) * DAY - random.int(0, 86_399) * SECOND;
      this.thingKeyNumber[id] = this.nextKey(`thing:${source}:${thing.info.kind}`);
      outbox.add(source, id, {
        source,
        key: this.thingSourceKey(id, thing),
        version: random.weighted(VERSION_WEIGHTS),
        observedAt,
        payload: {
          componentCode: thing.componentCode,
          category: thing.info.category,
          kind: thing.info.kind,
          name: thing.name,
          status: thing.status,
          ownerUnit: thing.ownerUnit,
          address: thing.address,
          gridCode: grid.code,
          lng: thing.lng,
          lat: thing.lat,
        },
      });
      if (id % CHUNK === 0) {
        await this.send(IngestKind.THINGS, outbox);
        this.progress('things', id, this.thingCount);
      } else if (id % YIELD_EVERY === 0) await tick();
    }
    await this.send(IngestKind.THINGS, outbox);
    this.progress('things', this.thingCount, this.thingCount);
  }

  private thingSourceKey(id: number, thing: ThingDetails): string {
    return thing.info.source === SourceSystem.CITY_MANAGEMENT
      ? `CG-BJ-${thing.componentCode}`
      : `${thing.info.kind === ThingKind.CAMERA ? 'ZZ-SP' : 'ZZ-WH'}-${thing.componentCode.slice(0, 6)}-${pad(this.thingKeyNumber[id], 7)}`;
  }

  private describeThing(id: number): ThingDetails {
    const random = Random.of(this.seed, 'thing', id);
    const info = THING_KINDS[this.thingKind[id]];
    const g = this.thingGrid[id];
    const grid = this.grids[g];
    const community = grid.community;
    const county = community.town.county;
    const componentCode = `${grid.code.slice(0, 6)}${info.classCode}${info.subclassCode}${pad(this.thingSerial[id], 6)}`;
    const street = community.kind === 'VILLAGE' ? community.shortName : random.pick(this.info[g].streets);
    const number = random.int(1, 288);
    const [lng, lat] = pointIn(grid.box, random);
    const status = random.weighted(
      info.kind === ThingKind.MANHOLE_COVER || info.kind === ThingKind.TRASH_BIN ? STATUS_WITH_MISSING : THING_STATUS_WEIGHTS,
    );
    const ownerUnit = random
      .pick(OWNER_UNITS[info.kind])
      .replace('{C}', county.name)
      .replace('{T}', random.pick(TRADE_NAMES));
    return {
      info,
      componentCode,
      name: `${street}${number}号${info.label}`,
      status,
      ownerUnit,
      address: `${county.name}${community.town.name}${street}${number}号附近`,
      lng,
      lat,
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Incidents

  /**
   * Sends every incident's record (linking its place or thing, and its parties by ID number), then brings each
   * round's incidents to their generated workflow state; returns the events after CREATED, to be written last.
   */
  private async writeIncidents(): Promise<IncidentLog> {
    const outbox = new Outbox();
    this.startPhase('incidents', this.incidentCount);
    const workflows = new Map<number, Record<string, unknown>>();
    const log = new EventLog();
    const strings = new Interner();
    const gridTable = new WeightedTable(this.grids.map((g) => [g.index, g.weight ** 0.8] as const));
    const flush = async (done: number) => {
      const rows: Array<Record<string, unknown>> = [];
      for (const { id, entityId } of await this.send(IngestKind.INCIDENTS, outbox)) {
        this.incidentEntity[id] = Number(entityId);
        rows.push({ id: entityId, ...workflows.get(id)! });
      }
      workflows.clear();
      await this.writeWorkflows(rows);
      this.progress('incidents', done, this.incidentCount);
    };

    for (let id = 1; id <= this.incidentCount; id++) {
      const random = Random.of(this.seed, 'incident', id);
      // The first 49 incidents cover every category in every state; the rest follow the weights.
      const category = id <= 49 ? CATEGORIES[(id - 1) % 7] : random.weighted(CATEGORY_WEIGHTS);
      const target = id <= 49 ? STATUSES[Math.floor((id - 1) / 7)] : random.weighted(STATUS_WEIGHTS);
      const g = gridTable.pick(random);
      const grid = this.grids[g];
      const community = grid.community;
      const village = community.kind === 'VILLAGE';
      const templates = INCIDENT_TEMPLATES.filter((t) => t.category === category && (village || !t.rural));
      const template = random.weighted(templates.map((t) => [t, t.weight * (village && t.rural ? 3 : 1)] as const));
      const severity = random.weighted(SEVERITY_WEIGHTS[category]);
      const source = random.weighted(template.sources);

      // What it is about: a thing or place of the grid when the template names one.
      let thingId: number | null = null;
      let placeId: number | null = null;
      let thing: ThingDetails | null = null;
      let place: PlaceDetails | null = null;
      if (template.thing) {
        thingId = this.findInGrid(this.gridThings.of(g), random, (t) => template.thing!.includes(THING_KINDS[this.thingKind[t]].kind));
        if (thingId !== null) thing = this.describeThing(thingId);
      }
      if (thing === null && template.place) {
        placeId = this.findInGrid(this.gridPlaces.of(g), random, (p) => template.place!.includes(PLACE_KINDS[this.placeKind[p]]));
        if (placeId !== null) place = this.describePlace(placeId);
      }
      const info = this.info[g];
      const street = village ? community.shortName : random.pick(info.streets);
      const streetAddress = `${community.town.county.name}${community.town.name}${street}${random.int(1, 288)}号`;
      const [pointLng, pointLat] = pointIn(grid.box, random);
      const lng = thing?.lng ?? place?.lng ?? pointLng;
      const lat = thing?.lat ?? place?.lat ?? pointLat;
      const address = thing?.address ?? place?.address ?? streetAddress;
      const fill = (text: string) =>
        text
          .replace(/\{place\}/g, place?.name ?? streetAddress.slice(community.town.county.name.length + community.town.name.length))
          .replace(/\{thing\}/g, thing?.name ?? `${street}${THING_KINDS[THING_KIND_INDEX.get(template.thing?.[0] ?? ThingKind.STREET_LAMP)!].label}`)
          .replace(/\{compound\}/g, village ? community.shortName : random.pick(info.compounds))
          .replace(/\{street\}/g, street)
          .replace(/\{village\}|\{community\}/g, community.shortName)
          .replace(/\{townShort\}/g, community.town.shortName)
          .replace(/\{town\}/g, community.town.name)
          .replace(/\{county\}/g, community.town.county.name)
          .replace(/\{owner\}/g, thing?.ownerUnit ?? '乌海市市政设施管理处')
          .replace(/\{n\}/g, String(random.int(3, 40)));
      const title = fill(random.pick(template.titles));
      const description = fill(random.pick(template.descriptions));

      // The workflow, replayed from creation to the target state.
      const flow = this.workflow(random, template, grid, category, severity, source, target, fill);
      const createdAt = BASE - flow.endOffset * SECOND;
      const reportedAt = createdAt - (source === SourceSystem.GRID_APP ? 0 : random.int(60, 1800) * SECOND);
      const at = (offset: number) => createdAt + offset * SECOND;
      const sourceKey = incidentSourceKey(source, chinaDate(reportedAt).slice(0, 4), this.nextKey(`incident:${source}`));

      // The ingestion writes the CREATED event (flow.events[0]); the rest are the workflow's.
      for (const event of flow.events.slice(1)) {
        log.push(
          at(event.offset),
          id,
          EVENT_TYPES.indexOf(event.type),
          event.from === null ? -1 : STATUSES.indexOf(event.from),
          STATUSES.indexOf(event.to),
          strings.id(event.actor),
          strings.id(event.note),
        );
      }
      // The record as its source system sent it: what it is about by the source's own key where the source sent
      // that place or thing, else by component code or gridhub id; the people involved by ID number.
      const people = this.incidentParties(random, g, template).map(([person, role]) => ({ idNumber: this.idNumberOf(person), role }));
      outbox.add(source, id, {
        source,
        key: sourceKey,
        version: 1,
        observedAt: reportedAt,
        payload: {
          title,
          description,
          category,
          subCategory: template.sub,
          severity,
          gridCode: grid.code,
          address,
          lng,
          lat,
          reportedAt: iso(reportedAt),
          ...(thingId !== null ? { thing: this.thingRef(thingId, source) } : {}),
          ...(placeId !== null ? { place: this.placeRef(placeId, source) } : {}),
          ...(people.length > 0 ? { people } : {}),
        },
      });
      const last = flow.events[flow.events.length - 1];
      workflows.set(id, {
        status: last.to,
        level: flow.level,
        version: flow.events.length,
        department: flow.department,
        assignee: flow.assignee,
        due_at: flow.dueOffset === null ? null : iso(at(flow.dueOffset)),
        overdue: flow.overdue,
        feedback: flow.feedback,
        satisfaction: flow.satisfaction,
        closed_at: flow.closedOffset === null ? null : iso(at(flow.closedOffset)),
        created_at: iso(createdAt),
        updated_at: iso(at(last.offset)),
      });

      if (id % CHUNK === 0) await flush(id);
      else if (id % YIELD_EVERY === 0) await tick();
    }
    await flush(this.incidentCount);
    return { events: log, strings };
  }

  /** A place as an incident record of `source` names it: by the source's own key, or by gridhub id. */
  private placeRef(id: number, source: SourceSystem): Record<string, string> {
    const s = SOURCES.indexOf(source);
    if (this.placeSourceMask[id] & (1 << s)) {
      const place = this.describePlace(id);
      return { sourceKey: placeSourceKey(source, place.kind, this.grids[this.placeGrid[id]].code, this.placeKeyNumber[s][id]) };
    }
    return { id: String(this.placeEntity[id]) };
  }

  /** A thing as an incident record of `source` names it: by the source's own key, or by its component code. */
  private thingRef(id: number, source: SourceSystem): Record<string, string> {
    const thing = this.describeThing(id);
    return thing.info.source === source ? { sourceKey: this.thingSourceKey(id, thing) } : { componentCode: thing.componentCode };
  }

  /**
   * Brings freshly ingested incidents (REPORTED, with their CREATED event stamped now) to their generated workflow
   * state, and dates their CREATED event at their creation: one statement for a round.
   */
  private async writeWorkflows(rows: Array<Record<string, unknown>>): Promise<void> {
    if (rows.length === 0) return;
    await this.sql.rows(
      `with w as (
         update incident i set status = r.status, level = r.level, version = r.version, department = r.department,
                assignee = r.assignee, due_at = r.due_at, overdue = r.overdue, feedback = r.feedback,
                satisfaction = r.satisfaction, closed_at = r.closed_at, created_at = r.created_at, updated_at = r.updated_at
           from jsonb_to_recordset(?::jsonb) as r(id bigint, status text, level text, version int, department text,
                assignee text, due_at timestamptz, overdue boolean, feedback text, satisfaction smallint,
                closed_at timestamptz, created_at timestamptz, updated_at timestamptz)
          where i.id = r.id
         returning i.id, i.created_at)
       update incident_event e set at = w.created_at from w where e.incident_id = w.id and e.type = 'CREATED'`,
      [JSON.stringify(rows)],
    );
  }

  /** A random id among `ids` that matches, or null (looks at up to 60 candidates). */
  private findInGrid(ids: Int32Array, random: Random, matches: (id: number) => boolean): number | null {
    if (ids.length === 0) return null;
    const start = Math.floor(random.next() * ids.length);
    for (let i = 0; i < Math.min(ids.length, 60); i++) {
      const id = ids[(start + i) % ids.length];
      if (matches(id)) return id;
    }
    return null;
  }

  private incidentParties(random: Random, g: number, template: IncidentTemplate): Array<[number, IncidentPartyRole]> {
    const first = this.personStart[g] + 1;
    const count = this.personStart[g + 1] - this.personStart[g];
    if (count === 0) return [];
    const somebody = (ages?: readonly [number, number]) => {
      let person = first + Math.floor(random.next() * count);
      for (let tries = 0; ages && tries < 20; tries++) {
        const age = 2026 - this.birthYear[person];
        if (age >= ages[0] && age <= ages[1]) break;
        person = first + Math.floor(random.next() * count);
      }
      return person;
    };
    const result: Array<[number, IncidentPartyRole]> = [];
    switch (template.parties) {
      case 'dispute': {
        const a = somebody([18, 90]);
        const b = somebody([18, 90]);
        result.push([a, IncidentPartyRole.PARTY]);
        if (b !== a) result.push([b, IncidentPartyRole.PARTY]);
        if (random.chance(0.4)) result.push([a, IncidentPartyRole.REPORTER]);
        break;
      }
      case 'victim': {
        const victim = somebody([14, 95]);
        result.push([victim, IncidentPartyRole.VICTIM], [victim, IncidentPartyRole.REPORTER]);
        const witness = somebody([16, 80]);
        if (witness !== victim && random.chance(0.3)) result.push([witness, IncidentPartyRole.WITNESS]);
        break;
      }
      case 'requester':
        result.push([somebody(template.requesterAge ?? [18, 95]), IncidentPartyRole.REPORTER]);
        break;
      default:
        if (random.chance(0.4)) result.push([somebody([16, 85]), IncidentPartyRole.REPORTER]);
    }
    return result;
  }

  /**
   * The path from CREATED to `target` through the workflow's transition table, with offsets (seconds after
   * creation), handler, department and due times, and where "now" lies on it (`endOffset`).
   */
  private workflow(
    random: Random,
    template: IncidentTemplate,
    grid: GridPlan,
    category: IncidentCategory,
    severity: Severity,
    source: SourceSystem,
    target: IncidentStatus,
    fill: (text: string) => string,
  ): Workflow {
    const limit = dueLimitSeconds(this.workflowOptions.due, category, severity);
    const events: EventDraft[] = [];
    let status: IncidentStatus | null = null;
    let level = HandlingLevel.GRID;
    let t = 0;
    let department: string | null = null;
    let assignee: string | null = null;
    let dueOffset: number | null = null;
    let feedback: string | null = null;
    let satisfaction: number | null = null;
    let closedOffset: number | null = null;
    const community = grid.community;
    const handler = () =>
      level === HandlingLevel.GRID
        ? `gw-${grid.code}`
        : level === HandlingLevel.COMMUNITY
          ? `sq-${community.code}`
          : level === HandlingLevel.TOWN
            ? `jd-${community.town.code}`
            : `cc-${community.town.county.code}`;
    // Every event, creation and the sweeper's included, as the workflow's event table has it.
    const append = (action: IncidentAction, actor: string, note: string | null, offset: number) => {
      const event = eventFor(status, action);
      if (event === null) throw new Error(`demo workflow: ${action} is not allowed in ${status}`);
      events.push({ type: event.type, from: event.fromStatus, to: event.toStatus, actor, note, offset });
      status = event.toStatus;
    };
    const step = (action: IncidentAction, actor: string, note: string | null, gap: number) => {
      t += Math.max(1, Math.round(gap));
      append(action, actor, note, t);
    };
    // Dispatched as dispatchIncident does by default: to the responsibility list's lead at the case's level (the
    // template's own departments where the list names none there, as a command centre would then name one).
    const names = { county: community.town.county.name, town: community.town.name, community: community.name };
    const dispatch = () => {
      const named = fill(random.pick(template.departments));
      const responsibility = responsibilityFor(this.workflowOptions.responsibilities, category, template.sub, level);
      department = responsibility ? departmentsFor(responsibility, names).lead : named;
      assignee = staffName(this.seed, department, random.int(0, 3));
      step(IncidentAction.DISPATCH, handler(), `派遣至${department}`, random.int(600, 3 * 3600));
      dueOffset = t + limit;
    };
    const start = () => step(IncidentAction.START, department!, '已到达现场开始处置', limit * random.float(0.02, 0.25));
    const resolve = () => {
      feedback = fill(random.pick(template.feedback));
      step(IncidentAction.RESOLVE, department!, feedback, limit * random.float(0.1, 0.6));
    };

    t = 0;
    // Creation (the ingestion writes its event, as the sender and at the record's arrival).
    append(IncidentAction.REPORT, source, null, 0);
    const quick = severity === Severity.CRITICAL || severity === Severity.HIGH;
    if (target === IncidentStatus.REJECTED) {
      step(IncidentAction.REJECT, handler(), random.pick(REJECTION_REASONS), random.int(600, 12 * 3600));
    } else if (target !== IncidentStatus.REPORTED) {
      step(IncidentAction.ACCEPT, handler(), '受理立案', quick ? random.int(60, 900) : random.int(300, 4 * 3600));
      const escalations = random.weighted(quick ? ESCALATIONS_GRAVE : ESCALATIONS);
      for (let e = 0; e < escalations; e++) {
        const before = random.next();
        if (before > 0.4) dispatch();
        if (before > 0.7) start();
        const above: HandlingLevel = levelAbove(level)!;
        step(
          IncidentAction.ESCALATE,
          handler(),
          `上报${LEVEL_NAMES[above]}：${random.pick(ESCALATION_REASONS)}`,
          Math.min(random.int(1800, 86_400), limit * 0.4),
        );
        level = above;
        department = null;
        assignee = null;
        dueOffset = null;
      }
      const rank = STATUSES.indexOf(target);
      if (rank >= STATUSES.indexOf(IncidentStatus.DISPATCHED)) dispatch();
      if (rank >= STATUSES.indexOf(IncidentStatus.IN_PROGRESS)) start();
      if (rank >= STATUSES.indexOf(IncidentStatus.RESOLVED)) resolve();
      if (target === IncidentStatus.CLOSED) {
        if (random.chance(0.06)) {
          step(IncidentAction.VERIFY_FAILED, handler(), `核查未通过：${random.pick(VERIFY_FAIL_REASONS)}，重新派遣`, random.int(3600, 86_400));
          dueOffset = t + limit;
          start();
          resolve();
        }
        step(IncidentAction.VERIFY_PASSED, handler(), '核查通过，予以结案', random.int(3600, 2 * 86_400));
        closedOffset = t;
      }
      if ((target === IncidentStatus.RESOLVED || target === IncidentStatus.CLOSED) && random.chance(target === IncidentStatus.CLOSED ? 0.7 : 0.35)) {
        satisfaction = random.weighted(SATISFACTION_WEIGHTS);
        step(IncidentAction.RATE, `gw-${grid.code}`, `满意度${satisfaction}分`, random.int(3600, 3 * 86_400));
      }
    }

    // Where "now" is: open cases recent (some past their due time), finished ones anywhere in the past year.
    let overdue = false;
    let endOffset: number;
    if (target === IncidentStatus.DISPATCHED || target === IncidentStatus.IN_PROGRESS) {
      const due = dueOffset!;
      if (random.chance(0.35)) {
        overdue = true;
        const sweptAt = due + random.int(60, 300);
        append(IncidentAction.MARK_OVERDUE, 'system', '超过处置时限未办结', sweptAt);
        endOffset = sweptAt + random.int(3600, Math.max(7200, Math.round(limit * 1.5)));
      } else {
        endOffset = t + Math.max(1, Math.round((due - t) * random.float(0.05, 0.95)));
      }
    } else if (target === IncidentStatus.REPORTED) {
      endOffset = random.int(600, 12 * 3600);
    } else if (target === IncidentStatus.ACCEPTED) {
      endOffset = t + random.int(600, 36 * 3600);
    } else if (target === IncidentStatus.RESOLVED) {
      endOffset = t + random.int(3600, 3 * 86_400);
    } else {
      endOffset = t + random.int(3600, 300 * 86_400);
    }
    return { events, level, department, assignee, dueOffset, overdue, feedback, satisfaction, closedOffset, endOffset };
  }

  /** The incidents' events after CREATED, in time order (ties: creation order), so that seq follows time. */
  private async writeEvents({ events: log, strings }: IncidentLog): Promise<void> {
    const order = new Uint32Array(log.length);
    for (let i = 0; i < log.length; i++) order[i] = i;
    const at = log.at;
    order.sort((a, b) => at[a] - at[b] || a - b);
    for (let start = 0; start < log.length; start += CHUNK) {
      const rows: IncidentEventDraft[] = [];
      for (let k = start; k < Math.min(start + CHUNK, log.length); k++) {
        const i = order[k];
        rows.push({
          incidentId: String(this.incidentEntity[log.incident[i]]),
          type: EVENT_TYPES[log.type[i]],
          actor: strings.get(log.actor[i])!,
          note: strings.get(log.note[i]) ?? null,
          fromStatus: log.from[i] < 0 ? null : STATUSES[log.from[i]],
          toStatus: STATUSES[log.to[i]],
          at: new Date(iso(log.at[i])),
        });
      }
      await appendIncidentEvents(this.sql, rows);
      this.rowsWritten += rows.length;
      this.progress('incident events', start + rows.length, log.length);
    }
    if (log.length === 0) this.progress('incident events', 0, 0);
  }

  // -------------------------------------------------------------------------------------------------------------

  private gridInfo(grid: GridPlan): GridInfo {
    const random = Random.of(this.seed, 'grid', grid.code);
    const streets = random.sample(STREETS[grid.code.slice(0, 6)], 3);
    const compounds: string[] = [];
    const wanted = grid.community.kind === 'URBAN' ? random.int(2, 4) : grid.community.kind === 'VILLAGE' ? 1 : random.int(1, 2);
    while (compounds.length < wanted) {
      const compound = `${random.pick(COMPOUND_PREFIXES)}${random.pick(COMPOUND_SUFFIXES)}`;
      if (!compounds.includes(compound)) compounds.push(compound);
    }
    const male = random.chance(0.45);
    const worker = `${random.weighted(SURNAMES)}${givenName(random, male, random.int(1975, 1998))}`;
    return { streets, compounds, worker };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

interface PersonValues {
  name: string;
  phone: string | null;
  gridCode: string;
  address: string;
  householdType: HouseholdType | null;
}

const AGE_BAND_WEIGHTS = AGE_BANDS.map(([from, to, w]) => [[from, to] as const, w] as const);
const FLOOR_WEIGHTS: ReadonlyArray<readonly [number, number]> = [[5, 10], [6, 30], [7, 8], [11, 8], [18, 12], [24, 8], [26, 6], [33, 4]];
const VERSION_WEIGHTS: ReadonlyArray<readonly [number, number]> = [[1, 40], [2, 25], [3, 15], [4, 10], [5, 6], [6, 4]];
const RISK_WEIGHTS: ReadonlyArray<readonly [RiskLevel, number]> = [[RiskLevel.LOW, 50], [RiskLevel.MEDIUM, 35], [RiskLevel.HIGH, 15]];
const SATISFACTION_WEIGHTS: ReadonlyArray<readonly [number, number]> = [[1, 3], [2, 5], [3, 12], [4, 35], [5, 45]];
const ESCALATIONS: ReadonlyArray<readonly [number, number]> = [[0, 88], [1, 9], [2, 2.5], [3, 0.5]];
const ESCALATIONS_GRAVE: ReadonlyArray<readonly [number, number]> = [[0, 65], [1, 22], [2, 10], [3, 3]];
const THING_STATUS_WEIGHTS: ReadonlyArray<readonly [ThingStatus, number]> = [
  [ThingStatus.NORMAL, 92], [ThingStatus.DAMAGED, 6], [ThingStatus.REMOVED, 2],
];
const STATUS_WITH_MISSING: ReadonlyArray<readonly [ThingStatus, number]> = [
  [ThingStatus.NORMAL, 88], [ThingStatus.DAMAGED, 6], [ThingStatus.MISSING, 4], [ThingStatus.REMOVED, 2],
];
/** How far back each system's latest observation of a person lies (days): monthly syncs to yearly reviews. */
const OBSERVED_WITHIN_DAYS: Record<SourceSystem, number> = {
  COMPREHENSIVE_GOVERNANCE: 365,
  SOCIAL_SECURITY: 45,
  CIVIL_AFFAIRS: 720,
  CITY_MANAGEMENT: 365,
  GRID_APP: 180,
};

const dayOf = (isoDate: string) => Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / DAY);
/** The calendar day (YYYY-MM-DD) of a day number (days since the epoch). */
const dateOfDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
/** Birth dates lie in 1930–2024: days since the epoch of the first, and how many there are. */
const ID_FIRST_DAY = dayOf('1930-01-01');
const ID_DAYS = dayOf('2025-01-01') - ID_FIRST_DAY;
/** The base date as a calendar day in China (UTC+8). */
const BASE_DAY = dayOf(new Date(BASE + 8 * HOUR).toISOString().slice(0, 10));

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The calendar day (YYYY-MM-DD) of an instant in China (UTC+8). */
function chinaDate(ms: number): string {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Age in whole years on the base date. */
function ageAt(birthDate: string): number {
  const base = chinaDate(BASE);
  const years = Number(base.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return birthDate.slice(5) > base.slice(5) ? years - 1 : years;
}

/** Largest-remainder split of `total` in proportion to `weights`. */
function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const result = exact.map(Math.floor);
  let left = total - result.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) result[order[k][1]]++;
  return result;
}

/** A point well inside a box, rounded to 6 decimals (~0.1 m). */
function pointIn(box: readonly [number, number, number, number], random: Random): [number, number] {
  const [w, s, e, n] = box;
  return [round6(w + (0.04 + 0.92 * random.next()) * (e - w)), round6(s + (0.04 + 0.92 * random.next()) * (n - s))];
}

/** "3单元402": unit, floor and flat inside a building's size. */
function flatIn(attributes: PlaceAttributes, random: Random): string {
  const unit = random.int(1, attributes.unitCount ?? 1);
  const floor = random.int(1, attributes.floors ?? 1);
  return `${unit}单元${floor}${pad(random.int(1, (attributes.floors ?? 1) > 11 ? 4 : 2), 2)}`;
}

function mobile(random: Random): string {
  return `${random.pick(PHONE_PREFIXES)}${pad(random.int(0, 99_999_999), 8)}`;
}

function givenName(random: Random, male: boolean, birthYear: number): string {
  const era = birthYear < 1960 ? GIVEN_NAMES.old : birthYear < 1990 ? GIVEN_NAMES.middle : GIVEN_NAMES.young;
  const chars = male ? MALE_CHARS : FEMALE_CHARS;
  const style = random.next();
  if (style < 0.45) return random.pick(male ? era.male : era.female);
  if (style < 0.7) return `${random.pick(chars)}${random.pick(chars)}`;
  return random.pick(chars);
}

function mongolianName(random: Random, male: boolean, surname: string): string {
  const name = random.pick(male ? MONGOLIAN_NAMES.male : MONGOLIAN_NAMES.female);
  return random.chance(0.4) ? `${surname}${name}` : name;
}

/** The name with its first variant-able given-name character replaced (王丽 → 王莉), or null. */
function nameVariant(name: string): string | null {
  for (let i = 1; i < name.length; i++) {
    const variant = NAME_VARIANTS[name[i]];
    if (variant && variant !== name[i]) return name.slice(0, i) + variant + name.slice(i + 1);
  }
  return null;
}

/** A stable staff name for a department (a handful per department). */
function staffName(seed: number, department: string, n: number): string {
  const random = Random.of(seed, 'staff', department, n);
  return `${random.weighted(SURNAMES)}${givenName(random, random.chance(0.55), random.int(1965, 1998))}`;
}

/** A date (YYYY-MM-DD) at least `minAge` years after birth, at most `maxYearsAgo` years before the base date. */
function sinceDate(random: Random, birthDay: number, minAge: number, maxYearsAgo: number): string {
  const earliest = Math.max(birthDay + Math.ceil(minAge * 365.25), BASE_DAY - maxYearsAgo * 365);
  const latest = BASE_DAY - 30;
  const day = earliest >= latest ? latest : random.int(earliest, latest);
  return new Date(day * DAY).toISOString().slice(0, 10);
}

function socialSecurityFacet(random: Random, age: number, male: boolean): SocialSecurityFacet {
  if (age < 18) {
    return { insured: true, pensionType: PensionType.NONE, medicalInsurance: MedicalInsuranceType.RESIDENT, employer: null };
  }
  const retired = age >= (male ? 60 : 55);
  const r = random.next();
  if (!retired && r < 0.62) {
    // The employer is filled in by the caller (a real organisation or shop of the county).
    return { insured: true, pensionType: PensionType.URBAN_EMPLOYEE, medicalInsurance: MedicalInsuranceType.EMPLOYEE, employer: '' };
  }
  if (retired && r < 0.55) {
    return { insured: true, pensionType: PensionType.URBAN_EMPLOYEE, medicalInsurance: MedicalInsuranceType.EMPLOYEE, employer: null };
  }
  if (r < (retired ? 0.96 : 0.92)) {
    return { insured: true, pensionType: PensionType.URBAN_RURAL_RESIDENT, medicalInsurance: MedicalInsuranceType.RESIDENT, employer: null };
  }
  return { insured: false, pensionType: PensionType.NONE, medicalInsurance: MedicalInsuranceType.NONE, employer: null };
}

function civilAffairsFacet(random: Random, tags: Set<PersonTag>, age: number, birthDay: number): CivilAffairsFacet {
  const allowances: Allowance[] = [];
  const since = () => sinceDate(random, birthDay, 0, 10);
  if (tags.has(PersonTag.LOW_INCOME)) {
    allowances.push({ type: AllowanceType.LOW_INCOME, monthlyAmount: random.int(620, 880), since: since() });
  }
  if (tags.has(PersonTag.EXTREME_POVERTY)) {
    allowances.push({ type: AllowanceType.EXTREME_POVERTY, monthlyAmount: random.int(1050, 1400), since: since() });
  }
  if (age >= 80) {
    const eightieth = new Date(birthDay * DAY);
    eightieth.setUTCFullYear(eightieth.getUTCFullYear() + 80);
    allowances.push({
      type: AllowanceType.SENIOR,
      monthlyAmount: age >= 100 ? 600 : age >= 90 ? 300 : 100,
      since: eightieth.toISOString().slice(0, 10),
    });
  }
  let disabilityGrade: number | null = null;
  if (tags.has(PersonTag.DISABLED)) {
    disabilityGrade = random.weighted([[1, 12], [2, 20], [3, 30], [4, 38]] as const);
    if (disabilityGrade <= 2 || tags.has(PersonTag.LOW_INCOME)) {
      allowances.push({ type: AllowanceType.DISABILITY, monthlyAmount: random.int(90, 160), since: since() });
    }
  }
  return { allowances, disabilityGrade };
}

/** The systems that know a place of this kind. */
function placeSources(kind: PlaceKind, random: Random): SourceSystem[] {
  const { COMPREHENSIVE_GOVERNANCE: ZZ, SOCIAL_SECURITY: SB, CITY_MANAGEMENT: CM, GRID_APP: GA } = SourceSystem;
  switch (kind) {
    case PlaceKind.RESIDENTIAL_BUILDING:
      return random.chance(0.15) ? [ZZ, GA] : [ZZ];
    case PlaceKind.HOUSE:
      return random.chance(0.2) ? [ZZ, GA] : [ZZ];
    case PlaceKind.ORGANIZATION: {
      const systems = [...(random.chance(0.8) ? [ZZ] : []), ...(random.chance(0.6) ? [SB] : [])];
      return systems.length > 0 ? systems : [ZZ];
    }
    case PlaceKind.SHOP: {
      const systems = [...(random.chance(0.6) ? [ZZ] : []), ...(random.chance(0.5) ? [CM] : [])];
      return systems.length > 0 ? systems : [CM];
    }
    case PlaceKind.HOSPITAL:
      return random.chance(0.5) ? [ZZ, SB] : [ZZ];
    default:
      return [ZZ];
  }
}

function placeSourceKey(source: SourceSystem, kind: PlaceKind, gridCode: string, n: number): string {
  const county = gridCode.slice(0, 6);
  switch (source) {
    case SourceSystem.COMPREHENSIVE_GOVERNANCE: {
      const prefix =
        kind === PlaceKind.RESIDENTIAL_BUILDING || kind === PlaceKind.HOUSE ? 'FW' : kind === PlaceKind.KEY_PLACE ? 'CS' : 'DW';
      return `ZZ-${prefix}-${county}-${pad(n, 8)}`;
    }
    case SourceSystem.SOCIAL_SECURITY:
      return `SB-DW-${pad(n, 10)}`;
    case SourceSystem.CITY_MANAGEMENT:
      return `CG-MQ-${county}-${pad(n, 8)}`;
    default:
      return `WG-FW-${gridCode}-${pad(n, 6)}`;
  }
}

function incidentSourceKey(source: SourceSystem, year: string, n: number): string {
  const prefix: Record<SourceSystem, string> = {
    COMPREHENSIVE_GOVERNANCE: 'ZZSJ',
    SOCIAL_SECURITY: 'SBSQ',
    CIVIL_AFFAIRS: 'MZSQ',
    CITY_MANAGEMENT: 'CG',
    GRID_APP: 'WG',
  };
  return `${prefix[source]}${year}${pad(n, 7)}`;
}

/** Who links a place's people: governance, except that an employer's employees come from the social security system when it knows the employer. */
function linkSource(kind: PlaceKind, systems: readonly SourceSystem[]): SourceSystem {
  const { COMPREHENSIVE_GOVERNANCE: ZZ, SOCIAL_SECURITY: SB } = SourceSystem;
  if ((kind === PlaceKind.ORGANIZATION || kind === PlaceKind.SHOP) && systems.includes(SB)) return SB;
  return systems.includes(ZZ) ? ZZ : systems[0];
}

/** One record's result, for an error message: its key, outcome and problems. */
function describeResult(result: IngestResult): string {
  const errors = result.errors.map((error) => `${error.field} ${error.message}`).join('; ');
  return `${result.sourceKey} ${result.outcome}${errors ? `: ${errors}` : ''}`;
}

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * A unified social credit code (统一社会信用代码, GB 32100): registering authority, type, county code, the
 * organisation code (GB 11714, 8 digits from the id + its check character) and the check character.
 */
function creditCode(authority: string, type: string, countyCode: string, id: number): string {
  const body = pad(id, 8);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * ORG_WEIGHTS[i];
  const c9 = 11 - (sum % 11);
  const organization = body + (c9 === 10 ? 'X' : c9 === 11 ? '0' : String(c9));
  const first17 = `${authority}${type}${countyCode}${organization}`;
  let total = 0;
  for (let i = 0; i < 17; i++) total += CREDIT_CHARS.indexOf(first17[i]) * CREDIT_WEIGHTS[i];
  const check = (31 - (total % 31)) % 31;
  return first17 + CREDIT_CHARS[check];
}
