import { rowSearchKeys } from '../shared/search-keys';
import { IncidentCategory, Severity } from '../incidents/incident.entity';
import { IncidentPartyRole } from '../incidents/incident-party.entity';
import { appendIncidentEvents, IncidentEventDraft } from '../incidents/incident-log';
import { IncidentEventType, IncidentStatus } from '../incidents/incident-workflow';
import { RecordOutcome } from '../shared/outcome';
import { isWithin } from '../shared/region-code';
import { EntityKind, SourceSystem } from '../sources/source-system';
import { IncidentCoreField, soleSourceLineage } from '../sources/survivorship';
import { Checker } from './checker';
import { Decision, WriteContext } from './ingestion.service';
import { checkPersonLink, PersonLink, resolvePeople } from './links';
import { ConflictDraft, replaceValueConflicts, storeSourceRecords } from './store';
import { locationOf, text } from './values';

/*
 * Incidents (事): one per (source, sourceKey) — a case is reported by one system. A new record creates an incident
 * in REPORTED with a case number; a newer version updates what the source says about it (never its workflow state)
 * and bumps its version. Each appends an incident event (CREATED / UPDATED) in the same transaction. A new incident
 * close to one another system reported (same category, within 100 m and 2 hours) is linked to it as a likely
 * duplicate (a POSSIBLE_DUPLICATE data conflict), not merged.
 */

const INCIDENT_KEYS = new Set([
  'sourceKey', 'version', 'observedAt', 'title', 'description', 'category', 'subCategory', 'severity', 'gridCode', 'address',
  'lng', 'lat', 'reportedAt', 'place', 'thing', 'people',
]);
/** People linked by one incident record. */
export const MAX_INCIDENT_PEOPLE = 50;
/** How close in space and time another source's incident of the same category must be to count as a likely duplicate. */
export const DUPLICATE_METRES = 100;
export const DUPLICATE_HOURS = 2;

interface EntityRef {
  id: string | null;
  sourceKey: string | null;
  componentCode: string | null;
}

export interface CheckedIncident {
  reportedAt: Date | null;
  place: EntityRef | null;
  thing: EntityRef | null;
  people: Array<PersonLink & { role: IncidentPartyRole }> | null;
}

function checkRef(check: Checker, field: 'place' | 'thing'): EntityRef | null {
  const ref = check.nested(field);
  if (!ref) return null;
  ref.onlyKeys(new Set(field === 'thing' ? ['id', 'sourceKey', 'componentCode'] : ['id', 'sourceKey']));
  const id = ref.text('id', { max: 19 });
  if (id && !/^[1-9]\d{0,18}$/.test(id)) ref.fail('id', `must be the id of a ${field}`);
  const sourceKey = ref.text('sourceKey', { max: 200 });
  const componentCode = field === 'thing' ? ref.text('componentCode', { max: 60 }) : null;
  const given = [id, sourceKey, componentCode].filter((value) => value).length;
  if (given !== 1) ref.fail('id', field === 'thing' ? 'give exactly one of id, sourceKey and componentCode' : 'give exactly one of id and sourceKey');
  return { id: id ?? null, sourceKey: sourceKey ?? null, componentCode: componentCode ? componentCode.toUpperCase() : null };
}

/** Checks the incident-specific fields of a record. */
export function checkIncident(check: Checker, _source: SourceSystem, today: Date): CheckedIncident | null {
  check.onlyKeys(INCIDENT_KEYS);
  check.text('title', { required: true, max: 200 });
  check.longText('description', 5000);
  check.enumOf('category', IncidentCategory, { required: true });
  check.text('subCategory', { max: 100 });
  check.enumOf('severity', Severity);
  check.text('address', { max: 300 });
  const reportedAt = check.dateTime('reportedAt', new Date(today.getTime() + 5 * 60_000));
  const place = checkRef(check, 'place');
  const thing = checkRef(check, 'thing');
  let people: CheckedIncident['people'] = null;
  const links = check.list('people', MAX_INCIDENT_PEOPLE);
  if (links) {
    people = [];
    for (const link of links) {
      link.onlyKeys(new Set(['idNumber', 'personSourceKey', 'role']));
      const person = checkPersonLink(link, today);
      const role = link.enumOf('role', IncidentPartyRole, { required: true });
      if (person && role) people.push({ ...person, role });
    }
  }
  if (!check.ok) return null;
  return { reportedAt: reportedAt ?? null, place, thing, people };
}

