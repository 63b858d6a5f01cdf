import { codeRange } from '../src/shared/region-code';

/*
 * The questions of `npm run bench:queries`, one entry each: the GraphQL document gridhub answers, the same question
 * as hand-written SQL (the floor, sent through a bare `pg` pool), and how each request draws its variables from the
 * sets read from the database at start. One draw feeds both, so the gridhub run and the floor run of a question ask
 * the same sequence of questions (same PRNG seed).
 */

/** Values read from the seeded database at start, from which each request draws its variables. */
export interface VariableSets {
  /** Town codes (9 digits). */
  towns: string[];
  /** County (district) codes (6 digits). */
  counties: string[];
  /** Ids of people who reported at least one incident. */
  reporters: string[];
  /** Ids of people. */
  people: string[];
  /** Two-character fragments of real names. */
  nameFragments: string[];
}

/** One request's question: the GraphQL variables and the floor's parameters, drawn together. */
export interface Draw {
  variables: Record<string, unknown>;
  params: unknown[];
}

export type QuestionName = 'Q1' | 'Q2' | 'Q3' | 'Q4' | 'Q5';

/** What a question must reach; each present part is checked. */
export interface Target {
  /** gridhub's requests/s at least this share of the floor's. */
  minShareOfFloor?: number;
  /** gridhub's p99 below this, ms. */
  maxP99Ms?: number;
}

export interface Question {
  name: QuestionName;
  title: string;
  document: string;
  /** Set while the document is a best guess at an API still being built: printed beside its figures. */
  provisional?: string;
  floorSql: string;
  draw(random: () => number, sets: VariableSets): Draw;
  target: Target;
  /** What identifies the answer (case numbers, ids, groups), from gridhub's `data` and from the floor's rows, to check both answer alike. */
  answerKeys(data: any): string[];
  floorKeys(rows: any[]): string[];
}

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)];

/** `[code, next code)`: the grid-code range under a region, as the hub's scope uses it (never open-ended for towns and counties). */
function range(code: string): [string, string] {
  const { low, high } = codeRange(code);
  return [low, high ?? '~'];
}

