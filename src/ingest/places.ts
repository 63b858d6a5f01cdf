import { rowSearchKeys } from '../shared/search-keys';
import { PlaceKind } from '../places/place.entity';
import { PersonPlaceRole } from '../places/person-place.entity';
import { RecordOutcome } from '../shared/outcome';
import { isWithin } from '../shared/region-code';
import { EntityKind, SourceSystem } from '../sources/source-system';
import { FieldDisagreement, listDisagreements, SourceCandidate, surviveFields } from '../sources/survivorship';
import { Checker } from './checker';
import { Decision, WriteContext } from './ingestion.service';
import { normalizeAddress, normalizeName } from './normalize';
import { checkPersonLink, PersonLink, resolvePeople } from './links';
import { replaceValueConflicts, storeSourceRecords } from './store';
import { RetryTransaction } from './sql';
import { byNumber, locationOf, Location, text } from './values';

/*
 * Places (地): matched by an explicit link (`placeId`), else by a key made from what identifies a place — an
 * organisation's or shop's unified social credit code, else its grid and normalised standard address (and, for
 * kinds that share an address — organisations, shops, key places — its normalised name).
 */

const PLACE_KEYS = new Set([
  'sourceKey', 'version', 'observedAt', 'placeId', 'kind', 'name', 'address', 'gridCode', 'lng', 'lat', 'attributes', 'people',
]);

/** Which attributes apply to which kinds (the rest are refused, naming them). */
const { RESIDENTIAL_BUILDING, HOUSE, ORGANIZATION, SHOP, SCHOOL, HOSPITAL, KEY_PLACE } = PlaceKind;
/** Units that register with a unified social credit code and an industry: everything but dwellings. */
const UNITS = [ORGANIZATION, SHOP, SCHOOL, HOSPITAL, KEY_PLACE];
const ATTRIBUTE_KINDS: Record<string, { kinds: PlaceKind[]; type: 'int' | 'float' | 'text'; max: number }> = {
  floors: { kinds: [RESIDENTIAL_BUILDING, HOUSE], type: 'int', max: 200 },
  unitCount: { kinds: [RESIDENTIAL_BUILDING], type: 'int', max: 100 },
  householdCount: { kinds: [RESIDENTIAL_BUILDING, HOUSE], type: 'int', max: 10_000 },
  floorArea: { kinds: [HOUSE, RESIDENTIAL_BUILDING], type: 'float', max: 1_000_000 },
  creditCode: { kinds: UNITS, type: 'text', max: 18 },
  industry: { kinds: UNITS, type: 'text', max: 100 },
  studentCount: { kinds: [SCHOOL], type: 'int', max: 100_000 },
  bedCount: { kinds: [HOSPITAL, KEY_PLACE], type: 'int', max: 100_000 },
  keyPlaceCategory: { kinds: [KEY_PLACE], type: 'text', max: 100 },
};
const SHARED_ADDRESS_KINDS = new Set([PlaceKind.ORGANIZATION, PlaceKind.SHOP, PlaceKind.KEY_PLACE]);
/** People linked by one place record. */
export const MAX_PLACE_PEOPLE = 200;

export interface CheckedPlace {
  placeId: string | null;
  kind: PlaceKind;
  name: string;
  address: string | null;
  creditCode: string | null;
  /** null: the record does not speak of links (the source's earlier ones stay); a list replaces them. */
  people: Array<PersonLink & { role: PersonPlaceRole; since: string | null }> | null;
}

/** Checks the place-specific fields of a record. */
export function checkPlace(check: Checker, _source: SourceSystem, today: Date): CheckedPlace | null {
  check.onlyKeys(PLACE_KEYS);
  const placeId = check.text('placeId', { max: 19 });
  if (placeId && !/^[1-9]\d{0,18}$/.test(placeId)) check.fail('placeId', 'must be the id of a place');
  const kind = check.enumOf('kind', PlaceKind, { required: true });
  const name = check.text('name', { required: true, max: 200 });
  const address = check.text('address', { max: 300 });
  let creditCode: string | null = null;
  const attributes = check.nested('attributes');
  if (attributes) {
    attributes.onlyKeys(new Set(Object.keys(ATTRIBUTE_KINDS)));
    for (const [field, rule] of Object.entries(ATTRIBUTE_KINDS)) {
      if (attributes.raw(field) == null) continue;
      if (kind && !rule.kinds.includes(kind)) {
        attributes.fail(field, `applies to ${rule.kinds.join(', ')} places, not ${kind}`);
        continue;
      }
      if (rule.type === 'text') {
        const value = attributes.text(field, { max: rule.max });
        if (field === 'creditCode' && value) {
          if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(value.toUpperCase())) {
            attributes.fail(field, 'a unified social credit code has 18 characters (digits and capitals without I, O, S, V, Z)');
          } else creditCode = value.toUpperCase();
        }
      } else attributes.number(field, 0, rule.max, { integer: rule.type === 'int' });
    }
  }
  let people: CheckedPlace['people'] = null;
  const links = check.list('people', MAX_PLACE_PEOPLE);
  if (links) {
    people = [];
    for (const link of links) {
      const person = checkPersonLink(link, today);
      const role = link.enumOf('role', PersonPlaceRole, { required: true });
      const since = link.date('since', today);
      link.onlyKeys(new Set(['idNumber', 'personSourceKey', 'role', 'since']));
      if (person && role) people.push({ ...person, role, since: since ?? null });
    }
  }
  if (!check.ok || !kind || !name) return null;
  return { placeId: placeId ?? null, kind, name, address: address ?? null, creditCode, people };
}

