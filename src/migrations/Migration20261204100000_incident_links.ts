import { Migration } from '@mikro-orm/migrations';

/**
 * The incidents of a place and of a thing (`Place.incidents`, `Thing.incidents`), newest first, a page per parent:
 * partial indexes on the reference and the id, so that each parent's page is an index range, whatever the table's size.
 */
export class Migration20261204100000_incident_links extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create index "incident_place_id_id_index" on "incident" ("place_id", "id") where "place_id" is not null;
create index "incident_thing_id_id_index" on "incident" ("thing_id", "id") where "thing_id" is not null;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists "incident_place_id_id_index";
drop index if exists "incident_thing_id_id_index";
`);
  }
}
