-- person(id) with grid, region path, lineage, source records and places
-- 5 statement(s), in execution order. Written by UPDATE_SQL_SNAPSHOTS=1; review the diff.

select e."id", e."grid_code", e."id_number", e."name", e."phone", e."birth_date", e."address", e."household_type", e."tags", e."lineage", gr."code" as "g:code", gr."name" as "g:name", gr."level" as "g:level", gr."parent_code" as "g:parent_code", gr."created_at" as "g:created_at", gr."updated_at" as "g:updated_at" from (select * from "person" k where k.id = $1::bigint offset 0) e left join "region" as "gr" on gr.code = e.grid_code where (e.grid_code >= $2 and e.grid_code < $3) limit $4;

select e."code", e."name", e."level", e."parent_code", e."created_at", e."updated_at" from "region" as "e" where ((e.code >= $1 and e.code < $2) or e.code = any($3::text[])) and (e.code = any($4::text[]));

select sr.id::text as "id", sr.entity_kind as "entityKind", sr.entity_id::text as "entityId", sr.source, sr.source_key as "sourceKey", sr.version::text as "version", sr.observed_at as "observedAt", sr.received_at as "receivedAt", sr.payload from source_record sr join (select * from person k where k.id = $1::bigint offset 0) e on e.id = sr.entity_id where sr.entity_kind = $2 and sr.entity_id = $3::bigint and (e.grid_code >= $4 and e.grid_code < $5) order by sr.id;

select * from (select l.id::text as "id", l.person_id::text as "personId", l.place_id::text as "placeId", l.role, row_number() over (partition by l.person_id order by l.id) as "rank" from person_place l join (select * from person k where k.id = $1::bigint offset 0) e on e.id = l.person_id cross join lateral (select * from place k where k.id = l.place_id offset 0) t where l.person_id = $2::bigint and (e.grid_code >= $3 and e.grid_code < $4) and (t.grid_code >= $5 and t.grid_code < $6) and (not exists (select 1 from person_place d where d.person_id = l.person_id and d.place_id = l.place_id and d.role = l.role and d.id < l.id))) page where page."rank" <= $7 order by page."rank";

select e."id", e."kind", e."name", e."address", e."grid_code", e."lng", e."lat", e."attributes", e."lineage", e."created_at", e."updated_at" from "place" as "e" where (e.grid_code >= $1 and e.grid_code < $2) and (e.id = any($3::bigint[]));
