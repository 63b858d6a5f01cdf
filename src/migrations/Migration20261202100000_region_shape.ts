import { Migration } from '@mikro-orm/migrations';

/**
 * Region boundaries as PostgreSQL geometry, for point-in-polygon lookups on a GiST index (no PostGIS).
 *
 * `region_shape` holds one row per polygon of a region's boundary (a Polygon has part 0, a MultiPolygon's
 * polygons are parts 0, 1, …): its exterior ring as a `polygon`, indexed, and its holes as `polygon[]` beside it,
 * so "inside the exterior ring and in none of its holes" is decided on one row. `region_area` is the area of the
 * whole boundary (exterior rings less holes, in square degrees) on every row of the region, so that overlapping
 * regions can be ordered by size without a second lookup.
 *
 * `region_boundary_parts(boundary)` turns a boundary (jsonb as RegionService stores it: rings closed, positions
 * [lng, lat]) into those rows. This migration fills the table with it, and RegionService.upsert rewrites the rows
 * of every region it writes with it, so the two cannot disagree about the conversion.
 *
 * The GiST opclass for polygons indexes `&&` but not `@>(polygon, point)`: a lookup asks
 * `outer_ring && polygon(box(p, p)) and outer_ring @> p`. PostgreSQL's geometric comparisons are fuzzy
 * (EPSILON = 1e-6): a point on an edge, or within about 1e-6 degrees (~0.1 m) of one, is contained.
 */
export class Migration20261202100000_region_shape extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function "geojson_ring_polygon"("positions" jsonb) returns polygon
language sql immutable strict parallel safe
as $$
  -- A GeoJSON ring repeats its first position at the end; a polygon closes itself.
  select ('(' || string_agg('(' || (p.position ->> 0) || ',' || (p.position ->> 1) || ')', ',' order by p.n) || ')')::polygon
  from jsonb_array_elements("positions") with ordinality as p(position, n)
  where p.n < jsonb_array_length("positions")
$$;

create function "region_boundary_parts"("boundary" jsonb)
returns table ("part" int, "outer_ring" polygon, "holes" polygon[], "region_area" double precision)
language sql immutable strict parallel safe
as $$
  select (polygons.n - 1)::int, rings.outer_ring, rings.holes, sum(rings.area) over ()
  from jsonb_array_elements(
         case "boundary" ->> 'type'
           when 'Polygon' then jsonb_build_array("boundary" -> 'coordinates')
           when 'MultiPolygon' then "boundary" -> 'coordinates'
           else '[]'
         end
       ) with ordinality as polygons(rings, n)
  cross join lateral (
    select (array_agg(r.ring order by r.k))[1] as outer_ring,
           coalesce((array_agg(r.ring order by r.k))[2:], '{}') as holes,
           sum(case when r.k = 1 then area(path(r.ring)) else -area(path(r.ring)) end) as area
    from (select geojson_ring_polygon(j.positions) as ring, j.k
          from jsonb_array_elements(polygons.rings) with ordinality as j(positions, k)) r
  ) rings
$$;

create table "region_shape" (
  "region_code" varchar(15) not null references "region" ("code") on delete cascade,
  "part" int not null,
  "outer_ring" polygon not null,
  "holes" polygon[] not null default '{}',
  "region_area" double precision not null,
  primary key ("region_code", "part")
);
create index "region_shape_outer_ring_index" on "region_shape" using gist ("outer_ring");

insert into "region_shape" ("region_code", "part", "outer_ring", "holes", "region_area")
select r."code", s."part", s."outer_ring", s."holes", s."region_area"
from "region" r cross join lateral region_boundary_parts(r."boundary") s
where r."boundary" is not null;
analyze "region_shape";
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop table "region_shape";
drop function "region_boundary_parts"(jsonb);
drop function "geojson_ring_polygon"(jsonb);
`);
  }
}
