import { EntityManager } from '@mikro-orm/postgresql';

/**
 * Grid placement: which grid (网格) each point lies in, from the grids' boundaries.
 *
 * Answers from `region_shape` (see Migration20261202100000_region_shape), which RegionService.upsert keeps in
 * step with `region.boundary`: a point lies in a grid when it is inside an exterior ring of the grid's boundary
 * and in none of that polygon's holes. PostgreSQL's geometric comparisons are fuzzy (EPSILON = 1e-6 in lng/lat,
 * ~0.1 m): a point on an exterior edge, or within about that of it, is in the grid; one on a hole's edge is in
 * the hole, so it is not — and so belongs to an enclave grid that fills the hole. A point on the edge two
 * adjacent grids share lies in both, and goes to the smaller one like any overlap.
 *
 * Where several grids contain a point (overlapping boundaries) the one with the smallest area wins (exterior rings
 * less holes, in square degrees: overlapping grids lie at the same latitude, so the order is the metric one), then
 * the lowest code.
 *
 * @param em any entity manager of the database; inside a transaction the lookup sees its writes.
 * @param points positions in WGS-84 degrees, as GeoJSON orders them (lng, lat).
 * @returns for each point in order, the code of its grid, or null when no grid contains it (and for a coordinate
 * that is not a finite number). One SQL statement for the whole array, on the GiST index of the exterior rings.
 */
export async function locateGrids(
  em: EntityManager,
  points: ReadonlyArray<{ lng: number; lat: number }>,
): Promise<Array<string | null>> {
  if (points.length === 0) return [];
  // MikroORM inlines parameters and renders a JS array as a comma list: each coordinate array travels as one
  // PostgreSQL array literal in a string. Finite numbers print as plain float8 input; anything else as NULL.
  const literal = (values: number[]) => `{${values.map((v) => (Number.isFinite(v) ? String(v) : 'NULL')).join(',')}}`;
  const rows = await em.getConnection().execute<Array<{ code: string | null }>>(
    // The GiST opclass for polygons indexes `&&`, not `@>(polygon, point)`: the overlap with the point as a
    // degenerate polygon finds the candidates, `@>` decides (the two agree, edges included).
    `select found.code
     from unnest(?::float8[], ?::float8[]) with ordinality as u(lng, lat, n)
     cross join lateral (select point(u.lng, u.lat) as p) q
     left join lateral (
       select s.region_code as code
       from region_shape s
       join region r on r.code = s.region_code and r.level = 'GRID'
       where s.outer_ring && polygon(box(q.p, q.p))
         and s.outer_ring @> q.p
         and not exists (select 1 from unnest(s.holes) as h(ring) where h.ring @> q.p)
       order by s.region_area, s.region_code
       limit 1
     ) found on true
     order by u.n`,
    [literal(points.map((point) => point.lng)), literal(points.map((point) => point.lat))],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((row) => row.code);
}
