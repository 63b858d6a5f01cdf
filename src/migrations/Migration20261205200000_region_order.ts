import { Migration } from '@mikro-orm/migrations';

/**
 * A region's incidents newest first (`incidents(filter: { regionCode }, orderBy: { field: REPORTED_AT, direction:
 * DESC })`): one index per region level on the region's code, the report time and the id, so that a county's, a
 * town's or a community's page is read in order from its own part of an index and stops after the page, instead of
 * walking every region's incidents by `(reported_at, id)` or sorting all of the region's. The expression is the one
 * the list query compares (`left(e.grid_code, N) = ?`, src/access/scope.ts). A grid's incidents are few (its range
 * on `(grid_code, id)` and a sort); a city's or a province's are most of the table (`(reported_at, id)`).
 *
 * ANALYZE gathers the statistics of the new expressions, without which PostgreSQL guesses how many incidents a
 * region holds.
 */
export class Migration20261205200000_region_order extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create index "incident_county_reported_at_id_index" on "incident" (left("grid_code", 6), "reported_at", "id");
create index "incident_town_reported_at_id_index" on "incident" (left("grid_code", 9), "reported_at", "id");
create index "incident_community_reported_at_id_index" on "incident" (left("grid_code", 12), "reported_at", "id");
analyze "incident";
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists "incident_county_reported_at_id_index";
drop index if exists "incident_town_reported_at_id_index";
drop index if exists "incident_community_reported_at_id_index";
`);
  }
}
