import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { locateGrids } from '../../src/regions/locate';
import { Hub, startHub } from '../support/harness';

const UPSERT = `mutation ($regions: [RegionInput!]!) {
  upsertRegions(regions: $regions) { created updated unchanged rejected results { code outcome errors { field message } } }
}`;

type Ring = number[][];
/** A closed rectangular ring from (w, s) to (e, n). */
const ring = (w: number, s: number, e: number, n: number): Ring => [[w, s], [e, s], [e, n], [w, n], [w, s]];
const polygon = (...rings: Ring[]) => ({ type: 'Polygon', coordinates: rings });
const multiPolygon = (...polygons: Ring[][]) => ({ type: 'MultiPolygon', coordinates: polygons });

// Test grids under a seeded community, far from the demo city's grids (乌海, around 106.8°E 39.6°N).
const COMMUNITY = '150302001002';
const SQUARE = `${COMMUNITY}951`;
const HOLED = `${COMMUNITY}952`;
const MULTI = `${COMMUNITY}953`;
const BIG = `${COMMUNITY}954`;
const SMALL = `${COMMUNITY}955`;
const TWIN_A = `${COMMUNITY}956`;
const TWIN_B = `${COMMUNITY}957`;
/** A community with a boundary of its own: regions that are not grids are never the answer. */
const OTHER_COMMUNITY = '150302001950';

const GRIDS = [
  { code: SQUARE, name: '正方形网格', boundary: polygon(ring(100.0, 30.0, 100.01, 30.01)) },
  { code: HOLED, name: '回字形网格', boundary: polygon(ring(100.02, 30.0, 100.05, 30.03), ring(100.03, 30.01, 100.04, 30.02)) },
  { code: MULTI, name: '两块网格', boundary: multiPolygon([ring(100.06, 30.0, 100.07, 30.01)], [ring(100.08, 30.0, 100.09, 30.01)]) },
  { code: BIG, name: '大网格', boundary: polygon(ring(100.1, 30.0, 100.14, 30.04)) },
  { code: SMALL, name: '小网格', boundary: polygon(ring(100.11, 30.01, 100.12, 30.02)) },
  { code: TWIN_A, name: '重叠网格甲', boundary: polygon(ring(100.2, 30.0, 100.21, 30.01)) },
  { code: TWIN_B, name: '重叠网格乙', boundary: polygon(ring(100.2, 30.0, 100.21, 30.01)) },
];

const P = {
  squareCentre: { lng: 100.005, lat: 30.005 },
  squareEdge: { lng: 100.01, lat: 30.005 },
  squareCorner: { lng: 100.0, lat: 30.0 },
  nowhere: { lng: 100.5, lat: 30.5 },
  holedRing: { lng: 100.025, lat: 30.015 },
  inHole: { lng: 100.035, lat: 30.015 },
  holeEdge: { lng: 100.03, lat: 30.015 },
  multiFirst: { lng: 100.065, lat: 30.005 },
  multiSecond: { lng: 100.085, lat: 30.005 },
  multiGap: { lng: 100.075, lat: 30.005 },
  bigOnly: { lng: 100.105, lat: 30.005 },
  bigAndSmall: { lng: 100.115, lat: 30.015 },
  twins: { lng: 100.205, lat: 30.005 },
};
type PointName = keyof typeof P;

