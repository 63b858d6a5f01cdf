import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { composeIdNumber, parseIdNumber } from '../../src/shared/id-number';
import { SourceSystem } from '../../src/sources/source-system';
import { Hub, startHub } from '../support/harness';

const INGEST_PEOPLE = `mutation ($source: SourceSystem!, $records: [PersonRecordInput!]!) {
  ingestPeople(source: $source, records: $records) {
    created updated unchanged stale rejected results { sourceKey outcome entityId errors { field message } }
  }
}`;

/** A citizen ID number not in the demo city (address code of another province, sequence 9xx). */
let serial = 900;
const newIdNumber = (birthDate = '1980-05-17') => composeIdNumber('110105', birthDate, serial++);

describe('ingestPeople', () => {
  let hub: Hub;
  let admin: string;
  let grid: string;
  let otherCountyGrid: string;
  const ingest = async (token: string, source: SourceSystem, records: unknown[]) => hub.gql(token, INGEST_PEOPLE, { source, records });

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.token({ roles: [Role.ADMIN] });
    [{ code: grid }] = await hub.sql(`select code from region where level = 'GRID' and code like '150302%' order by code limit 1`);
    [{ code: otherCountyGrid }] = await hub.sql(`select code from region where level = 'GRID' and code like '150303%' order by code limit 1`);
  });
  afterAll(() => hub.close());

  it('stores new people, rejects a bad record alone naming its fields, and keeps people without a verified ID', async () => {
    const idNumber = newIdNumber();
    const badChecksum = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    const { data, errors } = await ingest(admin, SourceSystem.CIVIL_AFFAIRS, [
      { sourceKey: 'MZ-T-1', version: 1, idNumber, name: '张建国', phone: '13800001111', gridCode: grid, tags: ['LOW_INCOME'],
        civilAffairs: { allowances: [{ type: 'LOW_INCOME', monthlyAmount: 780 }], disabilityGrade: null } },
      { sourceKey: 'MZ-T-2', version: 1, idNumber: badChecksum, name: '', gridCode: '150302999999999', tags: ['KEY_YOUTH'] },
      { sourceKey: 'MZ-T-3', version: 1, idNumber: 'E12345678', name: 'John Smith', gender: 'MALE', birthDate: '1975-02-03', gridCode: grid },
    ]);
    expect(errors).toBeUndefined();
    const report = data.ingestPeople;
    expect(report).toMatchObject({ created: 2, updated: 0, unchanged: 0, stale: 0, rejected: 1 });
    expect(report.results.map((r: any) => r.outcome)).toEqual(['CREATED', 'REJECTED', 'CREATED']);
    const fields = report.results[1].errors.map((e: any) => e.field).sort();
    expect(fields).toEqual(['gridCode', 'idNumber', 'name', 'tags[0]'].sort());
    expect(report.results[1].entityId).toBeNull();
    // Nothing of the rejected record was written.
    expect(await hub.sql(`select 1 from source_record where source_key = 'MZ-T-2'`)).toHaveLength(0);

    const [person] = await hub.sql(`select id_number, name, gender, birth_date::text, tags, civil_affairs from person where id = $1`, [report.results[0].entityId]);
    expect(person).toEqual({
      id_number: idNumber, name: '张建国', gender: parseIdNumber(idNumber).gender, birth_date: '1980-05-17', tags: ['LOW_INCOME'],
      civil_affairs: { allowances: [{ type: 'LOW_INCOME', monthlyAmount: 780, since: null }], disabilityGrade: null },
    });
    const [foreigner] = await hub.sql(`select id_number, name, gender, birth_date::text from person where id = $1`, [report.results[2].entityId]);
    expect(foreigner).toEqual({ id_number: null, name: 'John Smith', gender: 'MALE', birth_date: '1975-02-03' });
  });

  it('keeps a person whose ID number has a bad check character, unverified and unmerged, and warns the sender', async () => {
    const idNumber = newIdNumber();
    const typo = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    const first = await ingest(admin, SourceSystem.GRID_APP, [{ sourceKey: 'WG-T-9', version: 1, idNumber, name: '陈静', gridCode: grid }]);
    const { data } = await ingest(admin, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: 'MZ-T-9', version: 1, idNumber: typo, name: '陈静', gridCode: grid }]);
    const result = data.ingestPeople.results[0];
    expect(result).toMatchObject({ outcome: 'CREATED', errors: [{ field: 'idNumber', message: expect.stringContaining('kept without a verified ID') }] });
    expect(result.entityId).not.toBe(first.data.ingestPeople.results[0].entityId);
    const [row] = await hub.sql(`select id_number, gender from person where id = $1`, [result.entityId]);
    expect(row).toEqual({ id_number: null, gender: null });
  });

  it('is idempotent: the same version is UNCHANGED, an older one STALE, a newer one UPDATED', async () => {
    const idNumber = newIdNumber();
    const record = { sourceKey: 'ZZ-T-1', version: 5, idNumber, name: '李淑珍', gridCode: grid, address: '海勃湾区人民路1号' };
    const first = await ingest(admin, SourceSystem.COMPREHENSIVE_GOVERNANCE, [record]);
    expect(first.data.ingestPeople.created).toBe(1);
    const before = await hub.sql(`select count(*)::int as n from source_record_version`);
    const again = await ingest(admin, SourceSystem.COMPREHENSIVE_GOVERNANCE, [record]);
    expect(again.data.ingestPeople).toMatchObject({ unchanged: 1, created: 0 });
    const older = await ingest(admin, SourceSystem.COMPREHENSIVE_GOVERNANCE, [{ ...record, version: 4, address: '旧地址' }]);
    expect(older.data.ingestPeople).toMatchObject({ stale: 1 });
    const clash = await ingest(admin, SourceSystem.COMPREHENSIVE_GOVERNANCE, [{ ...record, address: '别的地址' }]);
    expect(clash.data.ingestPeople.results[0]).toMatchObject({ outcome: 'REJECTED', errors: [{ field: 'version' }] });
    expect(await hub.sql(`select count(*)::int as n from source_record_version`)).toEqual(before);
    const newer = await ingest(admin, SourceSystem.COMPREHENSIVE_GOVERNANCE, [{ ...record, version: 6, address: '海勃湾区人民路2号' }]);
    expect(newer.data.ingestPeople).toMatchObject({ updated: 1 });
    const id = first.data.ingestPeople.results[0].entityId;
    expect(newer.data.ingestPeople.results[0].entityId).toBe(id);
    const [row] = await hub.sql(`select address from person where id = $1`, [id]);
    expect(row.address).toBe('海勃湾区人民路2号');
    const versions = await hub.sql(
      `select v.version::int from source_record_version v join source_record s on s.id = v.source_record_id where s.source_key = 'ZZ-T-1' order by 1`,
    );
    expect(versions.map((v) => v.version)).toEqual([5, 6]);
  });

  it('lets a DEPARTMENT ingest only as its own source and only inside its region', async () => {
    const social = await hub.token({ roles: [Role.DEPARTMENT], source: SourceSystem.SOCIAL_SECURITY, region: '150302' });
    const record = { sourceKey: 'SB-T-1', version: 1, idNumber: newIdNumber(), name: '王芳', gridCode: grid };
    const wrongSource = await ingest(social, SourceSystem.CIVIL_AFFAIRS, [record]);
    expect(wrongSource.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const analyst = await hub.token({ roles: [Role.ANALYST], region: '150302' });
    expect((await ingest(analyst, SourceSystem.SOCIAL_SECURITY, [record])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const { data } = await ingest(social, SourceSystem.SOCIAL_SECURITY, [record, { ...record, sourceKey: 'SB-T-2', idNumber: newIdNumber(), gridCode: otherCountyGrid }]);
    expect(data.ingestPeople.results.map((r: any) => r.outcome)).toEqual(['CREATED', 'REJECTED']);
    expect(data.ingestPeople.results[1].errors[0]).toMatchObject({ field: 'gridCode', message: expect.stringContaining('outside your region') });
  });

  it('refuses a batch over the cap, naming it', async () => {
    const records = Array.from({ length: 1001 }, (_, i) => ({ sourceKey: `X${i}`, version: 1, name: '某某', gridCode: grid }));
    const { errors } = await ingest(admin, SourceSystem.GRID_APP, records);
    expect(errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0].message).toContain('1000');
  });

  it('keeps a checksum-valid ID whose holder has another name apart, as an ID_COLLISION', async () => {
    const idNumber = newIdNumber('1966-03-08');
    const first = await ingest(admin, SourceSystem.COMPREHENSIVE_GOVERNANCE, [{ sourceKey: 'ZZ-C-1', version: 1, idNumber, name: '赵国强', gridCode: grid }]);
    const variant = await ingest(admin, SourceSystem.SOCIAL_SECURITY, [{ sourceKey: 'SB-C-1', version: 1, idNumber, name: '赵国蔷', gridCode: grid }]);
    const other = await ingest(admin, SourceSystem.CIVIL_AFFAIRS, [{ sourceKey: 'MZ-C-1', version: 1, idNumber, name: '钱玉兰', gridCode: grid }]);
    const holder = first.data.ingestPeople.results[0].entityId;
    expect(variant.data.ingestPeople.results[0].entityId).toBe(holder);
    const collided = other.data.ingestPeople.results[0].entityId;
    expect(collided).not.toBe(holder);
    const conflicts = await hub.sql(`select kind, field, entity_id::text, related_entity_id::text from data_conflict where entity_id = $1 and kind = 'ID_COLLISION'`, [collided]);
    expect(conflicts).toEqual([{ kind: 'ID_COLLISION', field: 'idNumber', entity_id: collided, related_entity_id: holder }]);
  });
});
