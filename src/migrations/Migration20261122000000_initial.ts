import { Migration } from '@mikro-orm/migrations';

/**
 * The foundation schema: regions and grids, the four entity kinds, person–place links, incident parties and
 * events, and source records.
 *
 * Every entity row carries `grid_code`; "everything under region R" is the range `[R, R+1)` on it, one index
 * range scan on `(grid_code, id)` (counting, scanning, paging by id inside one grid); paging a large region by id
 * walks the primary key and filters on grid code. Orders by other columns get their indexes when analysts need them.
 *
 * Timestamps that lists order by are stored at millisecond precision: keyset cursors carry them as JavaScript
 * dates, and a cursor that rounded its key would skip or repeat rows.
 */
export class Migration20261122000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table "region" (
  "code" varchar(15) primary key check ("code" ~ '^[0-9]+$' and length("code") in (2, 4, 6, 9, 12, 15)),
  "name" text not null,
  "level" text not null check ("level" in ('PROVINCE', 'CITY', 'COUNTY', 'TOWN', 'COMMUNITY', 'GRID')),
  "parent_code" varchar(15) null references "region" ("code"),
  "boundary" jsonb null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now()
);
create index "region_parent_code_index" on "region" ("parent_code");

create table "person" (
  "id" bigserial primary key,
  "id_number" varchar(18) not null constraint "person_id_number_unique" unique,
  "name" text not null,
  "gender" text not null check ("gender" in ('MALE', 'FEMALE')),
  "birth_date" date not null,
  "phone" text null,
  "grid_code" varchar(15) not null references "region" ("code"),
  "address" text null,
  "household_type" text null check ("household_type" in ('REGISTERED', 'FLOATING')),
  "tags" text[] not null default '{}',
  "social_security" jsonb null,
  "civil_affairs" jsonb null,
  "governance" jsonb null,
  "lineage" jsonb not null default '{}',
  "created_at" timestamptz(3) not null default now(),
  "updated_at" timestamptz(3) not null default now()
);
create index "person_grid_code_id_index" on "person" ("grid_code", "id");
create index "person_tags_index" on "person" using gin ("tags");

create table "place" (
  "id" bigserial primary key,
  "kind" text not null check ("kind" in ('RESIDENTIAL_BUILDING', 'HOUSE', 'ORGANIZATION', 'SHOP', 'SCHOOL', 'HOSPITAL', 'KEY_PLACE')),
  "name" text not null,
  "address" text null,
  "grid_code" varchar(15) not null references "region" ("code"),
  "lng" double precision null,
  "lat" double precision null,
  "attributes" jsonb not null default '{}',
  "lineage" jsonb not null default '{}',
  "created_at" timestamptz(3) not null default now(),
  "updated_at" timestamptz(3) not null default now()
);
create index "place_grid_code_id_index" on "place" ("grid_code", "id");

create table "person_place" (
  "id" bigserial primary key,
  "person_id" bigint not null references "person" ("id") on delete cascade,
  "place_id" bigint not null references "place" ("id") on delete cascade,
  "role" text not null check ("role" in ('RESIDENT', 'OWNER', 'TENANT', 'EMPLOYEE', 'LEGAL_REPRESENTATIVE')),
  "since" date null,
  constraint "person_place_person_id_place_id_role_unique" unique ("person_id", "place_id", "role")
);
create index "person_place_place_id_index" on "person_place" ("place_id");

create table "thing" (
  "id" bigserial primary key,
  "category" text not null check ("category" in ('PUBLIC_UTILITIES', 'ROADS_AND_TRAFFIC', 'CITY_APPEARANCE', 'GREENERY', 'HOUSING_AND_LAND', 'OTHER', 'GOVERNANCE')),
  "kind" text not null check ("kind" in ('MANHOLE_COVER', 'STREET_LAMP', 'FIRE_HYDRANT', 'TRAFFIC_SIGNAL', 'BUS_SHELTER', 'TRASH_BIN', 'PUBLIC_TOILET', 'BILLBOARD', 'STREET_TREE', 'GREEN_BELT', 'VACANT_LOT', 'BRIDGE', 'CAMERA', 'HAZMAT_STORE')),
  "component_code" text not null constraint "thing_component_code_unique" unique,
  "name" text not null,
  "status" text not null check ("status" in ('NORMAL', 'DAMAGED', 'MISSING', 'REMOVED')),
  "owner_unit" text null,
  "address" text null,
  "grid_code" varchar(15) not null references "region" ("code"),
  "lng" double precision null,
  "lat" double precision null,
  "lineage" jsonb not null default '{}',
  "created_at" timestamptz(3) not null default now(),
  "updated_at" timestamptz(3) not null default now()
);
create index "thing_grid_code_id_index" on "thing" ("grid_code", "id");

