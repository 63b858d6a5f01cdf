import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { Hub, startHub } from '../support/harness';

const UPSERT = `mutation ($regions: [RegionInput!]!) {
  upsertRegions(regions: $regions) { created updated unchanged rejected results { code outcome errors { field message } } }
}`;
const square = (lng: number, lat: number) => ({
  type: 'Polygon',
  coordinates: [[[lng, lat], [lng + 0.01, lat], [lng + 0.01, lat + 0.01], [lng, lat + 0.01], [lng, lat]]],
});

describe('regions and the region registry', () => {
  let hub: Hub;
  let admin: string;
  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.token({ roles: [Role.ADMIN] });
  });
  afterAll(() => hub.close());

  it('looks a region up by short or padded code, with parent, path and division code', async () => {
    const query = `query ($code: String!) { region(code: $code) {
      code name level divisionCode parentCode parent { code name } path { code level } } }`;
    for (const code of ['150302', '150302000000']) {
      const { data, errors } = await hub.gql(admin, query, { code });
      expect(errors).toBeUndefined();
      expect(data.region).toEqual({
        code: '150302',
        name: '海勃湾区',
        level: 'COUNTY',
        divisionCode: '150302000000',
        parentCode: '1503',
        parent: { code: '1503', name: '乌海市' },
        path: [
          { code: '15', level: 'PROVINCE' },
          { code: '1503', level: 'CITY' },
          { code: '150302', level: 'COUNTY' },
        ],
      });
    }
    const unknown = await hub.gql(admin, query, { code: '150399' });
    expect(unknown.data.region).toBeNull();
  });

  it('answers a malformed code with BAD_USER_INPUT naming the argument', async () => {
    const { errors } = await hub.gql(admin, '{ region(code: "15030") { code } }');
    expect(errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    expect(errors?.[0].message).toMatch(/2, 4, 6, 9, 12 or 15 digits/);
  });

  it('lists provinces, children, and descendants at a level', async () => {
    const roots = await hub.gql(admin, '{ regions { code name } }');
    expect(roots.data.regions).toEqual([{ code: '15', name: '内蒙古自治区' }]);
    const counties = await hub.gql(admin, '{ regions(parentCode: "1503") { code name } }');
    expect(counties.data.regions).toEqual([
      { code: '150302', name: '海勃湾区' },
      { code: '150303', name: '海南区' },
      { code: '150304', name: '乌达区' },
    ]);
    const grids = await hub.gql(admin, '{ regions(parentCode: "150302", level: GRID) { code level parentCode } }');
    const [{ count }] = await hub.sql("select count(*)::int as count from region where level = 'GRID' and code like '150302%'");
    expect(grids.data.regions).toHaveLength(count);
    expect(count).toBeGreaterThan(100);
    for (const grid of grids.data.regions) {
      expect(grid.code).toMatch(/^150302\d{9}$/);
      expect(grid.parentCode).toBe(grid.code.slice(0, 12));
    }
    const wrong = await hub.gql(admin, '{ regions(parentCode: "150302001", level: COUNTY) { code } }');
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'level' });
  });

  it('registers, re-registers unchanged, and updates regions', async () => {
    const grid = { code: '150302001002901', name: '测试网格', boundary: square(106.8, 39.6) };
    const created = await hub.gql(admin, UPSERT, { regions: [grid] });
    expect(created.data.upsertRegions).toMatchObject({ created: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect((await hub.gql(admin, UPSERT, { regions: [grid] })).data.upsertRegions).toMatchObject({ unchanged: 1 });
    const renamed = await hub.gql(admin, UPSERT, { regions: [{ ...grid, name: '测试网格（新）' }] });
    expect(renamed.data.upsertRegions).toMatchObject({ updated: 1 });
    const { data } = await hub.gql(admin, '{ region(code: "150302001002901") { name level boundary parent { code } } }');
    expect(data.region).toEqual({
      name: '测试网格（新）',
      level: 'GRID',
      boundary: grid.boundary,
      parent: { code: '150302001002' },
    });
  });

  it('rejects bad regions one by one, naming the field, and stores the rest', async () => {
    const regions = [
      { code: '150302001901', name: '新社区' }, // new community…
      { code: '150302001901001', name: '新社区第1网格' }, // …and its grid, in the same batch
      { code: '15030x', name: 'bad code' },
      { code: '150302001999001', name: 'orphan grid' },
      { code: '150302002', name: 'wrong level', level: 'COMMUNITY' },
      { code: '150302001002902', name: 'bad boundary', boundary: { type: 'Point', coordinates: [1, 2] } },
      { code: '150302001002903', name: '   ' },
      { code: '150302001002904', name: 'wrong parent', parentCode: '150302002001' },
    ];
    const { data, errors } = await hub.gql(admin, UPSERT, { regions });
    expect(errors).toBeUndefined();
    const report = data.upsertRegions;
    expect(report).toMatchObject({ created: 2, rejected: 6 });
    const byCode = Object.fromEntries(report.results.map((r: any) => [r.code, r]));
    expect(byCode['150302001901'].outcome).toBe('CREATED');
    expect(byCode['150302001901001'].outcome).toBe('CREATED');
    expect(byCode['15030x'].errors[0]).toMatchObject({ field: 'code', message: expect.stringMatching(/only digits/) });
    expect(byCode['150302001999001'].errors[0]).toMatchObject({ field: 'parentCode', message: expect.stringMatching(/150302001999 is not registered/) });
    expect(byCode['150302002'].errors[0]).toMatchObject({ field: 'level' });
    expect(byCode['150302001002902'].errors[0]).toMatchObject({ field: 'boundary' });
    expect(byCode['150302001002903'].errors[0]).toMatchObject({ field: 'name' });
    expect(byCode['150302001002904'].errors[0]).toMatchObject({ field: 'parentCode' });
    expect(report.results.map((r: any) => r.code)).toEqual(regions.map((r) => r.code));
    const stored = await hub.sql(
      "select code from region where code in ('150302001999001', '150302001002902', '150302001002903', '150302001002904', '150302001901', '150302001901001') order by code",
    );
    expect(stored.map((row) => row.code)).toEqual(['150302001901', '150302001901001']);
    const town = await hub.sql("select level, name from region where code = '150302002'");
    expect(town[0].level).toBe('TOWN');
  });

  it('rejects a name or boundary PostgreSQL cannot store on its own, and stores the rest of the batch', async () => {
    const regions = [
      { code: '150302001002911', name: '好网格' },
      { code: '150302001002912', name: 'nul\u0000byte' },
      { code: '150302001002913', name: 'lone \ud800 surrogate' },
      { code: '150302001002914', name: 'bell\u0007 and escape\u001b' },
      { code: '150302001002915', name: 'two\nlines' },
      { code: '150302001002916', name: '长'.repeat(201) },
      { code: '150302001002917', name: '坏边界', boundary: { ...square(106.8, 39.6), properties: { note: 'a\u0000b' } } },
      { code: '150302001002918', name: '好网格（二）', boundary: square(106.81, 39.61) },
      { code: '150302001002919', name: 'low \udc00 surrogate' },
    ];
    const { data, errors } = await hub.gql(admin, UPSERT, { regions });
    expect(errors).toBeUndefined();
    const report = data.upsertRegions;
    expect(report).toMatchObject({ created: 2, rejected: 7 });
    const byCode = Object.fromEntries(report.results.map((r: any) => [r.code, r]));
    expect(byCode['150302001002911'].outcome).toBe('CREATED');
    expect(byCode['150302001002918'].outcome).toBe('CREATED');
    const rejected = (code: string) => {
      expect(byCode[code].outcome).toBe('REJECTED');
      expect(byCode[code].errors).toHaveLength(1);
      return byCode[code].errors[0];
    };
    expect(rejected('150302001002912')).toEqual({ field: 'name', message: 'must not contain control characters (U+0000 at position 4)' });
    expect(rejected('150302001002913')).toEqual({ field: 'name', message: 'must be valid Unicode (a lone surrogate at position 6)' });
    expect(rejected('150302001002914')).toEqual({ field: 'name', message: 'must not contain control characters (U+0007 at position 5)' });
    expect(rejected('150302001002915')).toMatchObject({ field: 'name', message: expect.stringMatching(/control characters \(U\+000A/) });
    expect(rejected('150302001002916')).toEqual({ field: 'name', message: 'must be at most 200 characters' });
    expect(rejected('150302001002917')).toEqual({ field: 'boundary.properties.note', message: 'must not contain the NUL character (U+0000)' });
    expect(rejected('150302001002919')).toMatchObject({ field: 'name', message: expect.stringMatching(/lone surrogate/) });
    const stored = await hub.sql("select code, name from region where code like '15030200100291_' order by code");
    expect(stored).toEqual([
      { code: '150302001002911', name: '好网格' },
      { code: '150302001002918', name: '好网格（二）' },
    ]);
  });

  it('lets only ADMIN register regions', async () => {
    const analyst = await hub.token({ roles: [Role.ANALYST], region: '150302' });
    const { errors } = await hub.gql(analyst, UPSERT, { regions: [{ code: '150302001002905', name: 'x' }] });
    expect(errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await hub.sql("select 1 from region where code = '150302001002905'")).toHaveLength(0);
  });
});
