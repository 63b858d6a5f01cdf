import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { composeIdNumber } from '../../src/shared/id-number';
import { SourceSystem } from '../../src/sources/source-system';
import { Hub, startHub } from '../support/harness';

const { COMPREHENSIVE_GOVERNANCE: GOV, SOCIAL_SECURITY: SOC, CIVIL_AFFAIRS: CIV, CITY_MANAGEMENT: CITY, GRID_APP: APP } = SourceSystem;

const MUTATIONS: Record<string, string> = {
  people: 'ingestPeople(source: $source, records: $records)',
  places: 'ingestPlaces(source: $source, records: $records)',
  things: 'ingestThings(source: $source, records: $records)',
  incidents: 'ingestIncidents(source: $source, records: $records)',
};
const INPUTS: Record<string, string> = { people: 'PersonRecordInput', places: 'PlaceRecordInput', things: 'ThingRecordInput', incidents: 'IncidentRecordInput' };

let serial = 700;
const newIdNumber = (birthDate = '1958-09-30') => composeIdNumber('110108', birthDate, serial++);

describe('ingestion: merging across the four systems', () => {
  let hub: Hub;
  let admin: string;
  let grid: string;
  /** A point inside `grid`'s boundary. */
  let inside: { lng: number; lat: number };

  const ingest = async (kind: string, source: SourceSystem, records: unknown[], token = admin) => {
    const response = await hub.gql(
      token,
      `mutation ($source: SourceSystem!, $records: [${INPUTS[kind]}!]!) {
        report: ${MUTATIONS[kind]} { created updated unchanged stale rejected results { sourceKey outcome entityId errors { field message } } }
      }`,
      { source, records },
    );
    expect(response.errors).toBeUndefined();
    return response.data.report;
  };

  beforeAll(async () => {
    // Twenty batches at once on a busy 2-core machine: let them queue for their slots as long as they need.
    hub = await startHub({ limits: { maxQueueWaitMs: 120_000, maxQueued: 1000 } });
    admin = await hub.token({ roles: [Role.ADMIN] });
    const [row] = await hub.sql(
      `select code, boundary from region where level = 'GRID' and code like '150302%' and boundary is not null order by code limit 1`,
    );
    grid = row.code;
    const ring: number[][] = row.boundary.coordinates[0];
    const lngs = ring.map((p) => p[0]);
    const lats = ring.map((p) => p[1]);
    inside = { lng: (Math.min(...lngs) + Math.max(...lngs)) / 2, lat: (Math.min(...lats) + Math.max(...lats)) / 2 };
  });
  afterAll(() => hub.close());

  it('merges one person from all four systems: facets, tags, lineage by source priority, and a conflict', async () => {
    const idNumber = newIdNumber();
    const shared = { idNumber, version: 1, gridCode: grid };
    const gov = await ingest('people', GOV, [{ ...shared, sourceKey: 'ZZ-M-1', name: '刘桂兰', phone: '13900000001', address: '海勃湾区团结路8号3栋2单元502',
      householdType: 'REGISTERED', tags: ['ELDERLY_LIVING_ALONE'], governance: { keyPersonCategory: null, riskLevel: 'LOW', gridWorker: '王网格' } }]);
    await ingest('people', SOC, [{ ...shared, sourceKey: 'SB-M-1', name: '刘桂兰', phone: '13900000002',
      socialSecurity: { insured: true, pensionType: 'URBAN_EMPLOYEE', medicalInsurance: 'EMPLOYEE', employer: '乌海市第一中学' } }]);
    await ingest('people', CIV, [{ ...shared, sourceKey: 'MZ-M-1', name: '刘桂兰', tags: ['DISABLED'],
      civilAffairs: { allowances: [{ type: 'SENIOR', monthlyAmount: 100, since: '2023-01-01' }], disabilityGrade: 3 } }]);
    const app = await ingest('people', APP, [{ ...shared, sourceKey: 'WG-M-1', name: '刘贵兰', phone: '13900000001', tags: ['LEFT_BEHIND_CHILD'] }]);
    const id = gov.results[0].entityId;
    expect(app.results[0].entityId).toBe(id); // 贵/桂: a known variant of one name
    const { data, errors } = await hub.gql(admin, `query($id: ID!) { person(id: $id) {
      name phone tags idNumber gender birthDate address
      socialSecurity { insured pensionType employer } civilAffairs { disabilityGrade allowances { type monthlyAmount } }
      governance { riskLevel gridWorker }
      lineage { field source sourceRecordId }
      sourceRecords { source sourceKey version }
    } }`, { id });
    expect(errors).toBeUndefined();
    const person = data.person;
    expect(person).toMatchObject({
      name: '刘桂兰',
      phone: '13900000002', // social security is trusted first for phones
      address: '海勃湾区团结路8号3栋2单元502',
      tags: ['ELDERLY_LIVING_ALONE', 'LEFT_BEHIND_CHILD', 'DISABLED'],
      idNumber,
      birthDate: '1958-09-30',
      socialSecurity: { insured: true, pensionType: 'URBAN_EMPLOYEE', employer: '乌海市第一中学' },
      civilAffairs: { disabilityGrade: 3, allowances: [{ type: 'SENIOR', monthlyAmount: 100 }] },
      governance: { riskLevel: 'LOW', gridWorker: '王网格' },
    });
    expect(person.sourceRecords.map((r: any) => r.source).sort()).toEqual([APP, CIV, GOV, SOC].sort());
    const lineage = Object.fromEntries(person.lineage.map((l: any) => [l.field, l.source]));
    expect(lineage).toMatchObject({ name: GOV, phone: SOC, address: GOV, socialSecurity: SOC, civilAffairs: CIV, governance: GOV });

    const conflicts = await hub.gql(admin, `query($id: ID!) { dataConflicts(filter: { entityKind: PERSON, entityId: $id }) {
      totalCount edges { node { field kind values { source value } } } } }`, { id });
    expect(conflicts.errors).toBeUndefined();
    const byField = Object.fromEntries(conflicts.data.dataConflicts.edges.map((e: any) => [e.node.field, e.node]));
    expect(Object.keys(byField).sort()).toEqual(['name', 'phone']);
    expect(byField.phone.values[0]).toEqual({ source: SOC, value: '13900000002' });
    expect(byField.name.values.map((v: any) => v.value)).toEqual(['刘桂兰', '刘桂兰', '刘桂兰', '刘贵兰']);

    // An analyst sees the conflict masked; a department may not read conflicts at all.
    const analyst = await hub.token({ roles: [Role.ANALYST], region: '150302' });
    const masked = await hub.gql(analyst, `query($id: ID!) { dataConflicts(filter: { entityKind: PERSON, entityId: $id, field: "phone" }) {
      edges { node { values { value } } } } }`, { id });
    expect(masked.data.dataConflicts.edges[0].node.values.map((v: any) => v.value)).toEqual(['139****0002', '139****0001', '139****0001']);
    const department = await hub.token({ roles: [Role.DEPARTMENT], source: SOC, region: '150302' });
    const refused = await hub.gql(department, `{ dataConflicts { totalCount } }`);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // When the sources come to agree, the conflict goes.
    await ingest('people', APP, [{ ...shared, version: 2, sourceKey: 'WG-M-1', name: '刘桂兰', phone: '13900000002', tags: ['LEFT_BEHIND_CHILD'] }]);
    await ingest('people', GOV, [{ ...shared, version: 2, sourceKey: 'ZZ-M-1', name: '刘桂兰', phone: '13900000002', address: '海勃湾区团结路8号3栋2单元502',
      householdType: 'REGISTERED', tags: ['ELDERLY_LIVING_ALONE'], governance: { riskLevel: 'LOW', gridWorker: '王网格' } }]);
    const after = await hub.sql(`select field from data_conflict where entity_kind = 'PERSON' and entity_id = $1 order by field`, [id]);
    expect(after).toEqual([]);
  });

  it('places a record without a grid code in the grid whose boundary contains its point; outside every grid it is rejected', async () => {
    const report = await ingest('people', APP, [
      { sourceKey: 'WG-P-1', version: 1, idNumber: newIdNumber(), name: '周敏', ...inside },
      { sourceKey: 'WG-P-2', version: 1, idNumber: newIdNumber(), name: '吴刚', lng: 100.0, lat: 30.0 },
      { sourceKey: 'WG-P-3', version: 1, idNumber: newIdNumber(), name: '郑华', lng: 200, lat: 30.0 },
    ]);
    expect(report.results.map((r: any) => r.outcome)).toEqual(['CREATED', 'REJECTED', 'REJECTED']);
    expect(report.results[1].errors).toEqual([{ field: 'lng', message: expect.stringContaining('lies in no registered grid') }]);
    expect(report.results[2].errors[0].field).toBe('lng');
    const [row] = await hub.sql(`select grid_code from person where id = $1`, [report.results[0].entityId]);
    expect(row.grid_code).toBe(grid);
  });

  it('keeps people without a valid citizen ID apart, never merged by name', async () => {
    const record = { version: 1, name: '阿卜杜拉', gender: 'MALE', birthDate: '1990-01-01', gridCode: grid };
    const report = await ingest('people', GOV, [
      { ...record, sourceKey: 'ZZ-F-1', idNumber: 'P1234567' },
      { ...record, sourceKey: 'ZZ-F-2' },
      { ...record, sourceKey: 'ZZ-F-3', idNumber: 'H12345678' },
    ]);
    expect(report.created).toBe(3);
    const ids = new Set(report.results.map((r: any) => r.entityId));
    expect(ids.size).toBe(3);
    const rows = await hub.sql(`select id_number, gender, birth_date::text from person where id = any($1::bigint[])`, [[...ids]]);
    expect(rows).toEqual(Array(3).fill({ id_number: null, gender: 'MALE', birth_date: '1990-01-01' }));
    const { data } = await hub.gql(admin, `query($id: ID!) { person(id: $id) { idNumber gender birthDate idCollision } }`, { id: report.results[0].entityId });
    expect(data.person).toEqual({ idNumber: null, gender: 'MALE', birthDate: '1990-01-01', idCollision: false });
  });

  it('matches places by normalised address within a grid, links people by ID number or source key, and rejects unresolved links alone', async () => {
    const resident = newIdNumber('1985-04-04');
    await ingest('people', GOV, [{ sourceKey: 'ZZ-PL-P1', version: 1, idNumber: resident, name: '孙丽', gridCode: grid }]);
    const first = await ingest('places', GOV, [{
      sourceKey: 'ZZ-PL-1', version: 1, kind: 'RESIDENTIAL_BUILDING', name: '团结小区3号楼', address: '海勃湾区团结路８号　３号楼', gridCode: grid,
      attributes: { floors: 6, unitCount: 3 }, people: [{ idNumber: resident, role: 'RESIDENT', since: '2010-05-01' }, { personSourceKey: 'ZZ-PL-P1', role: 'OWNER' }],
    }]);
    expect(first.results[0].outcome).toBe('CREATED');
    const second = await ingest('places', APP, [
      { sourceKey: 'WG-PL-1', version: 1, kind: 'RESIDENTIAL_BUILDING', name: '团结小区3栋', address: '海勃湾区团结路8号3栋', gridCode: grid, ...inside },
      { sourceKey: 'WG-PL-2', version: 1, kind: 'HOUSE', name: '某房屋', address: '海勃湾区团结路9号', gridCode: grid, people: [{ idNumber: newIdNumber(), role: 'TENANT' }] },
      { sourceKey: 'WG-PL-3', version: 1, kind: 'HOUSE', name: '某房屋', address: '海勃湾区团结路10号', gridCode: grid, attributes: { studentCount: 3 } },
    ]);
    expect(second.results.map((r: any) => r.outcome)).toEqual(['CREATED', 'REJECTED', 'REJECTED']);
    expect(second.results[0].entityId).toBe(first.results[0].entityId);
    expect(second.results[1].errors).toEqual([{ field: 'people[0].idNumber', message: 'no person with this ID number is known' }]);
    expect(second.results[2].errors[0].field).toBe('attributes.studentCount');
    const { data } = await hub.gql(admin, `query($id: ID!) { place(id: $id) { name address lineage { field source } people { role person { idNumber } } } }`, {
      id: first.results[0].entityId,
    });
    expect(data.place.name).toBe('团结小区3号楼');
    expect(data.place.people.map((l: any) => l.role).sort()).toEqual(['OWNER', 'RESIDENT']);
    expect(Object.fromEntries(data.place.lineage.map((l: any) => [l.field, l.source]))).toMatchObject({ name: GOV, location: APP });
    const links = await hub.sql(`select source from person_place where place_id = $1`, [first.results[0].entityId]);
    expect(links).toEqual([{ source: GOV }, { source: GOV }]);

    // The grid app sends the same resident: one link to everyone but the departments, each of which sees its own.
    await ingest('places', APP, [{ sourceKey: 'WG-PL-1', version: 2, kind: 'RESIDENTIAL_BUILDING', name: '团结小区3栋', address: '海勃湾区团结路8号3栋',
      gridCode: grid, ...inside, people: [{ idNumber: resident, role: 'RESIDENT' }] }]);
    const PEOPLE = `query($id: ID!) { place(id: $id) { people { role } } }`;
    const roles = async (token: string) =>
      ((await hub.gql(token, PEOPLE, { id: first.results[0].entityId })).data.place?.people ?? []).map((l: any) => l.role).sort();
    expect(await roles(admin)).toEqual(['OWNER', 'RESIDENT']);
    expect(await roles(await hub.token({ roles: [Role.DEPARTMENT], source: GOV, region: '150302' }))).toEqual(['OWNER', 'RESIDENT']);
    // The grid app sent the link but never that person: a department sees only people its own system sent.
    expect(await roles(await hub.token({ roles: [Role.DEPARTMENT], source: APP, region: '150302' }))).toEqual([]);
    await ingest('people', APP, [{ sourceKey: 'WG-PL-P1', version: 1, idNumber: resident, name: '孙丽', gridCode: grid }]);
    expect(await roles(await hub.token({ roles: [Role.DEPARTMENT], source: APP, region: '150302' }))).toEqual(['RESIDENT']);
    expect(await hub.sql(`select count(*)::int as n from person_place where place_id = $1`, [first.results[0].entityId])).toEqual([{ n: 3 }]);
  });

  it('matches things by component code across sources, with city management trusted first', async () => {
    const code = '1503020101000777';
    const a = await ingest('things', APP, [{ sourceKey: 'WG-T-1', version: 1, componentCode: code, kind: 'MANHOLE_COVER', name: '井盖', status: 'DAMAGED', gridCode: grid }]);
    const b = await ingest('things', CITY, [{ sourceKey: 'CG-T-1', version: 1, componentCode: code, kind: 'MANHOLE_COVER', name: '雨水井盖', status: 'NORMAL', ownerUnit: '市政处', gridCode: grid }]);
    expect(b.results[0].entityId).toBe(a.results[0].entityId);
    const [thing] = await hub.sql(`select name, status, owner_unit, category from thing where id = $1`, [a.results[0].entityId]);
    expect(thing).toEqual({ name: '雨水井盖', status: 'NORMAL', owner_unit: '市政处', category: 'PUBLIC_UTILITIES' });
    const bad = await ingest('things', CITY, [{ sourceKey: 'CG-T-2', version: 1, componentCode: 'x', kind: 'CAMERA', category: 'GREENERY', name: '探头', gridCode: grid }]);
    expect(bad.results[0].errors.map((e: any) => e.field).sort()).toEqual(['category', 'componentCode']);
  });

  it('creates incidents with a case number and a CREATED event, updates them with an UPDATED event, and links likely duplicates', async () => {
    const reporter = newIdNumber('1977-07-07');
    await ingest('people', GOV, [{ sourceKey: 'ZZ-I-P1', version: 1, idNumber: reporter, name: '钱进', gridCode: grid }]);
    const reportedAt = '2026-11-20T09:00:00+08:00';
    const created = await ingest('incidents', GOV, [{
      sourceKey: 'ZZ-I-1', version: 1, title: '楼道堆放杂物', category: 'SAFETY_HAZARD', severity: 'HIGH', reportedAt, ...inside,
      people: [{ idNumber: reporter, role: 'REPORTER' }],
    }]);
    expect(created.results[0].outcome).toBe('CREATED');
    const id = created.results[0].entityId;
    const [incident] = await hub.sql(`select case_number, status, version, grid_code from incident where id = $1`, [id]);
    expect(incident).toMatchObject({ status: 'REPORTED', version: 1, grid_code: grid });
    expect(incident.case_number).toMatch(new RegExp(`^${grid.slice(0, 6)}-20261120-\\d{5}$`));
    const updated = await ingest('incidents', GOV, [{ sourceKey: 'ZZ-I-1', version: 2, title: '楼道堆放杂物（已复核）', category: 'SAFETY_HAZARD', severity: 'HIGH', reportedAt, ...inside }]);
    expect(updated.results[0]).toMatchObject({ outcome: 'UPDATED', entityId: id });
    const events = await hub.sql(`select type, from_status, to_status from incident_event where incident_id = $1 order by seq`, [id]);
    expect(events).toEqual([
      { type: 'CREATED', from_status: null, to_status: 'REPORTED' },
      { type: 'UPDATED', from_status: 'REPORTED', to_status: 'REPORTED' },
    ]);
    const parties = await hub.sql(`select role, source from incident_party where incident_id = $1`, [id]);
    expect(parties).toEqual([{ role: 'REPORTER', source: GOV }]);

    // The grid app reports the same thing 40 minutes later, a few metres away: linked for review, not merged.
    const near = { lng: inside.lng + 0.0002, lat: inside.lat };
    const duplicate = await ingest('incidents', APP, [{
      sourceKey: 'WG-I-1', version: 1, title: '楼道杂物堵塞', category: 'SAFETY_HAZARD', reportedAt: '2026-11-20T09:40:00+08:00', ...near,
    }]);
    const other = duplicate.results[0].entityId;
    expect(other).not.toBe(id);
    const conflicts = await hub.sql(`select kind, related_entity_id::text from data_conflict where entity_kind = 'INCIDENT' and entity_id = $1`, [other]);
    expect(conflicts).toEqual([{ kind: 'POSSIBLE_DUPLICATE', related_entity_id: id }]);
    // Another category, or three hours later: no link.
    const unrelated = await ingest('incidents', APP, [
      { sourceKey: 'WG-I-2', version: 1, title: '噪音', category: 'DISPUTE', reportedAt: '2026-11-20T09:40:00+08:00', ...near },
      { sourceKey: 'WG-I-3', version: 1, title: '杂物', category: 'SAFETY_HAZARD', reportedAt: '2026-11-20T12:30:00+08:00', ...near },
    ]);
    const linked = await hub.sql(`select 1 from data_conflict where entity_kind = 'INCIDENT' and entity_id = any($1::bigint[])`, [
      unrelated.results.map((r: any) => r.entityId),
    ]);
    expect(linked).toEqual([]);
  });

  it('loses no update under twenty concurrent batches from the four systems touching the same people, and surfaces no deadlock', async () => {
    const people = Array.from({ length: 200 }, () => newIdNumber('1990-02-02'));
    const sources = [GOV, SOC, CIV, APP];
    // Each system with its own token, as in production; five batches of each in flight at once.
    const tokens = new Map(
      await Promise.all(sources.map(async (source) => [source, await hub.token({ sub: `dept-${source}`, roles: [Role.DEPARTMENT], source, region: '1503' })] as const)),
    );
    const batches = Array.from({ length: 20 }, (_, b) => {
      const source = sources[b % 4];
      const round = Math.floor(b / 4); // each source sends five versions
      // Each batch touches the people in another order, so that lock orders would cross without care.
      const order = b % 2 === 0 ? people : [...people].reverse();
      return ingest(
        'people',
        source,
        order.map((idNumber, i) => ({
          sourceKey: `${source}-CC-${idNumber}`,
          version: round + 1,
          idNumber,
          name: '并发测试',
          phone: `1380000${String(round).padStart(2, '0')}${String(i % 100).padStart(2, '0')}`,
          gridCode: grid,
        })),
        tokens.get(source),
      );
    });
    const reports = await Promise.all(batches);
    for (const report of reports) expect(report.rejected).toBe(0);
    const persons = await hub.sql(`select count(*)::int as n from person where id_number = any($1::text[])`, [people]);
    expect(persons[0].n).toBe(200);
    const records = await hub.sql(
      `select count(*)::int as n, min(version)::int as lo, max(version)::int as hi from source_record where source_key like '%-CC-%'`,
    );
    // Four records per person, each at the last version its source sent (versions may arrive out of order: older ones are STALE).
    expect(records[0]).toEqual({ n: 800, lo: 5, hi: 5 });
    const versions = await hub.sql(`select count(*)::int as n from source_record_version v join source_record s on s.id = v.source_record_id where s.source_key like '%-CC-%'`);
    expect(versions[0].n).toBeGreaterThanOrEqual(800);
    expect(versions[0].n).toBeLessThanOrEqual(4000);
  });
});