/** Stores a batch of incident records: incidents, their parties, events and likely-duplicate links. */
export async function writeIncidents(context: WriteContext<CheckedIncident>): Promise<void> {
  const { sql, items, source, region } = context;
  const reject = (index: number, errors: Decision['errors']) => context.decide(index, { outcome: RecordOutcome.REJECTED, entityId: null, errors });

  // Resolve links first; a record with one that does not resolve is rejected before anything is written.
  const people = await resolvePeople(sql, source, region, items.flatMap((item) => item.checked.people ?? []));
  const places = await resolveRefs(sql, 'PLACE', source, region, items.map((item) => item.checked.place));
  const things = await resolveRefs(sql, 'THING', source, region, items.map((item) => item.checked.thing));
  const accepted: typeof items = [];
  for (const item of items) {
    const errors: Decision['errors'] = [];
    for (const [field, ref, resolved] of [['place', item.checked.place, places], ['thing', item.checked.thing, things]] as const) {
      if (ref && !resolved.get(refKey(ref))) {
        const by = ref.id ? 'id' : ref.sourceKey ? 'sourceKey' : 'componentCode';
        errors.push({ field: `${field}.${by}`, message: `no ${field} with this ${by} in your region${by === 'sourceKey' ? ' sent by your source' : ''}` });
      }
    }
    (item.checked.people ?? []).forEach((link, i) => {
      if (!people.get(link.key)) errors.push({ field: `people[${i}].${link.field}`, message: link.unresolved });
    });
    if (errors.length > 0) reject(item.index, errors);
    else accepted.push(item);
  }
  if (accepted.length === 0) return;

  const rowOf = (item: (typeof items)[number], id: string | null) => {
    const p = item.payload;
    const location = locationOf(p);
    return {
      id,
      title: text(p.title),
      description: text(p.description),
      category: p.category,
      sub_category: text(p.subCategory),
      severity: text(p.severity) ?? Severity.MEDIUM,
      source,
      source_key: item.sourceKey,
      grid_code: item.gridCode,
      address: text(p.address),
      lng: location?.lng ?? null,
      lat: location?.lat ?? null,
      place_id: item.checked.place ? places.get(refKey(item.checked.place))! : null,
      thing_id: item.checked.thing ? things.get(refKey(item.checked.thing))! : null,
      reported_at: (item.checked.reportedAt ?? item.observedAt).toISOString(),
      search_keys: rowSearchKeys('incident', text(p.title), text(p.address)),
    };
  };

  // New incidents: case numbers per county and (China) day of the report, then the rows.
  const fresh = accepted.filter((item) => item.stored === null);
  const again = accepted.filter((item) => item.stored !== null);
  const entityOf = new Map<number, string>();
  if (fresh.length > 0) {
    const prefixes = new Map<string, number>();
    const prefixOf = (item: (typeof items)[number]) => {
      const day = new Date((item.checked.reportedAt ?? item.observedAt).getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
      return `${item.gridCode.slice(0, 6)}-${day}`;
    };
    for (const item of fresh) prefixes.set(prefixOf(item), (prefixes.get(prefixOf(item)) ?? 0) + 1);
    const counters = await nextCaseNumbers(context, prefixes);
    const rows = fresh.map((item) => {
      const prefix = prefixOf(item);
      const serial = counters.get(prefix)!;
      counters.set(prefix, serial + 1);
      return { ...rowOf(item, null), case_number: `${prefix}-${String(serial).padStart(5, '0')}` };
    });
    const inserted = await sql.rows<{ id: string; sourceKey: string }>(
      `insert into incident (case_number, title, description, category, sub_category, severity, source, source_key, grid_code,
                             address, lng, lat, place_id, thing_id, status, level, reported_at, search_keys)
       select r.case_number, r.title, r.description, r.category, r.sub_category, r.severity, r.source, r.source_key, r.grid_code,
              r.address, r.lng, r.lat, r.place_id, r.thing_id, 'REPORTED', 'GRID', r.reported_at, r.search_keys
         from jsonb_to_recordset(?::jsonb) as r(case_number text, title text, description text, category text, sub_category text,
              severity text, source text, source_key text, grid_code text, address text, lng float8, lat float8, place_id bigint,
              thing_id bigint, reported_at timestamptz, search_keys text[])
        order by r.source_key
       returning id::text as "id", source_key as "sourceKey"`,
      [JSON.stringify(rows)],
    );
    const byKey = new Map(inserted.map((row) => [row.sourceKey, row.id]));
    for (const item of fresh) entityOf.set(item.index, byKey.get(item.sourceKey)!);
  }
  const statusOf = new Map<string, IncidentStatus>();
  if (again.length > 0) {
    for (const item of again) entityOf.set(item.index, item.stored!.entityId);
    const updated = await sql.rows<{ id: string; status: IncidentStatus }>(
      `update incident i set title = r.title, description = r.description, category = r.category, sub_category = r.sub_category,
              severity = r.severity, grid_code = r.grid_code, address = r.address, lng = r.lng, lat = r.lat, place_id = r.place_id,
              thing_id = r.thing_id, reported_at = r.reported_at, search_keys = r.search_keys, version = i.version + 1, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as r(id bigint, title text, description text, category text, sub_category text,
              severity text, grid_code text, address text, lng float8, lat float8, place_id bigint, thing_id bigint, reported_at timestamptz,
              search_keys text[])
        where i.id = r.id
       returning i.id::text as "id", i.status as "status"`,
      [JSON.stringify(again.map((item) => rowOf(item, item.stored!.entityId)))],
    );
    for (const row of updated) statusOf.set(row.id, row.status);
  }
  const recordIds = await storeSourceRecords({ ...context, items: accepted }, entityOf);

  // Lineage: every field the record gives points at it.
  await sql.rows(
    `update incident i set lineage = r.lineage from jsonb_to_recordset(?::jsonb) as r(id bigint, lineage jsonb) where i.id = r.id`,
    [
      JSON.stringify(
        accepted.map((item) => {
          const p = item.payload;
          const values: Record<IncidentCoreField, unknown> = {
            title: p.title, description: p.description, category: p.category, subCategory: p.subCategory, severity: p.severity,
            gridCode: item.gridCode, address: p.address, location: locationOf(p), place: p.place, thing: p.thing,
            reportedAt: p.reportedAt,
          };
          return {
            id: entityOf.get(item.index),
            lineage: soleSourceLineage({ source, sourceRecordId: recordIds.get(item.index)!, observedAt: item.observedAt, values }),
          };
        }),
      ),
    ],
  );

  // Parties: a record that lists people replaces the parties its source gave.
  const linking = accepted.filter((item) => item.checked.people !== null);
  if (linking.length > 0) {
    await sql.rows(`delete from incident_party where source = ? and incident_id = any(?::bigint[])`, [
      source,
      linking.map((item) => entityOf.get(item.index)!),
    ]);
    const parties = linking.flatMap((item) =>
      item.checked.people!.map((link) => ({ incident_id: entityOf.get(item.index)!, person_id: people.get(link.key)!, role: link.role })),
    );
    if (parties.length > 0) {
      await sql.rows(
        `insert into incident_party (incident_id, person_id, role, source)
         select r.incident_id, r.person_id, r.role, ? from jsonb_to_recordset(?::jsonb) as r(incident_id bigint, person_id bigint, role text)
          order by r.incident_id, r.person_id
         on conflict do nothing`,
        [source, JSON.stringify(parties)],
      );
    }
  }

  // Events, in batch order, in the same transaction: the live stream's log. A source changes what it says of a
  // case, never its workflow state.
  await appendIncidentEvents(
    sql,
    accepted.map((item): IncidentEventDraft => {
      const id = entityOf.get(item.index)!;
      const status = item.stored ? statusOf.get(id)! : IncidentStatus.REPORTED;
      return {
        incidentId: id,
        type: item.stored ? IncidentEventType.UPDATED : IncidentEventType.CREATED,
        actor: context.actor,
        note: item.stored ? `${source} sent version ${item.version}` : `reported through ${source}`,
        fromStatus: item.stored ? status : null,
        toStatus: status,
      };
    }),
  );

  // Likely duplicates among other sources' incidents.
  const located = fresh.filter((item) => locationOf(item.payload) !== null);
  if (located.length > 0) {
    const matches = await sql.rows<{ id: string; other: string; gridCode: string; otherGrid: string; otherSource: SourceSystem; distance: number }>(
      // The nearest one per incident, looked up on (category, reported_at) for each: as a plain join the planner
      // hashes the batch against every incident of its categories, which grows with the table.
      `select r.id::text as "id", n.id::text as "other", r.grid_code as "gridCode", n.grid_code as "otherGrid", n.source as "otherSource",
              n.metres as "distance"
         from jsonb_to_recordset(?::jsonb) as r(id bigint, category text, lng float8, lat float8, reported_at timestamptz, grid_code text)
         cross join lateral (
           select o.id, o.grid_code, o.source, d.metres
             from incident o
             cross join lateral (select 6371000 * 2 * asin(sqrt(power(sin(radians(o.lat - r.lat) / 2), 2) +
                     cos(radians(r.lat)) * cos(radians(o.lat)) * power(sin(radians(o.lng - r.lng) / 2), 2))) as metres) d
            where o.category = r.category
              and o.reported_at between r.reported_at - interval '${DUPLICATE_HOURS} hours' and r.reported_at + interval '${DUPLICATE_HOURS} hours'
              and o.source <> ? and o.id <> r.id and o.lng is not null and o.lat is not null
              and d.metres <= ${DUPLICATE_METRES}
            order by d.metres, o.id
            limit 1) n
        order by r.id`,
      [
        JSON.stringify(
          located.map((item) => {
            const location = locationOf(item.payload)!;
            return {
              id: entityOf.get(item.index),
              category: item.payload.category,
              lng: location.lng,
              lat: location.lat,
              reported_at: (item.checked.reportedAt ?? item.observedAt).toISOString(),
              grid_code: item.gridCode,
            };
          }),
        ),
        source,
      ],
    );
    const drafts: ConflictDraft[] = [];
    for (const match of matches) {
      drafts.push({
        entityId: match.id,
        gridCode: match.gridCode,
        field: 'incident',
        kind: 'POSSIBLE_DUPLICATE',
        relatedEntityId: match.other,
        relatedGridCode: match.otherGrid,
        candidates: [
          { source, sourceRecordId: null, entityId: match.id, value: null },
          { source: match.otherSource, sourceRecordId: null, entityId: match.other, value: { metres: Math.round(match.distance) } },
        ],
      });
    }
    await replaceValueConflicts(sql, EntityKind.INCIDENT, new Map(), drafts);
  }

  for (const item of accepted) {
    context.decide(item.index, { outcome: item.stored ? RecordOutcome.UPDATED : RecordOutcome.CREATED, entityId: entityOf.get(item.index)!, errors: [] });
  }
}

function refKey(ref: EntityRef): string {
  return ref.id ? `id:${ref.id}` : ref.sourceKey ? `key:${ref.sourceKey}` : `code:${ref.componentCode}`;
}

/** The entity each reference names, within the caller's region; unresolved ones are absent. */
async function resolveRefs(
  sql: WriteContext<unknown>['sql'],
  kind: 'PLACE' | 'THING',
  source: SourceSystem,
  region: string | null,
  refs: ReadonlyArray<EntityRef | null>,
): Promise<Map<string, string>> {
  const table = kind === 'PLACE' ? 'place' : 'thing';
  const given = refs.filter((ref): ref is EntityRef => ref !== null);
  const resolved = new Map<string, string>();
  if (given.length === 0) return resolved;
  const rows = await sql.rows<{ key: string; id: string; gridCode: string }>(
    `select 'id:' || e.id as "key", e.id::text as "id", e.grid_code as "gridCode" from ${table} e where e.id = any(?::bigint[])
     union all
     select 'key:' || sr.source_key, e.id::text, e.grid_code from source_record sr join ${table} e on e.id = sr.entity_id
      where sr.entity_kind = ? and sr.source = ? and sr.source_key = any(?::text[])
     ${kind === 'THING' ? `union all select 'code:' || e.component_code, e.id::text, e.grid_code from thing e where e.component_code = any(?::text[])` : ''}`,
    [
      given.filter((ref) => ref.id).map((ref) => ref.id),
      kind,
      source,
      given.filter((ref) => ref.sourceKey).map((ref) => ref.sourceKey),
      ...(kind === 'THING' ? [given.filter((ref) => ref.componentCode).map((ref) => ref.componentCode)] : []),
    ],
  );
  for (const row of rows) if (region === null || isWithin(row.gridCode, region)) resolved.set(row.key, row.id);
  return resolved;
}

/**
 * Reserves `count` case numbers for each prefix (county-day): the counter row of a new prefix starts after the
 * largest serial already used under it (incidents written before counters existed).
 * @returns the first serial reserved for each prefix.
 */
async function nextCaseNumbers(context: WriteContext<unknown>, counts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const prefixes = [...counts.keys()].sort();
  await context.sql.rows(
    `insert into case_counter (prefix, last)
     select p, coalesce((select max(substring(i.case_number from length(p) + 2)::int) from incident i
                          where i.case_number like p || '-%' and substring(i.case_number from length(p) + 2) ~ '^[0-9]{1,9}$'), 0)
       from unnest(?::text[]) as p
      where not exists (select 1 from case_counter c where c.prefix = p)
      order by p
     on conflict (prefix) do nothing`,
    [prefixes],
  );
  const rows = await context.sql.rows<{ prefix: string; last: number }>(
    `update case_counter c set last = c.last + r.n from (select unnest(?::text[]) as prefix, unnest(?::int[]) as n) r
      where c.prefix = r.prefix returning c.prefix as "prefix", c.last as "last"`,
    [prefixes, prefixes.map((prefix) => counts.get(prefix)!)],
  );
  return new Map(rows.map((row) => [row.prefix, row.last - counts.get(row.prefix)! + 1]));
}

