import { Migration } from '@mikro-orm/migrations';
import { rowSearchKeys, SEARCHED_TEXTS } from '../shared/search-keys';

/** Rows whose keys are computed and written per statement while existing rows are given their search keys. */
const BACKFILL_BATCH = 5000;

/**
 * Filters (issue 12): text search and "near a point".
 * - `search_keys` on people, places, things and incidents: the bigrams, single characters and pinyin initials of
 *   the name (title) and address (src/shared/search-keys.ts), written by the ingestion writers, with a GIN index.
 *   Existing rows get theirs here, computed in JS (the pinyin dictionary is pinyin-pro's), in batches of 5,000.
 * - A GiST index on `point(lng, lat)` of places, things and incidents, for `near` (a box, then the exact distance).
 */
export class Migration20261205100000_search extends Migration {
  override async up(): Promise<void> {
    for (const table of Object.keys(SEARCHED_TEXTS) as Array<keyof typeof SEARCHED_TEXTS>) {
      const main = SEARCHED_TEXTS[table].main;
      await this.execute(`alter table "${table}" add column "search_keys" text[] not null default '{}'`);
      let after = '0';
      let done = 0;
      for (;;) {
        const rows = (await this.execute(
          `select id::text as id, "${main}" as main, address from "${table}" where id > ? order by id limit ${BACKFILL_BATCH}`,
          [after],
        )) as Array<{ id: string; main: string | null; address: string | null }>;
        if (rows.length === 0) break;
        const keyed = rows.map((row) => ({ id: row.id, keys: rowSearchKeys(table, row.main, row.address) }));
        await this.execute(
          `update "${table}" t set search_keys = r.keys from jsonb_to_recordset(?::jsonb) as r(id bigint, keys text[]) where t.id = r.id`,
          [JSON.stringify(keyed)],
        );
        after = rows[rows.length - 1].id;
        done += rows.length;
        if (done % 100_000 === 0) console.log(`search keys: ${done.toLocaleString('en')} rows of ${table}`);
      }
      await this.execute(`create index "${table}_search_keys_index" on "${table}" using gin ("search_keys")`);
    }
    this.addSql(`
create index "place_point_index" on "place" using gist (point("lng", "lat"));
create index "thing_point_index" on "thing" using gist (point("lng", "lat"));
create index "incident_point_index" on "incident" using gist (point("lng", "lat"));
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists "place_point_index";
drop index if exists "thing_point_index";
drop index if exists "incident_point_index";
alter table "person" drop column "search_keys";
alter table "place" drop column "search_keys";
alter table "thing" drop column "search_keys";
alter table "incident" drop column "search_keys";
`);
  }
}