/** The key a new place is found by later, or null when the record has nothing to match by (no address). */
export function placeMatchKey(place: CheckedPlace, gridCode: string): string | null {
  if (place.creditCode) return `c|${place.creditCode}`;
  if (!place.address) return null;
  const address = normalizeAddress(place.address);
  if (address === '') return null;
  return SHARED_ADDRESS_KINDS.has(place.kind)
    ? `n|${gridCode}|${place.kind}|${address}|${normalizeName(place.name)}`
    : `a|${gridCode}|${address}`;
}

interface PlaceValues {
  name: string | null;
  address: string | null;
  gridCode: string | null;
  location: Location | null;
  kind: PlaceKind | null;
}

function placeCandidate(row: { id: string; source: SourceSystem; observedAt: Date | string; payload: Record<string, unknown> }): SourceCandidate<PlaceValues> {
  const p = row.payload;
  return {
    source: row.source,
    sourceRecordId: row.id,
    observedAt: row.observedAt,
    values: { name: text(p.name), address: text(p.address), gridCode: text(p.gridCode), location: locationOf(p), kind: text(p.kind) as PlaceKind | null },
  };
}

/** Stores a batch of place records, their people links, and re-merges the places they touch. */
export async function writePlaces(context: WriteContext<CheckedPlace>): Promise<void> {
  const { sql, items, source } = context;
  const reject = (index: number, errors: Decision['errors']) => context.decide(index, { outcome: RecordOutcome.REJECTED, entityId: null, errors });

  // Links first: a record whose people or explicit place do not resolve is rejected before anything is written.
  const people = await resolvePeople(sql, source, context.region, items.flatMap((item) => item.checked.people ?? []));
  const explicit = [...new Set(items.map((item) => item.checked.placeId).filter((id): id is string => id !== null))];
  const explicitGrid = new Map(
    (await sql.rows<{ id: string; gridCode: string }>(`select id::text as "id", grid_code as "gridCode" from place where id = any(?::bigint[])`, [explicit])).map(
      (row) => [row.id, row.gridCode],
    ),
  );
  const accepted: typeof items = [];
  for (const item of items) {
    const errors: Decision['errors'] = [];
    const placeId = item.checked.placeId;
    if (placeId !== null) {
      const grid = explicitGrid.get(placeId);
      if (grid === undefined || (context.region !== null && !isWithin(grid, context.region))) {
        errors.push({ field: 'placeId', message: `no place ${placeId} in your region` });
      }
    }
    (item.checked.people ?? []).forEach((link, i) => {
      if (!people.get(link.key)) errors.push({ field: `people[${i}].${link.field}`, message: link.unresolved });
    });
    if (errors.length > 0) reject(item.index, errors);
    else accepted.push(item);
  }
  if (accepted.length === 0) return;

  // Which place each record describes.
  const keys = new Map(accepted.map((item) => [item.index, placeMatchKey(item.checked, item.gridCode)]));
  const keyed = await sql.rows<{ id: string; matchKey: string; gridCode: string }>(
    `select id::text as "id", match_key as "matchKey", grid_code as "gridCode" from place where match_key = any(?::text[])`,
    [[...new Set([...keys.values()].filter((key): key is string => key !== null))]],
  );
  const knownKeys = new Map(keyed.map((row) => [row.matchKey, row.id]));
  // A credit code is one unit everywhere: a token limited to a region may not take over one registered outside it.
  const outsideKeys = new Set(
    keyed.filter((row) => context.region !== null && !isWithin(row.gridCode, context.region)).map((row) => row.matchKey),
  );
  const rejected = new Set<number>();
  const storedKeys = new Map(
    (
      await sql.rows<{ id: string; matchKey: string | null }>(
        `select id::text as "id", match_key as "matchKey" from place where id = any(?::bigint[])`,
        [accepted.filter((item) => item.stored).map((item) => item.stored!.entityId)],
      )
    ).map((row) => [row.id, row.matchKey]),
  );
  const moved = new Set<string>();
  const planned = new Map<string, { id: string }>();
  const fresh: Array<{ ref: { id: string }; key: string | null; item: (typeof items)[number] }> = [];
  const refOf = new Map<number, { id: string }>();
  for (const item of accepted) {
    const key = keys.get(item.index)!;
    const explicitId = item.checked.placeId;
    if (key !== null && outsideKeys.has(key) && !explicitId) {
      rejected.add(item.index);
      reject(item.index, [{ field: 'attributes.creditCode', message: `a unit with this credit code is registered outside your region (${context.region})` }]);
      continue;
    }
    if (item.stored) {
      const storedKey = storedKeys.get(item.stored.entityId) ?? null;
      // A record stays with its place unless it now names another place, or describes one with another key.
      const stays = explicitId ? explicitId === item.stored.entityId : key === null || storedKey === null || storedKey === key;
      if (stays) {
        refOf.set(item.index, { id: item.stored.entityId });
        continue;
      }
      moved.add(item.stored.entityId);
    }
    if (explicitId) {
      refOf.set(item.index, { id: explicitId });
      continue;
    }
    const existing = key ? knownKeys.get(key) : undefined;
    if (existing) {
      refOf.set(item.index, { id: existing });
      continue;
    }
    const same = key ? planned.get(key) : undefined;
    if (same) {
      refOf.set(item.index, same);
      continue;
    }
    const ref = { id: '' };
    if (key) planned.set(key, ref);
    fresh.push({ ref, key, item });
    refOf.set(item.index, ref);
  }
  if (fresh.length > 0) {
    const ids = await sql.rows<{ id: string }>(
      `select nextval(pg_get_serial_sequence('place', 'id'))::text as "id" from generate_series(1, ?)`,
      [fresh.length],
    );
    fresh.forEach((entry, i) => (entry.ref.id = ids[i].id));
    const inserted = await sql.rows<{ id: string }>(
      `insert into place (id, kind, name, address, grid_code, match_key, search_keys)
       select r.id, r.kind, r.name, r.address, r.grid_code, r.match_key, r.search_keys
         from jsonb_to_recordset(?::jsonb) as r(id bigint, kind text, name text, address text, grid_code text, match_key text,
              search_keys text[])
        order by r.match_key nulls last, r.id
       on conflict (match_key) do nothing
       returning id::text as "id"`,
      [
        JSON.stringify(
          fresh.map(({ ref, key, item }) => ({
            id: ref.id,
            kind: item.checked.kind,
            name: item.checked.name,
            address: item.checked.address,
            grid_code: item.gridCode,
            match_key: key,
            search_keys: rowSearchKeys('place', item.checked.name, item.checked.address),
          })),
        ),
      ],
    );
    if (inserted.length !== fresh.length) throw new RetryTransaction('a concurrent batch created one of these places first');
  }
  const kept = accepted.filter((item) => !rejected.has(item.index));
  const entityOf = new Map([...refOf].map(([index, ref]) => [index, ref.id]));
  const affected = [...new Set([...entityOf.values(), ...moved])].sort(byNumber);
  await sql.rows(`select id from place where id = any(?::bigint[]) order by id for update`, [affected]);
  await storeSourceRecords({ ...context, items: kept }, entityOf);
  if (moved.size > 0) {
    // A record that moved to another place takes its source's links with it: on the place it left, the source's
    // links go once the source has no record there any more.
    await sql.rows(
      `delete from person_place l where l.source = ? and l.place_id = any(?::bigint[])
          and not exists (select 1 from source_record sr where sr.entity_kind = 'PLACE' and sr.entity_id = l.place_id and sr.source = l.source)`,
      [source, [...moved]],
    );
  }

  // People links: each record that lists people replaces the links its source gave that place.
  const linking = kept.filter((item) => item.checked.people !== null);
  if (linking.length > 0) {
    await sql.rows(`delete from person_place where source = ? and place_id = any(?::bigint[])`, [
      source,
      [...new Set(linking.map((item) => entityOf.get(item.index)!))],
    ]);
    const links = linking.flatMap((item) =>
      item.checked.people!.map((link) => ({
        person_id: people.get(link.key)!,
        place_id: entityOf.get(item.index)!,
        role: link.role,
        since: link.since,
      })),
    );
    if (links.length > 0) {
      await sql.rows(
        `insert into person_place (person_id, place_id, role, since, source)
         select r.person_id, r.place_id, r.role, r.since, ?
           from jsonb_to_recordset(?::jsonb) as r(person_id bigint, place_id bigint, role text, since date)
          order by r.place_id, r.person_id
         on conflict do nothing`,
        [source, JSON.stringify(links)],
      );
    }
  }

  // Re-merge.
  const rows = await sql.rows<{ id: string; entityId: string; source: SourceSystem; observedAt: Date; payload: Record<string, unknown> }>(
    `select id::text as "id", entity_id::text as "entityId", source, observed_at as "observedAt", payload
       from source_record where entity_kind = 'PLACE' and entity_id = any(?::bigint[]) order by id`,
    [affected],
  );
  const recordsOf = new Map<string, typeof rows>();
  for (const row of rows) recordsOf.set(row.entityId, [...(recordsOf.get(row.entityId) ?? []), row]);
  const priority = context.priorities.place;
  const updates: Array<Record<string, unknown>> = [];
  const orphans: string[] = [];
  const disagreements = new Map<string, { gridCode: string; list: FieldDisagreement[] }>();
  for (const id of affected) {
    const records = recordsOf.get(id) ?? [];
    if (records.length === 0) {
      orphans.push(id);
      continue;
    }
    const candidates = records.map(placeCandidate);
    const { values, lineage } = surviveFields<PlaceValues>(candidates, { ...priority, kind: priority.name });
    const { kind: _kind, ...coreLineage } = lineage;
    // Attributes key by key: the most trusted record that gives one (the name's order), then the newest.
    const attributes: Record<string, unknown> = {};
    const ranked = [...candidates].sort((a, b) => rank(priority.name, a.source) - rank(priority.name, b.source) || time(b.observedAt) - time(a.observedAt));
    for (const candidate of ranked) {
      const given = records.find((record) => record.id === candidate.sourceRecordId)!.payload.attributes as Record<string, unknown> | undefined;
      for (const [key, value] of Object.entries(given ?? {})) if (value !== null && value !== undefined && !(key in attributes)) attributes[key] = value;
    }
    updates.push({
      id,
      kind: values.kind,
      name: values.name,
      address: values.address,
      grid_code: values.gridCode,
      lng: values.location?.lng ?? null,
      lat: values.location?.lat ?? null,
      attributes,
      lineage: coreLineage,
      search_keys: rowSearchKeys('place', values.name, values.address),
    });
    disagreements.set(id, { gridCode: values.gridCode ?? '', list: listDisagreements<PlaceValues>(candidates, priority as never) });
  }
  if (updates.length > 0) {
    await sql.rows(
      `update place p set kind = r.kind, name = r.name, address = r.address, grid_code = r.grid_code, lng = r.lng, lat = r.lat,
              attributes = r.attributes, lineage = r.lineage, search_keys = r.search_keys, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as r(id bigint, kind text, name text, address text, grid_code text, lng float8,
              lat float8, attributes jsonb, lineage jsonb, search_keys text[])
        where p.id = r.id
          and (p.kind, p.name, p.address, p.grid_code, p.lng, p.lat, p.attributes, p.lineage)
              is distinct from (r.kind, r.name, r.address, r.grid_code, r.lng, r.lat, r.attributes, r.lineage)`,
      [JSON.stringify(updates)],
    );
  }
  if (orphans.length > 0) {
    await sql.rows(`delete from data_conflict where entity_kind = 'PLACE' and entity_id = any(?::bigint[])`, [orphans]);
    // A place no record describes any more goes, unless an incident names it (it is still where it was).
    await sql.rows(`delete from place p where p.id = any(?::bigint[]) and not exists (select 1 from incident i where i.place_id = p.id)`, [orphans]);
  }
  await replaceValueConflicts(sql, EntityKind.PLACE, disagreements);
  for (const item of kept) {
    context.decide(item.index, { outcome: item.stored ? RecordOutcome.UPDATED : RecordOutcome.CREATED, entityId: entityOf.get(item.index)!, errors: [] });
  }
}

function rank(order: readonly SourceSystem[], source: SourceSystem): number {
  const index = order.indexOf(source);
  return index === -1 ? order.length : index;
}

function time(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}
