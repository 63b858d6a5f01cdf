import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { composeIdNumber } from '../../src/shared/id-number';
import { SourceSystem } from '../../src/sources/source-system';
import { Hub, ok, startHub } from '../support/harness';

/*
 * A hostile department system against the ingest mutations. Every test here reproduces a defect found by attacking
 * the service: it fails on the code it was written against and passes once the defect is fixed.
 */

const REPORT = 'created updated unchanged stale rejected results { sourceKey outcome entityId errors { field message } }';
const mutation = (name: string, input: string) =>
  `mutation ($source: SourceSystem!, $records: [${input}!]!) { ${name}(source: $source, records: $records) { ${REPORT} } }`;
const INGEST = {
  people: mutation('ingestPeople', 'PersonRecordInput'),
  places: mutation('ingestPlaces', 'PlaceRecordInput'),
  things: mutation('ingestThings', 'ThingRecordInput'),
  incidents: mutation('ingestIncidents', 'IncidentRecordInput'),
};
const FIELD = { people: 'ingestPeople', places: 'ingestPlaces', things: 'ingestThings', incidents: 'ingestIncidents' } as const;

/** ID numbers nobody in the demo city holds (address code of another province), at most 999 per birth date. */
const serials = new Map<string, number>();
const freshId = (birthDate = '1971-04-05') => {
  const serial = (serials.get(birthDate) ?? 0) + 1;
  serials.set(birthDate, serial);
  return composeIdNumber('120105', birthDate, serial);
};

