-- people(filter: { regionCode, householdType, nameContains }, first: 20) with grid and places
-- 4 statement(s), in execution order. Written by UPDATE_SQL_SNAPSHOTS=1; review the diff.

select e."id", e."grid_code", e."name", gr."code" as "g:code", gr."name" as "g:name", gr."level" as "g:level", gr."parent_code" as "g:parent_code", gr."created_at" as "g:created_at", gr."updated_at" as "g:updated_at" from "person" as "e" left join "region" as "gr" on gr.code = e.grid_code where (e.grid_code >= $1 and e.grid_code < $2) and (e.grid_code >= $3 and e.grid_code < $4) and (e.name ilike $5) and (e.household_type = $6) order by e."id" asc limit $7;

select count(e.id) as count from "person" as "e" where (e.grid_code >= $1 and e.grid_code < $2) and (e.grid_code >= $3 and e.grid_code < $4) and (e.name ilike $5) and (e.household_type = $6);

select * from (select l.id::text as "id", l.person_id::text as "personId", l.place_id::text as "placeId", l.role, row_number() over (partition by l.person_id order by l.id) as "rank" from person_place l join person e on e.id = l.person_id join place t on t.id = l.place_id where l.person_id = any($1::bigint[]) and (e.grid_code >= $2 and e.grid_code < $3) and (t.grid_code >= $4 and t.grid_code < $5) and (not exists (select 1 from person_place d where d.person_id = l.person_id and d.place_id = l.place_id and d.role = l.role and d.id < l.id))) page where page."rank" <= $6 order by page."rank";

select e."id", e."kind", e."name", e."address", e."grid_code", e."lng", e."lat", e."attributes", e."lineage", e."created_at", e."updated_at" from "place" as "e" where (e.grid_code >= $1 and e.grid_code < $2) and (e.id = any($3::bigint[]));