create table "incident" (
  "id" bigserial primary key,
  "case_number" text not null constraint "incident_case_number_unique" unique,
  "title" text not null,
  "description" text null,
  "category" text not null check ("category" in ('DISPUTE', 'SAFETY_HAZARD', 'CITY_MANAGEMENT', 'PUBLIC_SERVICE_REQUEST', 'PUBLIC_SECURITY', 'ENVIRONMENT', 'OTHER')),
  "sub_category" text null,
  "severity" text not null check ("severity" in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  "source" text not null check ("source" in ('COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY', 'CIVIL_AFFAIRS', 'CITY_MANAGEMENT', 'GRID_APP')),
  "source_key" text not null,
  "grid_code" varchar(15) not null references "region" ("code"),
  "address" text null,
  "lng" double precision null,
  "lat" double precision null,
  "place_id" bigint null references "place" ("id") on delete set null,
  "thing_id" bigint null references "thing" ("id") on delete set null,
  "status" text not null check ("status" in ('REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REJECTED')),
  "level" text not null default 'GRID' check ("level" in ('GRID', 'COMMUNITY', 'TOWN', 'COUNTY')),
  "version" int not null default 1,
  "department" text null,
  "assignee" text null,
  "due_at" timestamptz null,
  "overdue" boolean not null default false,
  "feedback" text null,
  "satisfaction" smallint null check ("satisfaction" between 1 and 5),
  "reported_at" timestamptz(3) not null,
  "closed_at" timestamptz null,
  "created_at" timestamptz(3) not null default now(),
  "updated_at" timestamptz(3) not null default now(),
  constraint "incident_source_source_key_unique" unique ("source", "source_key")
);
create index "incident_grid_code_id_index" on "incident" ("grid_code", "id");
create index "incident_status_index" on "incident" ("status");
create index "incident_reported_at_id_index" on "incident" ("reported_at", "id");

create table "incident_party" (
  "id" bigserial primary key,
  "incident_id" bigint not null references "incident" ("id") on delete cascade,
  "person_id" bigint not null references "person" ("id") on delete cascade,
  "role" text not null check ("role" in ('REPORTER', 'PARTY', 'VICTIM', 'WITNESS')),
  constraint "incident_party_incident_id_person_id_role_unique" unique ("incident_id", "person_id", "role")
);
create index "incident_party_person_id_index" on "incident_party" ("person_id");

create table "incident_event" (
  "seq" bigserial primary key,
  "incident_id" bigint not null references "incident" ("id") on delete cascade,
  "grid_code" varchar(15) not null,
  "category" text not null check ("category" in ('DISPUTE', 'SAFETY_HAZARD', 'CITY_MANAGEMENT', 'PUBLIC_SERVICE_REQUEST', 'PUBLIC_SECURITY', 'ENVIRONMENT', 'OTHER')),
  "type" text not null check ("type" in ('CREATED', 'UPDATED', 'ACCEPTED', 'REJECTED', 'DISPATCHED', 'STARTED', 'RESOLVED', 'VERIFIED', 'CLOSED', 'ESCALATED', 'RATED', 'OVERDUE', 'MERGED')),
  "actor" text not null,
  "note" text null,
  "from_status" text null check ("from_status" in ('REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REJECTED')),
  "to_status" text not null check ("to_status" in ('REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REJECTED')),
  "at" timestamptz not null default now()
);
create index "incident_event_incident_id_seq_index" on "incident_event" ("incident_id", "seq");
create index "incident_event_grid_code_seq_index" on "incident_event" ("grid_code", "seq");

create table "source_record" (
  "id" bigserial primary key,
  "entity_kind" text not null check ("entity_kind" in ('PERSON', 'PLACE', 'THING', 'INCIDENT')),
  "entity_id" bigint not null,
  "source" text not null check ("source" in ('COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY', 'CIVIL_AFFAIRS', 'CITY_MANAGEMENT', 'GRID_APP')),
  "source_key" text not null,
  "version" bigint not null,
  "observed_at" timestamptz not null,
  "received_at" timestamptz not null default now(),
  "payload" jsonb not null,
  constraint "source_record_entity_kind_source_source_key_unique" unique ("entity_kind", "source", "source_key")
);
-- Serves "source records of these entities" and the DEPARTMENT scope ("entities this source sent").
create index "source_record_entity_index" on "source_record" ("entity_kind", "entity_id", "source");
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop table if exists "source_record";
drop table if exists "incident_event";
drop table if exists "incident_party";
drop table if exists "incident";
drop table if exists "thing";
drop table if exists "person_place";
drop table if exists "place";
drop table if exists "person";
drop table if exists "region";
`);
  }
}