describe('ingestion under attack', () => {
  let hub: Hub;
  let grid: string;
  let grid2: string;
  /** DEPARTMENT tokens of region 150302. */
  const dept: Partial<Record<SourceSystem, string>> = {};
  let commandCenter: string;
  let analyst: string;

  const ingest = async (kind: keyof typeof INGEST, token: string, source: SourceSystem, records: unknown[]) =>
    hub.gql(token, INGEST[kind], { source, records });
  const report = async (kind: keyof typeof INGEST, token: string, source: SourceSystem, records: unknown[]) =>
    ok(await ingest(kind, token, source, records))[FIELD[kind]];

  beforeAll(async () => {
    hub = await startHub();
    [{ code: grid }, { code: grid2 }] = await hub.sql(`select code from region where level = 'GRID' and code like '150302%' order by code limit 2`);
    for (const source of Object.values(SourceSystem)) {
      dept[source] = await hub.token({ roles: [Role.DEPARTMENT], source, region: '150302', sub: `dept-${source}` });
    }
    commandCenter = await hub.token({ roles: [Role.COMMAND_CENTER], region: '150302', sub: 'cc' });
    analyst = await hub.token({ roles: [Role.ANALYST], region: '150302', sub: 'analyst' });
  });
  afterAll(() => hub.close());

  it('a NUL character in one idNumber does not fail the whole batch', async () => {
    const response = await ingest('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [
      { sourceKey: 'NUL-1', version: 1, name: '测试甲', gridCode: grid, idNumber: 'AB\u0000CD' },
      { sourceKey: 'NUL-2', version: 1, name: '无辜乙', gridCode: grid },
    ]);
    // Before the fix: the whole batch fails with BAD_USER_INPUT "a value is out of range or malformed" (jsonb refuses \u0000)
    // and the innocent record is lost.
    expect(response.errors).toBeUndefined();
    expect(response.data.ingestPeople.results.map((r: any) => r.outcome)).toEqual([expect.stringMatching(/^(REJECTED|CREATED)$/), 'CREATED']);
  });

  it('a department cannot merge into, or overwrite, a person of another county by citing its ID number', async () => {
    const [holder] = await hub.sql(
      `select id::text, id_number, name, grid_code, phone, tags, civil_affairs from person where grid_code like '150303%' and id_number is not null and not id_collision order by id limit 1`,
    );
    const result = (
      await report('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [
        { sourceKey: 'XR-P1', version: 1, idNumber: holder.id_number, name: holder.name, gridCode: grid, tags: ['LOW_INCOME', 'EXTREME_POVERTY'],
          civilAffairs: { allowances: [{ type: 'LOW_INCOME', monthlyAmount: 0 }] } },
      ])
    ).results[0];
    // Before the fix: CREATED with entityId = the holder's id (an existence and name oracle), and the holder's facet and tags rewritten.
    expect(result.entityId).not.toBe(holder.id);
    const [after] = await hub.sql(`select id::text, id_number, name, grid_code, phone, tags, civil_affairs from person where id = $1`, [holder.id]);
    expect(after).toEqual(holder);
  });

  it('an ID collision does not show region 150302 the name and birth date of a holder in another county', async () => {
    const [holder] = await hub.sql(
      `select id::text, id_number, name from person where grid_code like '150303%' and id_number is not null and not id_collision order by id desc limit 1`,
    );
    const { entityId } = (
      await report('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: 'XR-P2', version: 1, idNumber: holder.id_number, name: '王某某', gridCode: grid }])
    ).results[0];
    const data = ok(
      await hub.gql(commandCenter, `query ($id: ID!) { dataConflicts(filter: { entityKind: PERSON, entityId: $id }) { edges { node { relatedEntityId values { entityId value } } } } }`, { id: entityId }),
    );
    // Before the fix: the command center of 150302 reads the holder's name (and full birth date) and id from county 150303.
    expect(JSON.stringify(data)).not.toContain(holder.name);
    expect(JSON.stringify(data)).not.toContain(`"${holder.id}"`);
  });

  it('a department cannot take over a thing of another county by its component code', async () => {
    const [thing] = await hub.sql(`select id::text, component_code, kind, name, grid_code, status from thing where grid_code like '150303%' order by id limit 1`);
    const result = (
      await report('things', dept.CITY_MANAGEMENT!, SourceSystem.CITY_MANAGEMENT, [
        { sourceKey: 'XR-T1', version: 1, componentCode: thing.component_code, kind: thing.kind, name: '被劫持', status: 'REMOVED', gridCode: grid },
      ])
    ).results[0];
    // Before the fix: CREATED into the other county's thing, which moves into 150302, renamed and REMOVED.
    expect(result.entityId).not.toBe(thing.id);
    const [after] = await hub.sql(`select id::text, component_code, kind, name, grid_code, status from thing where id = $1`, [thing.id]);
    expect(after).toEqual(thing);
  });

  it('a department cannot take over a place of another county by its credit code', async () => {
    const creditCode = '91150303MA0N000001';
    const admin = await hub.token({ roles: [Role.ADMIN] });
    const [{ code: otherGrid }] = await hub.sql(`select code from region where level = 'GRID' and code like '150303%' order by code limit 1`);
    const original = (
      await report('places', admin, SourceSystem.COMPREHENSIVE_GOVERNANCE, [
        { sourceKey: 'XR-PL0', version: 1, kind: 'ORGANIZATION', name: '乌达某公司', address: '乌达区某路1号', gridCode: otherGrid, attributes: { creditCode } },
      ])
    ).results[0].entityId;
    const result = (
      await report('places', dept.COMPREHENSIVE_GOVERNANCE!, SourceSystem.COMPREHENSIVE_GOVERNANCE, [
        { sourceKey: 'XR-PL1', version: 1, kind: 'ORGANIZATION', name: '冒名公司', address: '海勃湾区1号', gridCode: grid, attributes: { creditCode } },
      ])
    ).results[0];
    expect(result.entityId).not.toBe(original);
    const [after] = await hub.sql(`select name, grid_code from place where id = $1`, [original]);
    expect(after).toEqual({ name: '乌达某公司', grid_code: otherGrid });
  });

  it("a department cannot rewrite its source's record of another county by its sourceKey", async () => {
    const [incident] = await hub.sql(
      `select i.id::text, i.source_key, i.title, i.grid_code, i.category, s.version::int from incident i
         join source_record s on s.entity_kind = 'INCIDENT' and s.source = i.source and s.source_key = i.source_key
        where i.grid_code like '150303%' and i.source = 'COMPREHENSIVE_GOVERNANCE' order by i.id limit 1`,
    );
    const probe = await report('incidents', dept.COMPREHENSIVE_GOVERNANCE!, SourceSystem.COMPREHENSIVE_GOVERNANCE, [
      { sourceKey: incident.source_key, version: incident.version + 1, title: '已被改写', category: 'OTHER', gridCode: grid },
    ]);
    // Before the fix: UPDATED, and the other county's case moves into 150302 with the new title.
    expect(probe.results[0].outcome).not.toBe('UPDATED');
    const [after] = await hub.sql(`select id::text, source_key, title, grid_code, category from incident where id = $1`, [incident.id]);
    expect(after).toEqual({ id: incident.id, source_key: incident.source_key, title: incident.title, grid_code: incident.grid_code, category: incident.category });
  });

  it('a person record whose ID number changes keeps its place links and incident parties, and leaves no dangling conflict', async () => {
    const [a, b] = [freshId('1966-06-06'), freshId('1966-06-06')];
    const ca = dept.CIVIL_AFFAIRS!;
    const person = (await report('people', ca, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: 'MV-1', version: 1, idNumber: a, name: '移动人', gridCode: grid }])).results[0].entityId;
    const place = (
      await report('places', ca, SourceSystem.CIVIL_AFFAIRS, [
        { sourceKey: 'MV-PL', version: 1, kind: 'HOUSE', name: '移动之家', address: '移动路1号', gridCode: grid, people: [{ personSourceKey: 'MV-1', role: 'RESIDENT' }] },
      ])
    ).results[0].entityId;
    const incident = (
      await report('incidents', ca, SourceSystem.CIVIL_AFFAIRS, [
        { sourceKey: 'MV-IN', version: 1, title: '移动事件', category: 'DISPUTE', gridCode: grid, people: [{ personSourceKey: 'MV-1', role: 'PARTY' }] },
      ])
    ).results[0].entityId;
    await report('people', dept.SOCIAL_SECURITY!, SourceSystem.SOCIAL_SECURITY, [{ sourceKey: 'MV-C', version: 1, idNumber: a, name: '冒名者', gridCode: grid }]);

    const moved = (await report('people', ca, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: 'MV-1', version: 2, idNumber: b, name: '移动人', gridCode: grid }])).results[0];
    expect(moved.outcome).toBe('UPDATED');
    expect(await hub.sql(`select id from person where id = $1`, [person])).toHaveLength(0);
    // Before the fix: both are cascade-deleted with the emptied person, and re-sending the place record (UNCHANGED) does not restore them.
    expect(await hub.sql(`select person_id::text from person_place where place_id = $1`, [place])).toEqual([{ person_id: moved.entityId }]);
    expect(await hub.sql(`select person_id::text from incident_party where incident_id = $1`, [incident])).toEqual([{ person_id: moved.entityId }]);
    // Before the fix: the ID_COLLISION conflict still names the deleted person as relatedEntityId.
    expect(await hub.sql(`select id from data_conflict c where c.related_entity_id = $1`, [person])).toHaveLength(0);
  });

  it("a place record that moves to another place takes its source's people links with it", async () => {
    const [x, y] = [freshId(), freshId()];
    await report('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [
      { sourceKey: 'PM-P0', version: 1, idNumber: x, name: '住户甲', gridCode: grid },
      { sourceKey: 'PM-P1', version: 1, idNumber: y, name: '住户乙', gridCode: grid },
    ]);
    const [p1, p2] = (
      await report('places', dept.COMPREHENSIVE_GOVERNANCE!, SourceSystem.COMPREHENSIVE_GOVERNANCE, [
        { sourceKey: 'PM-Z1', version: 1, kind: 'HOUSE', name: '甲房', address: '搬迁路1号', gridCode: grid },
        { sourceKey: 'PM-Z2', version: 1, kind: 'HOUSE', name: '乙房', address: '搬迁路2号', gridCode: grid },
      ])
    ).results.map((r: any) => r.entityId);
    await report('places', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [
      { sourceKey: 'PM-C1', version: 1, kind: 'HOUSE', name: '甲房', address: '搬迁路1号', gridCode: grid, people: [{ idNumber: x, role: 'RESIDENT' }] },
    ]);
    const moved = await report('places', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [
      { sourceKey: 'PM-C1', version: 2, placeId: p2, kind: 'HOUSE', name: '乙房', gridCode: grid, people: [{ idNumber: y, role: 'RESIDENT' }] },
    ]);
    expect(moved.results[0]).toMatchObject({ outcome: 'UPDATED', entityId: p2 });
    // Before the fix: the civil affairs link to 住户甲 stays on 甲房, where civil affairs no longer has any record.
    expect(await hub.sql(`select person_id from person_place where place_id = $1 and source = 'CIVIL_AFFAIRS'`, [p1])).toHaveLength(0);
  });

  it("emptying a place does not silently drop another source's incident reference to it", async () => {
    const place = (
      await report('places', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: 'PO-1', version: 1, kind: 'HOUSE', name: '丙房', address: '搬迁路3号', gridCode: grid }])
    ).results[0].entityId;
    const incident = (
      await report('incidents', dept.COMPREHENSIVE_GOVERNANCE!, SourceSystem.COMPREHENSIVE_GOVERNANCE, [
        { sourceKey: 'PO-IN', version: 1, title: '丙房漏水', category: 'SAFETY_HAZARD', gridCode: grid, place: { id: place } },
      ])
    ).results[0].entityId;
    const [{ id: other }] = await hub.sql(`select id::text from place where grid_code like '150302%' and id <> $1 order by id limit 1`, [place]);
    await report('places', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: 'PO-1', version: 2, placeId: other, kind: 'HOUSE', name: '别处', gridCode: grid }]);
    // Before the fix: the place is deleted and the governance incident's place_id is set null, while its lineage still names the place.
    expect(await hub.sql(`select place_id::text from incident where id = $1`, [incident])).toEqual([{ place_id: place }]);
  });

  it("a source withdraws a tag by sending its newest record without it, even when it has two records of the person", async () => {
    const id = freshId('1950-02-02');
    const { results } = await report('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [
      { sourceKey: 'TG-1', version: 1, observedAt: '2026-01-01T00:00:00Z', idNumber: id, name: '标签人', gridCode: grid, tags: ['LOW_INCOME'] },
      { sourceKey: 'TG-2', version: 1, observedAt: '2026-02-01T00:00:00Z', idNumber: id, name: '标签人', gridCode: grid, tags: [] },
    ]);
    expect(results[1].entityId).toBe(results[0].entityId);
    // Before the fix: LOW_INCOME stays: tags are the union of every record, not of each source's newest.
    expect(await hub.sql(`select tags from person where id = $1`, [results[0].entityId])).toEqual([{ tags: [] }]);
  });

  it('masks every phone value of a phone conflict for ANALYST, whatever its shape', async () => {
    const id = freshId('1960-07-07');
    const phone = '1-3-9-1-2-3-4-5-6-7-8';
    const person = (
      await report('people', dept.SOCIAL_SECURITY!, SourceSystem.SOCIAL_SECURITY, [{ sourceKey: 'PH-1', version: 1, idNumber: id, name: '电话人', gridCode: grid, phone }])
    ).results[0].entityId;
    await report('people', dept.GRID_APP!, SourceSystem.GRID_APP, [{ sourceKey: 'PH-G1', version: 1, idNumber: id, name: '电话人', gridCode: grid, phone: '13800000000' }]);
    const data = ok(
      await hub.gql(analyst, `query ($id: ID!) { dataConflicts(filter: { entityKind: PERSON, entityId: $id, field: "phone" }) { edges { node { values { value } } } } }`, { id: person }),
    );
    const values = data.dataConflicts.edges[0].node.values.map((v: any) => v.value);
    // Before the fix: "1-3-9-1-2-3-4-5-6-7-8" is returned in clear (Person.phone itself is masked).
    expect(values).not.toContain(phone);
  });

  it('a batch linking a person that a concurrent batch empties is not failed as a whole', async () => {
    const base = Array.from({ length: 300 }, () => freshId('1970-01-01'));
    await report('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, base.map((idNumber, i) => ({ sourceKey: `RB-${i}`, version: 1, idNumber, name: `住户${i}`, gridCode: grid })));
    const failures: string[] = [];
    for (let round = 0; round < 3; round++) {
      const [x, y] = [freshId('1971-01-01'), freshId('1972-01-01')];
      await report('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: `RC-${round}`, version: 1, idNumber: x, name: '竞态', gridCode: grid }]);
      const places = Array.from({ length: 60 }, (_, i) => ({
        sourceKey: `RC-PL-${round}-${i}`, version: 1, kind: 'HOUSE', name: '竞态房', address: `竞态路${round}-${i}号`, gridCode: grid,
        people: [{ idNumber: x, role: 'OWNER' }, ...base.map((idNumber) => ({ idNumber, role: 'RESIDENT' }))],
      }));
      const linking = ingest('places', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, places);
      await new Promise((resolve) => setTimeout(resolve, 150 + 40 * round));
      const moving = ingest('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: `RC-${round}`, version: 2, idNumber: y, name: '竞态', gridCode: grid }]);
      const [linked] = await Promise.all([linking, moving]);
      // Before the fix: BAD_USER_INPUT "a referenced record does not exist" (FK violation, not retried) for all 60 records.
      if (linked.errors) failures.push(`${linked.errors[0].extensions?.code} ${linked.errors[0].message}`);
    }
    expect(failures).toEqual([]);
  });

  it('takes a batch within the documented caps: 250 places with 200 people links each', async () => {
    const ids = Array.from({ length: 200 }, () => freshId('1980-01-01'));
    for (let i = 0; i < 200; i += 100) {
      await report('people', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, ids.slice(i, i + 100).map((idNumber, k) => ({ sourceKey: `BIG-${i + k}`, version: 1, idNumber, name: `大批${i + k}`, gridCode: grid2 })));
    }
    const places = Array.from({ length: 250 }, (_, i) => ({
      sourceKey: `BIG-PL-${i}`, version: 1, kind: 'RESIDENTIAL_BUILDING', name: `大楼${i}`, address: `大批路${i}号`, gridCode: grid2,
      people: ids.map((idNumber) => ({ idNumber, role: 'RESIDENT', since: '2020-01-01' })),
    }));
    const response = await ingest('places', dept.CIVIL_AFFAIRS!, SourceSystem.CIVIL_AFFAIRS, places);
    expect(response.errors).toBeUndefined();
    expect(response.data.ingestPlaces.created).toBe(250);
  }, 120_000);
});