export const QUESTIONS: readonly Question[] = [
  {
    name: 'Q1',
    title: 'the 50 newest incidents of a town, with grid, place and reporter',
    document: `query Q1($town: String!) {
  incidents(filter: { regionCode: $town }, first: 50, orderBy: { field: REPORTED_AT, direction: DESC }) {
    edges { node { caseNumber title status reportedAt grid { name } place { name address } parties(role: REPORTER) { person { name } } } }
  }
}`,
    // One statement, as a hand-coder would write the page: joins for grid and place, the reporters aggregated, the
    // town through the index of its level (left(grid_code, 9), reported_at, id), as the hub reads it.
    floorSql: `select i.case_number, i.title, i.status, i.reported_at, g.name as grid_name, pl.name as place_name, pl.address as place_address,
  (select coalesce(json_agg(p.name order by ip.id), '[]') from incident_party ip join person p on p.id = ip.person_id
    where ip.incident_id = i.id and ip.role = 'REPORTER') as reporters
from incident i
left join region g on g.code = i.grid_code
left join place pl on pl.id = i.place_id
where left(i.grid_code, 9) = $1
order by i.reported_at desc, i.id desc
limit 50`,
    draw(random, sets) {
      const town = pick(random, sets.towns);
      return { variables: { town }, params: [town] };
    },
    target: { minShareOfFloor: 0.13 },
    answerKeys: (data) => data.incidents.edges.map((edge: any) => edge.node.caseNumber),
    floorKeys: (rows) => rows.map((row) => row.case_number),
  },
  {
    name: 'Q2',
    title: 'a person with grid and the 10 latest incidents they reported',
    document: `query Q2($id: ID!) {
  person(id: $id) {
    name grid { name }
    incidents(role: REPORTER, first: 10, orderBy: { field: REPORTED_AT, direction: DESC }) { role incident { caseNumber title status reportedAt } }
  }
}`,
    floorSql: `select p.name, g.name as grid_name,
  (select coalesce(json_agg(x), '[]') from (
     select i.case_number, i.title, i.status, i.reported_at
     from incident_party ip join incident i on i.id = ip.incident_id
     where ip.person_id = p.id and ip.role = 'REPORTER'
     order by i.reported_at desc, i.id desc limit 10) x) as incidents
from person p left join region g on g.code = p.grid_code
where p.id = $1`,
    draw(random, sets) {
      const id = pick(random, sets.reporters);
      return { variables: { id }, params: [id] };
    },
    target: { minShareOfFloor: 0.13, maxP99Ms: 50 },
    answerKeys: (data) => (data.person?.incidents ?? []).map((link: any) => link.incident.caseNumber),
    floorKeys: (rows) => (rows[0]?.incidents ?? []).map((incident: any) => incident.case_number),
  },
  {
    name: 'Q3',
    title: 'incidentStats of a county by town and status',
    document: `query Q3($county: String!) {
  incidentStats(filter: { regionCode: $county }, groupBy: [TOWN, STATUS]) { groups { key { town status } measures { count } } }
}`,
    floorSql: `select left(grid_code, 9) as town, status, count(*)::int as count
from incident
where grid_code >= $1 and grid_code < $2
group by 1, 2`,
    draw(random, sets) {
      const county = pick(random, sets.counties);
      return { variables: { county }, params: range(county) };
    },
    target: { maxP99Ms: 200 },
    answerKeys: (data) => data.incidentStats.groups.map((group: any) => `${group.key.town}/${group.key.status}/${group.measures.count}`).sort(),
    floorKeys: (rows) => rows.map((row) => `${row.town}/${row.status}/${row.count}`).sort(),
  },
  {
    name: 'Q4',
    title: 'people of a county whose name or address contains a 2-character fragment (text search), first 20',
    document: `query Q4($county: String!, $term: String!) {
  people(filter: { regionCode: $county, search: $term }, first: 20) { edges { node { id name gridCode grid { name } } } }
}`,
    // The fragment's bigram through the same GIN index, then the containment check: what a hand-coder would send.
    floorSql: `select p.id, p.name, p.grid_code, g.name as grid_name
from person p left join region g on g.code = p.grid_code
where p.grid_code >= $1 and p.grid_code < $2 and p.search_keys @> array[$3]::text[]
  and (p.name like '%' || $3 || '%' or p.address like '%' || $3 || '%')
order by p.id
limit 20`,
    draw(random, sets) {
      const county = pick(random, sets.counties);
      const term = pick(random, sets.nameFragments);
      return { variables: { county, term }, params: [...range(county), term] };
    },
    target: { maxP99Ms: 50 },
    answerKeys: (data) => data.people.edges.map((edge: any) => edge.node.id),
    floorKeys: (rows) => rows.map((row) => row.id),
  },
  {
    name: 'Q5',
    title: 'a person with all facets, field lineage and source records',
    document: `query Q5($id: ID!) {
  person(id: $id) {
    id name idNumber gender birthDate phone address householdType tags idCollision gridCode createdAt updatedAt
    socialSecurity { insured pensionType medicalInsurance employer }
    civilAffairs { disabilityGrade allowances { type monthlyAmount since } }
    governance { gridWorker keyPersonCategory riskLevel }
    lineage { field source sourceRecordId }
    sourceRecords { id source sourceKey version observedAt receivedAt payload }
  }
}`,
    floorSql: `select p.*,
  (select coalesce(json_agg(sr order by sr.id), '[]') from (
     select id, source, source_key, version, observed_at, received_at, payload
     from source_record where entity_kind = 'PERSON' and entity_id = p.id) sr) as source_records
from person p
where p.id = $1`,
    draw(random, sets) {
      const id = pick(random, sets.people);
      return { variables: { id }, params: [id] };
    },
    target: { maxP99Ms: 50 },
    answerKeys: (data) => (data.person?.sourceRecords ?? []).map((record: any) => String(record.id)),
    floorKeys: (rows) => (rows[0]?.source_records ?? []).map((record: any) => String(record.id)),
  },
];

/** The same sequence of numbers in [0, 1) for the same seed in every process (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The question named `name`. */
export function questionNamed(name: QuestionName): Question {
  const question = QUESTIONS.find((candidate) => candidate.name === name);
  if (!question) throw new Error(`no question ${name}`);
  return question;
}
