-- incidents(filter: { regionCode }, first: 20, orderBy: REPORTED_AT DESC) with parties and events
-- 3 statement(s), in execution order. Written by UPDATE_SQL_SNAPSHOTS=1; review the diff.

select e."id", e."grid_code", e."reported_at", e."case_number", e."title", e."status" from "incident" as "e" where (left(e.grid_code, 6) = $1) order by e."reported_at" desc, e."id" desc limit $2;

select * from (select l.id::text as "id", l.incident_id::text as "incidentId", l.person_id::text as "personId", l.role, t."id" as "t:id", t."grid_code" as "t:grid_code", t."name" as "t:name", row_number() over (partition by l.incident_id order by l.id) as "rank" from incident_party l join incident e on e.id = l.incident_id join person t on t.id = l.person_id where l.incident_id = any($1::bigint[]) and (e.grid_code >= $2 and e.grid_code < $3) and (t.grid_code >= $4 and t.grid_code < $5) and (not exists (select 1 from incident_party d where d.incident_id = l.incident_id and d.person_id = l.person_id and d.role = l.role and d.id < l.id))) page where page."rank" <= $6 order by page."rank";

select * from (select l.seq::text as "seq", l.incident_id::text as "incidentId", l.grid_code as "gridCode", l.category, l.type, l.actor, l.note, l.from_status as "fromStatus", l.to_status as "toStatus", l.at, row_number() over (partition by l.incident_id order by l.seq) as "rank" from incident_event l join incident e on e.id = l.incident_id where l.incident_id = any($1::bigint[]) and (e.grid_code >= $2 and e.grid_code < $3)) page where page."rank" <= $4 order by page."rank";
