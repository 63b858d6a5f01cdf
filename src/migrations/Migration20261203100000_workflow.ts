import { Migration } from '@mikro-orm/migrations';

/**
 * The incident closed loop (design §4): workflow mutations and the overdue sweeper.
 *
 * - `photo_urls`: photos of the handled site that `resolveIncident` sends (a JSON array of URLs).
 * - `incident_overdue_due_index`: the sweeper's question — open, dispatched cases past their due time and not yet
 *   marked — answered from a small partial index ordered by due time, whatever the size of the table. Marking a
 *   case overdue takes it out of the index, which is also what makes the sweep idempotent: the sweep's conditional
 *   update (`… and not overdue`) marks each case and deadline once, whichever instance gets there first.
 */
export class Migration20261203100000_workflow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table "incident" add column "photo_urls" jsonb null;
create index "incident_overdue_due_index" on "incident" ("due_at", "id")
  where "status" in ('DISPATCHED', 'IN_PROGRESS') and not "overdue" and "due_at" is not null;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index "incident_overdue_due_index";
alter table "incident" drop column "photo_urls";
`);
  }
}
