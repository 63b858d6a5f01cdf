-- people(filter: { regionCode, householdType, nameContains }, first: 20) with grid and places
-- 5 statement(s), in execution order. Written by UPDATE_SQL_SNAPSHOTS=1; review the diff.

select "e"."id", "e"."grid_code", "e"."name" from "person" as "e" where (e.grid_code >= ? and e.grid_code < ?) and ((e.grid_code >= ? and e.grid_code < ?) and (e.name ilike ?) and (e.household_type = ?)) order by "e"."id" asc limit ?;

select count("e"."id") as "count" from "person" as "e" where (e.grid_code >= ? and e.grid_code < ?) and ((e.grid_code >= ? and e.grid_code < ?) and (e.name ilike ?) and (e.household_type = ?));

select * from (select l.id::text as "id", l.person_id::text as "personId", l.place_id::text as "placeId", l.role, row_number() over (partition by l.person_id order by l.id) as "rank" from person_place l join person e on e.id = l.person_id join place t on t.id = l.place_id where l.person_id in (?, ...) and (e.grid_code >= ? and e.grid_code < ?) and (t.grid_code >= ? and t.grid_code < ?) and (not exists (select 1 from person_place d where d.person_id = l.person_id and d.place_id = l.place_id and d.role = l.role and d.id < l.id))) page where page."rank" <= ? order by page."rank";

select "e".* from "region" as "e" where ((e.code >= ? and e.code < ?) or e.code in (?, ...)) and (e.code = any(?::text[]));

select "e".* from "place" as "e" where (e.grid_code >= ? and e.grid_code < ?) and (e.id = any(?::bigint[]));