describe('grid placement (point in grid boundary)', () => {
  let hub: Hub;
  let admin: string;
  const upsert = async (regions: object[]) => {
    const { data, errors } = await hub.gql(admin, UPSERT, { regions });
    expect(errors).toBeUndefined();
    expect(data.upsertRegions.rejected).toBe(0);
    return data.upsertRegions;
  };
  const locate = async (names: PointName[]) => {
    const codes = await locateGrids(hub.orm.em.fork(), names.map((name) => P[name]));
    return Object.fromEntries(names.map((name, i) => [name, codes[i]]));
  };

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.token({ roles: [Role.ADMIN] });
    await upsert([
      ...GRIDS,
      { code: OTHER_COMMUNITY, name: '测试社区', boundary: polygon(ring(100.4, 30.4, 100.6, 30.6)) },
    ]);
  });
  afterAll(() => hub.close());

  it('places points inside, outside, in holes, in the parts of a multipolygon and where grids overlap', async () => {
    expect(await locate(Object.keys(P) as PointName[])).toEqual({
      squareCentre: SQUARE,
      squareEdge: SQUARE, // on the edge counts as inside
      squareCorner: SQUARE,
      nowhere: null, // inside a community's boundary, but no grid's
      holedRing: HOLED,
      inHole: null,
      holeEdge: null, // a hole's edge belongs to the hole
      multiFirst: MULTI,
      multiSecond: MULTI,
      multiGap: null,
      bigOnly: BIG,
      bigAndSmall: SMALL, // the smaller of two overlapping grids
      twins: TWIN_A, // equal areas: the lower code
    });
  });

  it('answers an empty list, repeated points and non-finite coordinates', async () => {
    expect(await locateGrids(hub.orm.em.fork(), [])).toEqual([]);
    const codes = await locateGrids(hub.orm.em.fork(), [P.squareCentre, { lng: NaN, lat: 30 }, P.squareCentre, { lng: Infinity, lat: 30 }]);
    expect(codes).toEqual([SQUARE, null, SQUARE, null]);
  });

  it('follows boundaries updated through upsertRegions', async () => {
    // The square moves into the hole (an enclave), the multipolygon loses its second part, the big grid its
    // boundary, a twin its twin.
    const moved = await upsert([
      { code: SQUARE, name: '正方形网格', boundary: polygon(ring(100.03, 30.01, 100.04, 30.02)) },
      { code: MULTI, name: '两块网格', boundary: polygon(ring(100.06, 30.0, 100.07, 30.01)) },
      { code: BIG, name: '大网格' },
      { code: TWIN_A, name: '重叠网格甲', boundary: polygon(ring(100.3, 30.0, 100.31, 30.01)) },
    ]);
    expect(moved).toMatchObject({ updated: 4 });
    expect(await locate(['squareCentre', 'inHole', 'holeEdge', 'holedRing', 'multiFirst', 'multiSecond', 'bigOnly', 'bigAndSmall', 'twins'])).toEqual({
      squareCentre: null,
      inHole: SQUARE,
      holeEdge: SQUARE, // the enclave's edge, and not the holed grid's
      holedRing: HOLED,
      multiFirst: MULTI,
      multiSecond: null,
      bigOnly: null,
      bigAndSmall: SMALL,
      twins: TWIN_B,
    });

    // The shapes are what region_boundary_parts makes of every stored boundary, no more and no less.
    const [{ drift }] = await hub.sql(`
      with stored as (
        select region_code, part, outer_ring::text as outer_ring, holes::text as holes, region_area from region_shape
      ), expected as (
        select r.code, p.part, p.outer_ring::text, p.holes::text, p.region_area
        from region r cross join lateral region_boundary_parts(r.boundary) p
      )
      select (select count(*) from (select * from stored except select * from expected) a)
           + (select count(*) from (select * from expected except select * from stored) b) as drift`);
    expect(Number(drift)).toBe(0);
  });

  it('sees the writes of the transaction it runs in', async () => {
    const rolledBack = hub.orm.em.fork().transactional(async (tx) => {
      await tx.getConnection().execute(
        `insert into region_shape (region_code, part, outer_ring, region_area)
         values (?, 1, polygon '((100,30),(100.01,30),(100.01,30.01),(100,30.01))', 1e-6)`,
        [SMALL],
        'run',
        tx.getTransactionContext(),
      );
      expect(await locateGrids(tx, [P.nowhere, { lng: 100.005, lat: 30.005 }])).toEqual([null, SMALL]);
      throw new Error('roll back');
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    expect(await locateGrids(hub.orm.em.fork(), [{ lng: 100.005, lat: 30.005 }])).toEqual([null]);
  });

  it('places the centre of every seeded demo grid in that grid, in one statement', async () => {
    const grids: Array<{ code: string; boundary: { coordinates: number[][][] } }> = await hub.sql(
      `select code, boundary from region where level = 'GRID' and boundary is not null and code not like $1 order by code`,
      [`${COMMUNITY}9%`],
    );
    expect(grids.length).toBeGreaterThan(500);
    const centres = grids.map(({ boundary }) => {
      const positions = boundary.coordinates[0];
      const lngs = positions.map((p) => p[0]);
      const lats = positions.map((p) => p[1]);
      return { lng: (Math.min(...lngs) + Math.max(...lngs)) / 2, lat: (Math.min(...lats) + Math.max(...lats)) / 2 };
    });
    const em = hub.orm.em.fork();
    let codes: Array<string | null> = [];
    const statements = await hub.captureStatements(async () => {
      codes = await locateGrids(em, centres);
    });
    expect(statements).toHaveLength(1);
    expect(codes).toEqual(grids.map((grid) => grid.code));
  });
});
