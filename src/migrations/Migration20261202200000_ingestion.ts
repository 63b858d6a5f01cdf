import { Migration } from '@mikro-orm/migrations';

/**
 * Ingestion (design §3 and §5): what merging records from the department systems needs.
 *
 * - People without a verified citizen ID are kept: `id_number`, `gender` and `birth_date` become nullable. A
 *   checksum-valid ID number whose holder's name and birth date disagree with the person gridhub has under it is
 *   kept as a second person marked `id_collision`; the uniqueness of ID numbers holds among the others.
 * - Places match by a key made when ingestion first creates them (`match_key`): an organisation's or shop's unified
 *   social credit code, else its grid, kind and normalised standard address (plus the normalised name for kinds
 *   that share addresses). Rows from before have none and are found by their source records.
 * - Links a source sent carry that source (person–place links, incident parties), so a re-sent record replaces its
 *   own links only, and a department sees the links it sent.
 * - Every accepted version of a source record is kept (`source_record_version`), so a merge can be replayed.
 * - Disagreements between sources, ID collisions and likely duplicate incidents are kept as data conflicts.
 * - Case numbers of ingested incidents count per county and day (`case_counter`).
 */
export class Migration20261202200000_ingestion extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table "person" alter column "id_number" drop not null,
  alter column "gender" drop not null,
  alter column "birth_date" drop not null,
  add column "id_collision" boolean not null default false;
alter table "person" drop constraint "person_id_number_unique";
create unique index "person_id_number_unique" on "person" ("id_number") where not "id_collision";
create index "person_id_number_collision_index" on "person" ("id_number") where "id_collision";

alter table "place" add column "match_key" text null;
create unique index "place_match_key_unique" on "place" ("match_key");

alter table "person_place" add column "source" text null
  check ("source" in ('COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY', 'CIVIL_AFFAIRS', 'CITY_MANAGEMENT', 'GRID_APP'));
alter table "person_place" drop constraint "person_place_person_id_place_id_role_unique";
create unique index "person_place_link_unique" on "person_place" ("person_id", "place_id", "role", coalesce("source", ''));
alter table "incident_party" add column "source" text null
  check ("source" in ('COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY', 'CIVIL_AFFAIRS', 'CITY_MANAGEMENT', 'GRID_APP'));
alter table "incident_party" drop constraint "incident_party_incident_id_person_id_role_unique";
create unique index "incident_party_link_unique" on "incident_party" ("incident_id", "person_id", "role", coalesce("source", ''));

create table "source_record_version" (
  "source_record_id" bigint not null references "source_record" ("id") on delete cascade,
  "version" bigint not null,
  "observed_at" timestamptz not null,
  "received_at" timestamptz not null default now(),
  "payload" jsonb not null,
  primary key ("source_record_id", "version")
);
insert into "source_record_version" ("source_record_id", "version", "observed_at", "received_at", "payload")
  select "id", "version", "observed_at", "received_at", "payload" from "source_record";

create table "data_conflict" (
  "id" bigserial primary key,
  "entity_kind" text not null check ("entity_kind" in ('PERSON', 'PLACE', 'THING', 'INCIDENT')),
  "entity_id" bigint not null,
  "grid_code" varchar(15) not null,
  "field" text not null,
  "kind" text not null check ("kind" in ('VALUE_MISMATCH', 'ID_COLLISION', 'POSSIBLE_DUPLICATE')),
  "related_entity_id" bigint null,
  -- The related entity's grid: a conflict shows only to a viewer whose region holds both sides.
  "related_grid_code" varchar(15) null,
  "candidates" jsonb not null,
  "first_seen_at" timestamptz(3) not null default now(),
  "last_seen_at" timestamptz(3) not null default now(),
  constraint "data_conflict_entity_field_kind_unique" unique ("entity_kind", "entity_id", "field", "kind")
);
create index "data_conflict_grid_code_id_index" on "data_conflict" ("grid_code", "id");

create index "incident_category_reported_at_index" on "incident" ("category", "reported_at");

-- A new counter starts after the largest serial already used under its prefix: found by prefix, whatever the collation.
create index "incident_case_number_pattern_index" on "incident" ("case_number" text_pattern_ops);
create table "case_counter" (
  "prefix" text primary key,
  "last" int not null
);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop table if exists "case_counter";
drop index if exists "incident_case_number_pattern_index";
drop index if exists "incident_category_reported_at_index";
drop table if exists "data_conflict";
drop table if exists "source_record_version";
drop index if exists "incident_party_link_unique";
alter table "incident_party" drop column "source";
alter table "incident_party" add constraint "incident_party_incident_id_person_id_role_unique" unique ("incident_id", "person_id", "role");
drop index if exists "person_place_link_unique";
alter table "person_place" drop column "source";
alter table "person_place" add constraint "person_place_person_id_place_id_role_unique" unique ("person_id", "place_id", "role");
drop index if exists "place_match_key_unique";
alter table "place" drop column "match_key";
drop index if exists "person_id_number_collision_index";
drop index if exists "person_id_number_unique";
delete from "person" where "id_collision" or "id_number" is null;
alter table "person" drop column "id_collision";
alter table "person" add constraint "person_id_number_unique" unique ("id_number");
alter table "person" alter column "id_number" set not null, alter column "gender" set not null, alter column "birth_date" set not null;
`);
  }
}
