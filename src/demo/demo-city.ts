import { EntityManager } from '@mikro-orm/postgresql';
import { Role, Viewer } from '../auth/viewer';
import { ScopedReader } from '../access/scope';
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
import { composeIdNumber, parseIdNumber } from '../shared/id-number';
import { Random, WeightedTable } from '../shared/random';
import { EntityKind, SourceSystem } from '../sources/source-system';
import {
  DEFAULT_PERSON_PRIORITY,
  DEFAULT_PLACE_PRIORITY,
  DEFAULT_THING_PRIORITY,
  IncidentCoreField,
  listDisagreements,
  PersonCoreField,
  PlaceCoreField,
  soleSourceLineage,
  SourceCandidate,
  surviveFields,
  ThingCoreField,
} from '../sources/survivorship';
import { ThingCategory, ThingKind, ThingStatus } from '../things/thing.entity';
import { BulkTable, BulkWriter } from './bulk-insert';
import { boxPolygon, CityPlan, GridPlan, planCity, round6 } from './city-plan';
import {
  CATEGORY_WEIGHTS,
  DUE_HOURS,
  ESCALATION_REASONS,
  INCIDENT_TEMPLATES,
  IncidentTemplate,
  REJECTION_REASONS,
  SEVERITY_DUE_FACTOR,
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
 * The demo city (乌海市) generator: fills an empty database with regions and ~930 grids, people with overlapping
 * records from the department systems (merged by survivorship, with lineage), places, things, incidents in every
 * workflow state with their event log, and every source record.
 *
 * Deterministic: every value comes from a seeded random stream (one per entity, so an entity can be re-derived
 * anywhere) and every timestamp from a fixed base date, so the same options give byte-identical data.
 * Memory stays bounded: rows are generated and written chunk by chunk; only a few typed arrays per entity
 * (grid, kind, birth year, event times) are kept.
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
  /** Rows written so far, all tables. */
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

/** Tables the generator writes, children first (truncate order). */
export const DEMO_TABLES = [
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
const BASE_DATE = new Date(BASE);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CHUNK = 5000;
const YIELD_EVERY = 250;

/**
 * Fills an empty database with the demo city, or with `reset` replaces what the demo tables hold.
 *
 * One transaction, the emptying included: regions go through {@link RegionService.upsert} (as an ADMIN),
 * everything else through multi-row inserts with explicit ids; the id sequences are moved past them at the end.
 * On failure (or an interrupted run) the database is left as it was.
 * @throws Error when the database already holds regions, people or other entity rows and `reset` is not set,
 * or for bad options.
 */
export async function seedDemoCity(em: EntityManager, options: DemoCityOptions): Promise<DemoCitySummary> {
  const started = performance.now();
  const { scale } = options;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 1000) {
    throw new Error(`seedDemoCity: scale must be a number above 0 and at most 1000, got ${scale}`);
  }
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`seedDemoCity: seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
  const city = new DemoCity(planCity(), seed, scale, options.onProgress ?? (() => undefined));
  await em.transactional(async (tx) => {
    if (options.reset) await truncateDemoTables(tx);
    else await assertEmpty(tx);
    await city.writeRegions(tx);
    const context = tx.getTransactionContext();
    const connection = tx.getConnection();
    await city.writeEntities(new BulkWriter((sql) => connection.execute(sql, [], 'run', context)));
  });
  await em.getConnection().execute(`analyze ${DEMO_TABLES.join(', ')}`, [], 'run');
  const counts = city.counts;
  return {
    scale,
    seed,
    counts,
    grids: city.plan.grids.length,
    peopleWithConflicts: city.peopleWithConflicts,
    rows: Object.values(counts).reduce((sum, n) => sum + n, 0),
    elapsedMs: Math.round(performance.now() - started),
  };
}

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
const CREATED_NOTES: Record<SourceSystem, string> = {
  COMPREHENSIVE_GOVERNANCE: '综治系统推送',
  SOCIAL_SECURITY: '社保系统推送',
  CIVIL_AFFAIRS: '民政系统推送',
  CITY_MANAGEMENT: '数字城管监督员上报',
  GRID_APP: '网格员巡查上报',
};

// ---------------------------------------------------------------------------------------------------------------
// Row shapes

const PERSON_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'id_number', type: 'varchar' },
  { name: 'name', type: 'text' },
  { name: 'gender', type: 'text' },
  { name: 'birth_date', type: 'date' },
  { name: 'phone', type: 'text' },
  { name: 'grid_code', type: 'varchar' },
  { name: 'address', type: 'text' },
  { name: 'household_type', type: 'text' },
  { name: 'tags', type: 'text[]' },
  { name: 'social_security', type: 'jsonb' },
  { name: 'civil_affairs', type: 'jsonb' },
  { name: 'governance', type: 'jsonb' },
  { name: 'lineage', type: 'jsonb' },
  { name: 'created_at', type: 'epoch' },
  { name: 'updated_at', type: 'epoch' },
] as const;
const PLACE_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'kind', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'address', type: 'text' },
  { name: 'grid_code', type: 'varchar' },
  { name: 'lng', type: 'float8' },
  { name: 'lat', type: 'float8' },
  { name: 'attributes', type: 'jsonb' },
  { name: 'lineage', type: 'jsonb' },
  { name: 'created_at', type: 'epoch' },
  { name: 'updated_at', type: 'epoch' },
] as const;
const PERSON_PLACE_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'person_id', type: 'bigint' },
  { name: 'place_id', type: 'bigint' },
  { name: 'role', type: 'text' },
  { name: 'since', type: 'date' },
] as const;
const THING_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'category', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'component_code', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'owner_unit', type: 'text' },
  { name: 'address', type: 'text' },
  { name: 'grid_code', type: 'varchar' },
  { name: 'lng', type: 'float8' },
  { name: 'lat', type: 'float8' },
  { name: 'lineage', type: 'jsonb' },
  { name: 'created_at', type: 'epoch' },
  { name: 'updated_at', type: 'epoch' },
] as const;
const INCIDENT_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'case_number', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'description', type: 'text' },
  { name: 'category', type: 'text' },
  { name: 'sub_category', type: 'text' },
  { name: 'severity', type: 'text' },
  { name: 'source', type: 'text' },
  { name: 'source_key', type: 'text' },
  { name: 'grid_code', type: 'varchar' },
  { name: 'address', type: 'text' },
  { name: 'lng', type: 'float8' },
  { name: 'lat', type: 'float8' },
  { name: 'place_id', type: 'bigint' },
  { name: 'thing_id', type: 'bigint' },
  { name: 'status', type: 'text' },
  { name: 'level', type: 'text' },
  { name: 'version', type: 'int' },
  { name: 'department', type: 'text' },
  { name: 'assignee', type: 'text' },
  { name: 'due_at', type: 'epoch' },
  { name: 'overdue', type: 'boolean' },
  { name: 'feedback', type: 'text' },
  { name: 'satisfaction', type: 'smallint' },
  { name: 'reported_at', type: 'epoch' },
  { name: 'closed_at', type: 'epoch' },
  { name: 'lineage', type: 'jsonb' },
  { name: 'created_at', type: 'epoch' },
  { name: 'updated_at', type: 'epoch' },
] as const;
const PARTY_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'incident_id', type: 'bigint' },
  { name: 'person_id', type: 'bigint' },
  { name: 'role', type: 'text' },
] as const;
const EVENT_COLUMNS = [
  { name: 'seq', type: 'bigint' },
  { name: 'incident_id', type: 'bigint' },
  { name: 'grid_code', type: 'varchar' },
  { name: 'category', type: 'text' },
  { name: 'type', type: 'text' },
  { name: 'actor', type: 'text' },
  { name: 'note', type: 'text' },
  { name: 'from_status', type: 'text' },
  { name: 'to_status', type: 'text' },
  { name: 'at', type: 'epoch' },
] as const;
const SOURCE_RECORD_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'entity_kind', type: 'text' },
  { name: 'entity_id', type: 'bigint' },
  { name: 'source', type: 'text' },
  { name: 'source_key', type: 'text' },
  { name: 'version', type: 'bigint' },
  { name: 'observed_at', type: 'epoch' },
  { name: 'received_at', type: 'epoch' },
  { name: 'payload', type: 'jsonb' },
] as const;

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

interface SourceDraft<T extends object> {
  source: SourceSystem;
  id: number;
  key: string;
  version: number;
  observedAt: number;
  receivedAt: number;
  payload: Record<string, unknown>;
  values: SourceCandidate<T>['values'];
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

/** Incidents' event log with each incident's grid index and category index. */
interface IncidentLog {
  events: EventLog;
  strings: Interner;
  grid: Uint16Array;
  category: Uint8Array;
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
  readonly counts: DemoCityCounts = {
    region: 0,
    person: 0,
    place: 0,
    person_place: 0,
    thing: 0,
    incident: 0,
    incident_party: 0,
    incident_event: 0,
    source_record: 0,
  };
  peopleWithConflicts = 0;

  private readonly grids: GridPlan[];
  private readonly info: GridInfo[];
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

  private writer!: BulkWriter;
  private regionRows = 0;
  private sourceRecordId = 0;
  private personPlaceId = 0;
  private readonly keyCounters = new Map<string, number>();
  private readonly idSequences: Uint16Array;
  private readonly addressCodeIndex = new Map<string, number>();

  private readonly sourceRecords = new BulkTable('source_record', SOURCE_RECORD_COLUMNS);
  private readonly personPlaces = new BulkTable('person_place', PERSON_PLACE_COLUMNS);

  constructor(
    readonly plan: CityPlan,
    private readonly seed: number,
    scale: number,
    private readonly onProgress: (progress: DemoProgress) => void,
  ) {
    this.grids = plan.grids;
    this.people = Math.round(50_000 * scale);
    this.placeCount = Math.round(10_000 * scale);
    this.thingCount = Math.round(5_000 * scale);
    this.incidentCount = Math.round(5_000 * scale);
    this.info = this.grids.map((grid) => this.gridInfo(grid));

    // People: contiguous id ranges per grid, sized by density.
    const perGrid = allocate(this.people, this.grids.map((g) => g.weight));
    this.personStart = new Int32Array(this.grids.length + 1);
    perGrid.forEach((n, g) => (this.personStart[g + 1] = this.personStart[g] + n));
    this.birthYear = new Uint16Array(this.people + 1);

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
      this.counts.region += report.created + report.updated + report.unchanged;
      this.regionRows = this.counts.region;
      this.progress('regions', start + batch.length, inputs.length);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Everything else, in one transaction

  async writeEntities(writer: BulkWriter): Promise<void> {
    this.writer = writer;
    const at = iso(BASE - 30 * DAY);
    await writer.execute(`update region set created_at = '${at}', updated_at = '${at}'`);
    await this.writePlaces();
    await this.writePeople();
    await this.writeLegalRepresentatives();
    await this.writeThings();
    await this.writeEvents(await this.writeIncidents());
    await writer.drain();
    for (const [table, column] of [
      ['person', 'id'],
      ['place', 'id'],
      ['person_place', 'id'],
      ['thing', 'id'],
      ['incident', 'id'],
      ['incident_party', 'id'],
      ['incident_event', 'seq'],
      ['source_record', 'id'],
    ]) {
      await writer.execute(
        `select setval(pg_get_serial_sequence('${table}', '${column}'), coalesce((select max(${column}) from ${table}), 0) + 1, false)`,
      );
    }
    this.counts.source_record = this.sourceRecordId;
    this.counts.person_place = this.personPlaceId;
  }

  private progress(phase: string, done: number, total: number): void {
    this.onProgress({ phase, done, total, rows: this.regionRows + (this.writer?.rowsWritten ?? 0) });
  }

  private async flush(table: BulkTable, force = false): Promise<void> {
    if (force ? table.size > 0 : table.size >= CHUNK) await this.writer.write(table);
  }

  private nextKey(counter: string): number {
    const next = (this.keyCounters.get(counter) ?? 0) + 1;
    this.keyCounters.set(counter, next);
    return next;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Places

  private async writePlaces(): Promise<void> {
    const places = new BulkTable('place', PLACE_COLUMNS);
    for (let id = 1; id <= this.placeCount; id++) {
      const place = this.describePlace(id);
      const grid = this.grids[this.placeGrid[id]];
      const random = Random.of(this.seed, 'place-sources', id);
      const systems = placeSources(place.kind, random);
      const drafts: Array<SourceDraft<PlaceValues>> = [];
      for (const source of systems) {
        const observedAt = BASE - random.int(2, 900) * DAY - random.int(0, DAY / SECOND - 1) * SECOND;
        const receivedAt = Math.min(observedAt + random.int(60, 4 * 3600) * SECOND, BASE - SECOND);
        const values: PlaceValues = { name: place.name, address: place.address, gridCode: grid.code, location: null };
        let payload: Record<string, unknown>;
        if (source === SourceSystem.SOCIAL_SECURITY) {
          payload = { name: place.name, creditCode: place.attributes.creditCode, address: place.address, gridCode: grid.code };
        } else {
          values.location = { lng: place.lng, lat: place.lat };
          payload = {
            name: place.name,
            kind: place.kind,
            address: place.address,
            gridCode: grid.code,
            lng: place.lng,
            lat: place.lat,
            ...(source === SourceSystem.CITY_MANAGEMENT ? {} : { attributes: place.attributes }),
          };
        }
        drafts.push({
          source,
          id: ++this.sourceRecordId,
          key: placeSourceKey(source, place.kind, grid.code, this.nextKey(`place:${source}`)),
          version: random.weighted(VERSION_WEIGHTS),
          observedAt,
          receivedAt,
          payload,
          values,
        });
      }
      const { lineage } = surviveFields<PlaceValues>(candidatesOf(drafts), DEFAULT_PLACE_PRIORITY);
      this.addSourceRecords(EntityKind.PLACE, id, drafts);
      const [createdAt, updatedAt] = receivedRange(drafts);
      places.add([
        id, place.kind, place.name, place.address, grid.code, place.lng, place.lat, place.attributes,
        lineage, createdAt, updatedAt,
      ]);
      this.counts.place++;
      if (places.size >= CHUNK) {
        await this.writer.write(places);
        this.progress('places', id, this.placeCount);
      }
      await this.flush(this.sourceRecords);
      if (id % YIELD_EVERY === 0) await tick();
    }
    await this.writer.write(places);
    await this.flush(this.sourceRecords, true);
    this.progress('places', this.placeCount, this.placeCount);
  }

  /** Everything about a place, derived from its id alone. */
  private describePlace(id: number): PlaceDetails {
    const random = Random.of(this.seed, 'place', id);
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

  private async writePeople(): Promise<void> {
    const persons = new BulkTable('person', PERSON_COLUMNS);
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
        this.generatePerson(id, g, household, random, persons);
        if (persons.size >= CHUNK) {
          await this.writer.write(persons);
          await this.flush(this.personPlaces, true);
          this.progress('people', id, this.people);
        }
        await this.flush(this.sourceRecords);
        if (id % YIELD_EVERY === 0) await tick();
      }
    }
    await this.writer.write(persons);
    await this.flush(this.personPlaces, true);
    await this.flush(this.sourceRecords, true);
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

  private generatePerson(id: number, g: number, h: Household, random: Random, persons: BulkTable): void {
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
    const idNumber = composeIdNumber(addressCode, birthDate, this.idSequence(addressCode, birthDay, male));
    const facts = parseIdNumber(idNumber, BASE_DATE);
    this.birthYear[id] = Number(birthDate.slice(0, 4));

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
          this.addLink(id, employer, PersonPlaceRole.EMPLOYEE, sinceDate(random, birthDay, 18, 15));
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
      this.addLink(id, h.houseId, PersonPlaceRole.RESIDENT, since);
      if (head) this.addLink(id, h.houseId, !h.floating && random.chance(0.8) ? PersonPlaceRole.OWNER : PersonPlaceRole.TENANT, since);
    } else if (h.buildingId > 0) {
      this.addLink(id, h.buildingId, PersonPlaceRole.RESIDENT, sinceDate(random, birthDay, 0, 25));
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
    const drafts: Array<SourceDraft<PersonValues>> = systems.map((source) => {
      const values: PersonValues = { ...truth };
      let observedAt = BASE - random.int(1, OBSERVED_WITHIN_DAYS[source]) * DAY - random.int(0, 86_399) * SECOND;
      if (deviation && deviation.source === source) {
        values[deviation.field] = deviation.value as never;
        if (deviation.field !== 'name') observedAt -= random.int(200, 900) * DAY;
      }
      if (source === SourceSystem.SOCIAL_SECURITY) values.householdType = null;
      const receivedAt = Math.min(observedAt + random.int(60, 6 * 3600) * SECOND, BASE - SECOND);
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
      return {
        source,
        id: ++this.sourceRecordId,
        key: this.personSourceKey(source, grid.code, observedAt),
        version: random.weighted(VERSION_WEIGHTS),
        observedAt,
        receivedAt,
        payload,
        values,
      };
    });
    const candidates = candidatesOf(drafts);
    const { values, lineage } = surviveFields<PersonValues>(candidates, DEFAULT_PERSON_PRIORITY);
    if (deviation && listDisagreements<PersonValues>(candidates, DEFAULT_PERSON_PRIORITY).length > 0) {
      this.peopleWithConflicts++;
    }
    this.addSourceRecords(EntityKind.PERSON, id, drafts);
    const [createdAt, updatedAt] = receivedRange(drafts);
    persons.add([
      id, facts.idNumber, values.name, facts.gender, facts.birthDate, values.phone, values.gridCode, values.address,
      values.householdType, sortedTags, socialSecurity, civilAffairs, governance, lineage, createdAt, updatedAt,
    ]);
    this.counts.person++;
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
    }
    const day = birthDay - ID_FIRST_DAY;
    const slot = (index * ID_DAYS + day) * 2 + (male ? 1 : 0);
    const n = this.idSequences[slot]++;
    if (n >= 499) throw new Error(`ID sequences exhausted for ${addressCode} on day ${day}`);
    const k = ((index * 131 + day * 7 + n) % 499) + 1;
    return male ? 2 * k - 1 : 2 * k;
  }

  private addLink(personId: number, placeId: number, role: PersonPlaceRole, since: string | null): void {
    this.personPlaces.add([++this.personPlaceId, personId, placeId, role, since]);
  }

  private addSourceRecords<T extends object>(kind: EntityKind, entityId: number, drafts: Array<SourceDraft<T>>): void {
    for (const d of drafts) {
      this.sourceRecords.add([d.id, kind, entityId, d.source, d.key, d.version, d.observedAt, d.receivedAt, d.payload]);
    }
  }

  /** Each organisation and shop gets a legal representative: an adult of its grid. */
  private async writeLegalRepresentatives(): Promise<void> {
    const shop = PLACE_KINDS.indexOf(PlaceKind.SHOP);
    const organization = PLACE_KINDS.indexOf(PlaceKind.ORGANIZATION);
    for (let id = 1; id <= this.placeCount; id++) {
      if (this.placeKind[id] !== shop && this.placeKind[id] !== organization) continue;
      const g = this.placeGrid[id];
      const first = this.personStart[g] + 1;
      const count = this.personStart[g + 1] - this.personStart[g];
      if (count === 0) continue;
      const random = Random.of(this.seed, 'legal-representative', id);
      let person = first + Math.floor(random.next() * count);
      for (let tries = 0; tries < 12; tries++) {
        const age = 2026 - this.birthYear[person];
        if (age >= 25 && age <= 70) break;
        person = first + Math.floor(random.next() * count);
      }
      const since = iso(BASE - random.int(60, 15 * 365) * DAY).slice(0, 10);
      this.addLink(person, id, PersonPlaceRole.LEGAL_REPRESENTATIVE, since);
      if (this.personPlaces.size >= CHUNK) {
        await this.writer.write(this.personPlaces);
        this.progress('legal representatives', id, this.placeCount);
        await tick();
      }
    }
    await this.flush(this.personPlaces, true);
    this.progress('legal representatives', this.placeCount, this.placeCount);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Things

  private async writeThings(): Promise<void> {
    const things = new BulkTable('thing', THING_COLUMNS);
    for (let id = 1; id <= this.thingCount; id++) {
      const thing = this.describeThing(id);
      const grid = this.grids[this.thingGrid[id]];
      const random = Random.of(this.seed, 'thing-source', id);
      const source = thing.info.source;
      const observedAt = BASE - random.int(2, 700) * DAY - random.int(0, 86_399) * SECOND;
      const receivedAt = Math.min(observedAt + random.int(60, 3600) * SECOND, BASE - SECOND);
      const values: ThingValues = {
        name: thing.name,
        status: thing.status,
        ownerUnit: thing.ownerUnit,
        address: thing.address,
        gridCode: grid.code,
        location: { lng: thing.lng, lat: thing.lat },
      };
      const n = this.nextKey(`thing:${source}:${thing.info.kind}`);
      const key =
        source === SourceSystem.CITY_MANAGEMENT
          ? `CG-BJ-${thing.componentCode}`
          : `${thing.info.kind === ThingKind.CAMERA ? 'ZZ-SP' : 'ZZ-WH'}-${grid.code.slice(0, 6)}-${pad(n, 7)}`;
      const draft: SourceDraft<ThingValues> = {
        source,
        id: ++this.sourceRecordId,
        key,
        version: random.weighted(VERSION_WEIGHTS),
        observedAt,
        receivedAt,
        values,
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
      };
      const { lineage } = surviveFields<ThingValues>(candidatesOf([draft]), DEFAULT_THING_PRIORITY);
      this.addSourceRecords(EntityKind.THING, id, [draft]);
      things.add([
        id, thing.info.category, thing.info.kind, thing.componentCode, thing.name, thing.status, thing.ownerUnit,
        thing.address, grid.code, thing.lng, thing.lat, lineage, receivedAt, receivedAt,
      ]);
      this.counts.thing++;
      if (things.size >= CHUNK) {
        await this.writer.write(things);
        this.progress('things', id, this.thingCount);
      }
      await this.flush(this.sourceRecords);
      if (id % YIELD_EVERY === 0) await tick();
    }
    await this.writer.write(things);
    await this.flush(this.sourceRecords, true);
    this.progress('things', this.thingCount, this.thingCount);
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

  private async writeIncidents(): Promise<IncidentLog> {
    const incidents = new BulkTable('incident', INCIDENT_COLUMNS);
    const incidentGrid = new Uint16Array(this.incidentCount + 1);
    const incidentCategory = new Uint8Array(this.incidentCount + 1);
    const parties = new BulkTable('incident_party', PARTY_COLUMNS);
    const log = new EventLog();
    const strings = new Interner();
    const gridTable = new WeightedTable(this.grids.map((g) => [g.index, g.weight ** 0.8] as const));
    const caseNumbers = new Map<string, number>();
    let partyId = 0;

    for (let id = 1; id <= this.incidentCount; id++) {
      const random = Random.of(this.seed, 'incident', id);
      // The first 49 incidents cover every category in every state; the rest follow the weights.
      const category = id <= 49 ? CATEGORIES[(id - 1) % 7] : random.weighted(CATEGORY_WEIGHTS);
      const target = id <= 49 ? STATUSES[Math.floor((id - 1) / 7)] : random.weighted(STATUS_WEIGHTS);
      const g = gridTable.pick(random);
      incidentGrid[id] = g;
      incidentCategory[id] = CATEGORIES.indexOf(category);
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
      const countyCode = grid.code.slice(0, 6);
      const day = chinaDate(reportedAt);
      const caseKey = `${countyCode}-${day}`;
      const serial = (caseNumbers.get(caseKey) ?? 0) + 1;
      caseNumbers.set(caseKey, serial);
      const caseNumber = `${countyCode}-${day.replace(/-/g, '')}-${pad(serial, 5)}`;
      const sourceKey = incidentSourceKey(source, day.slice(0, 4), this.nextKey(`incident:${source}`));

      for (const event of flow.events) {
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
      // The record as its source system sent it; every core field it carries points at it (incidents are not merged).
      const shared = { title, description, category, subCategory: template.sub, severity, gridCode: grid.code, address };
      const draft: SourceDraft<IncidentValues> = {
        source,
        id: ++this.sourceRecordId,
        key: sourceKey,
        version: 1,
        observedAt: reportedAt,
        receivedAt: createdAt,
        values: { ...shared, location: { lng, lat }, place: placeId, thing: thingId, reportedAt: iso(reportedAt) },
        payload: {
          ...shared,
          lng,
          lat,
          reportedAt: iso(reportedAt),
          ...(thing ? { componentCode: thing.componentCode } : {}),
          ...(place ? { placeName: place.name } : {}),
        },
      };
      const lineage = soleSourceLineage(candidatesOf([draft])[0]);

      const last = flow.events[flow.events.length - 1];
      incidents.add([
        id, caseNumber, title, description, category, template.sub, severity, source, sourceKey, grid.code, address,
        lng, lat, placeId, thingId, last.to, flow.level, flow.events.length, flow.department, flow.assignee,
        flow.dueOffset === null ? null : at(flow.dueOffset), flow.overdue, flow.feedback, flow.satisfaction,
        reportedAt, flow.closedOffset === null ? null : at(flow.closedOffset), lineage, createdAt, at(last.offset),
      ]);
      this.counts.incident++;
      this.counts.incident_event += flow.events.length;

      // People involved.
      for (const [person, role] of this.incidentParties(random, g, template)) {
        parties.add([++partyId, id, person, role]);
        this.counts.incident_party++;
      }
      this.addSourceRecords(EntityKind.INCIDENT, id, [draft]);

      if (incidents.size >= CHUNK) {
        await this.writer.write(incidents);
        await this.flush(parties, true);
        this.progress('incidents', id, this.incidentCount);
      }
      await this.flush(this.sourceRecords);
      if (id % YIELD_EVERY === 0) await tick();
    }
    await this.writer.write(incidents);
    await this.flush(parties, true);
    await this.flush(this.sourceRecords, true);
    this.progress('incidents', this.incidentCount, this.incidentCount);
    return { events: log, strings, grid: incidentGrid, category: incidentCategory };
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
    const limit = Math.round(DUE_HOURS[category] * SEVERITY_DUE_FACTOR[severity] * 3600);
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
    const dispatch = () => {
      department = fill(random.pick(template.departments));
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
    append(IncidentAction.REPORT, source === SourceSystem.GRID_APP ? `gw-${grid.code}` : source, CREATED_NOTES[source], 0);
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

  /** The event log in time order (ties: creation order), with seq 1… */
  private async writeEvents({ events: log, strings, grid: incidentGrid, category: incidentCategory }: IncidentLog): Promise<void> {
    const order = new Uint32Array(log.length);
    for (let i = 0; i < log.length; i++) order[i] = i;
    const at = log.at;
    order.sort((a, b) => at[a] - at[b] || a - b);
    const events = new BulkTable('incident_event', EVENT_COLUMNS);
    for (let seq = 1; seq <= log.length; seq++) {
      const i = order[seq - 1];
      const incident = log.incident[i];
      events.add([
        seq,
        incident,
        this.grids[incidentGrid[incident]].code,
        CATEGORIES[incidentCategory[incident]],
        EVENT_TYPES[log.type[i]],
        strings.get(log.actor[i]),
        strings.get(log.note[i]),
        log.from[i] < 0 ? null : STATUSES[log.from[i]],
        STATUSES[log.to[i]],
        log.at[i],
      ]);
      if (events.size >= CHUNK) {
        await this.writer.write(events);
        this.progress('incident events', seq, log.length);
        await tick();
      }
    }
    await this.writer.write(events);
    this.progress('incident events', log.length, log.length);
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
type PlaceValues = Record<PlaceCoreField, unknown>;
type ThingValues = Record<ThingCoreField, unknown>;
type IncidentValues = Record<IncidentCoreField, unknown>;

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

function candidatesOf<T extends object>(drafts: Array<SourceDraft<T>>): Array<SourceCandidate<T>> {
  return drafts.map((d) => ({ source: d.source, sourceRecordId: String(d.id), observedAt: new Date(d.observedAt), values: d.values }));
}

function receivedRange(drafts: Array<SourceDraft<object>>): [number, number] {
  let first = Infinity;
  let last = -Infinity;
  for (const d of drafts) {
    first = Math.min(first, d.receivedAt);
    last = Math.max(last, d.receivedAt);
  }
  return [first, last];
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
