import { Migration } from '@mikro-orm/migrations';

/**
 * "The town calls, the county answers" (乡呼县应, design §4) and the department scorecard.
 *
 * - `department_call`: one row per call of a town command centre on a case to a county department, with the
 *   timestamps and actors of each step (called, acknowledged, answered, rated), the deadlines set when it was
 *   placed (`acknowledge_due_at`, `answer_due_at`) and a version for optimistic locking. Calls append nothing to
 *   `incident_event` (the event types of design §4 have none for them); their own timestamps are their history.
 *   A call belongs to its incident (deleted with it) and is scoped by the incident's grid.
 * - `department_call_called_index`: the scorecard's question — calls placed in a window.
 * - `incident_event_dispatched_at_index`: the scorecard's other question — dispatches in a window — from a small
 *   partial index on the log; `incident_event_escalated_index`: whether a case was escalated after a dispatch (which
 *   undoes it), one probe each.
 */
export class Migration20261203300000_calls extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table "department_call" (
  "id" bigserial primary key,
  "incident_id" bigint not null references "incident" ("id") on delete cascade,
  "department" text not null,
  "status" text not null check ("status" in ('CALLED', 'ACKNOWLEDGED', 'ANSWERED', 'RATED')),
  "note" text not null,
  "called_by" text not null,
  "called_at" timestamptz not null,
  "acknowledge_due_at" timestamptz not null,
  "acknowledged_by" text null,
  "acknowledged_at" timestamptz null,
  "answer_due_at" timestamptz not null,
  "answered_by" text null,
  "answered_at" timestamptz null,
  "report" text null,
  "satisfaction" smallint null check ("satisfaction" between 1 and 5),
  "rating_comment" text null,
  "rated_by" text null,
  "rated_at" timestamptz null,
  "version" integer not null default 1
);
create index "department_call_incident_index" on "department_call" ("incident_id", "id");
create index "department_call_called_index" on "department_call" ("called_at");
create index "incident_event_dispatched_at_index" on "incident_event" ("at") where "type" = 'DISPATCHED';
create index "incident_event_escalated_index" on "incident_event" ("incident_id", "seq") where "type" = 'ESCALATED';
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index "incident_event_escalated_index";
drop index "incident_event_dispatched_at_index";
drop table "department_call";
`);
  }
}
