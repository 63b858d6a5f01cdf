import { Migration } from '@mikro-orm/migrations';

/**
 * Live incident events (design §4, §7): what lets a reader tell a seq that is still being written from one that
 * never will be.
 *
 * `incident_event.seq` now comes from `incident_event_next_seq()`, which gives the writing transaction its
 * transaction id *before* it takes the next value of the sequence. So whoever holds a seq that is not yet
 * visible already had a transaction id when a later seq was taken; a reader that has seen the later seq can
 * take a transaction id of its own (a "horizon", necessarily larger) and knows that once every transaction below
 * the horizon has ended (`pg_snapshot_xmin(pg_current_snapshot()) >= horizon`) the missing seq is either visible
 * or will never be (src/live/seq-tracker.ts). Writers must leave `seq` to this default.
 */
export class Migration20261203200000_live extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function "incident_event_next_seq"() returns bigint
language plpgsql volatile
as $$
begin
  -- The transaction id first: a reader's horizon must lie above the id of every holder of a seq it has passed.
  perform pg_current_xact_id();
  return nextval('incident_event_seq_seq');
end
$$;
alter table "incident_event" alter column "seq" set default "incident_event_next_seq"();
-- Values in the order they are asked for, across sessions: a session-cached block would break the argument above.
alter sequence "incident_event_seq_seq" cache 1;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table "incident_event" alter column "seq" set default nextval('incident_event_seq_seq');
drop function if exists "incident_event_next_seq"();
`);
  }
}
