import { Migration } from '@mikro-orm/migrations';

/**
 * Incidents get the lineage map people, places and things have: `{ field: { source, sourceRecordId } }`, which
 * source record gave each core field. Existing rows start with none (`{}`).
 */
export class Migration20261202000000_incident_lineage extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "incident" add column "lineage" jsonb not null default '{}';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "incident" drop column "lineage";`);
  }
}
