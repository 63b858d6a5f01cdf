import { Migration } from '@mikro-orm/migrations';

/**
 * Incident statistics of a region (`incidentStats(filter: { regionCode }, groupBy: …)`) from an index alone: the grid
 * code with the columns the stats group by and measure most (status, handling level, overdue, satisfaction,
 * category, severity, source, report time) carried in the index's leaf pages. A county's incidents are then read as
 * an index-only scan of the region's range instead of from the heap, whose rows are wide (lineage, texts, search
 * keys) and spread over every page: at 1 M people (100,000 incidents, a 558 MB table), a county of 54,662 incidents
 * grouped by town and status went from a sequential scan of 50,778 pages in 201 ms to 1,692 pages in 52 ms
 * (`EXPLAIN (ANALYZE, BUFFERS)`, README "bench:queries"). The index is 10 MB per 100,000 incidents.
 *
 * An index-only scan needs the table's visibility map to be current (autovacuum keeps it; each changed page costs
 * a heap visit until then), so a busy hour of workflow updates reads a little of the heap again.
 */
export class Migration20261206100000_stats_cover extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create index "incident_grid_code_stats_index" on "incident" ("grid_code")
  include ("status", "level", "overdue", "satisfaction", "category", "severity", "source", "reported_at");
`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "incident_grid_code_stats_index";`);
  }
}
