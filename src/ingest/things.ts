import { rowSearchKeys } from '../shared/search-keys';
import { RecordOutcome } from '../shared/outcome';
import { isWithin } from '../shared/region-code';
import { EntityKind, SourceSystem } from '../sources/source-system';
import { FieldDisagreement, listDisagreements, SourceCandidate, surviveFields } from '../sources/survivorship';
import { THING_KIND_CATEGORY, ThingCategory, ThingKind, ThingStatus } from '../things/thing.entity';
import { Checker } from './checker';
import { WriteContext } from './ingestion.service';
import { replaceValueConflicts, storeSourceRecords } from './store';
import { RetryTransaction } from './sql';
import { byNumber, locationOf, Location, text } from './values';

/*
 * Things (物): matched by component code (部件编码), the national identity of a city component.
 */

const THING_KEYS = new Set([
  'sourceKey', 'version', 'observedAt', 'componentCode', 'kind', 'category', 'name', 'status', 'ownerUnit', 'address',
  'gridCode', 'lng', 'lat',
]);

export interface CheckedThing {
  componentCode: string;
  kind: ThingKind;
}

/** Checks the thing-specific fields of a record. */
export function checkThing(check: Checker, _source: SourceSystem): CheckedThing | null {
  check.onlyKeys(THING_KEYS);
  const componentCode = check.text('componentCode', { required: true, max: 60 });
  if (componentCode && !/^[0-9A-Za-z][0-9A-Za-z-]{3,59}$/.test(componentCode)) {
    check.fail('componentCode', 'a component code has 4 to 60 letters, digits and hyphens');
  }
  const kind = check.enumOf('kind', ThingKind, { required: true });
  const category = check.enumOf('category', ThingCategory);
  if (kind && category && THING_KIND_CATEGORY[kind] !== category) {
    check.fail('category', `${kind} belongs to ${THING_KIND_CATEGORY[kind]}, not ${category}`);
  }
  check.text('name', { required: true, max: 200 });
  check.enumOf('status', ThingStatus);
  check.text('ownerUnit', { max: 200 });
  check.text('address', { max: 300 });
  if (!check.ok || !componentCode || !kind) return null;
  return { componentCode: componentCode.toUpperCase(), kind };
}

interface ThingValues {
  name: string | null;
  status: ThingStatus | null;
  ownerUnit: string | null;
  address: string | null;
  gridCode: string | null;
  location: Location | null;
  kind: ThingKind | null;
}

function thingCandidate(row: { id: string; source: SourceSystem; observedAt: Date | string; payload: Record<string, unknown> }): SourceCandidate<ThingValues> {
  const p = row.payload;
  return {
    source: row.source,
    sourceRecordId: row.id,
    observedAt: row.observedAt,
    values: {
      name: text(p.name),
      status: (text(p.status) as ThingStatus | null) ?? ThingStatus.NORMAL,
      ownerUnit: text(p.ownerUnit),
      address: text(p.address),
      gridCode: text(p.gridCode),
      location: locationOf(p),
      kind: text(p.kind) as ThingKind | null,
    },
  };
}

/** Stores a batch of thing records and re-merges the things they touch. */
export async function writeThings(context: WriteContext<CheckedThing>): Promise<void> {
  const { sql, items } = context;
  const codes = [...new Set(items.map((item) => item.checked.componentCode))];
  const known = await sql.rows<{ id: string; componentCode: string; gridCode: string }>(
    `select id::text as "id", component_code as "componentCode", grid_code as "gridCode" from thing where component_code = any(?::text[])`,
    [codes],
  );
  const byCode = new Map(known.map((row) => [row.componentCode, row.id]));
  // A component code is one thing everywhere: a token limited to a region may not take over one registered outside it.
  const outside = new Set(
    known.filter((row) => context.region !== null && !isWithin(row.gridCode, context.region)).map((row) => row.componentCode),
  );
  const rejected = new Set<number>();
  const storedCode = new Map(
    (
      await sql.rows<{ id: string; componentCode: string }>(
        `select id::text as "id", component_code as "componentCode" from thing where id = any(?::bigint[])`,
        [items.filter((item) => item.stored).map((item) => item.stored!.entityId)],
      )
    ).map((row) => [row.id, row.componentCode]),
  );
  const moved = new Set<string>();
  const fresh: Array<{ code: string; item: (typeof items)[number] }> = [];
  const pending = new Map<string, { id: string }>();
  const entityOf = new Map<number, { id: string }>();
  for (const item of items) {
    const code = item.checked.componentCode;
    if (outside.has(code)) {
      rejected.add(item.index);
      context.decide(item.index, {
        outcome: RecordOutcome.REJECTED,
        entityId: null,
        errors: [{ field: 'componentCode', message: `a thing with this component code is registered outside your region (${context.region})` }],
      });
      continue;
    }
    if (item.stored) {
      if (storedCode.get(item.stored.entityId) === code) {
        entityOf.set(item.index, { id: item.stored.entityId });
        continue;
      }
      moved.add(item.stored.entityId);
    }
    const existing = byCode.get(code);
    if (existing) {
      entityOf.set(item.index, { id: existing });
      continue;
    }
    let planned = pending.get(code);
    if (!planned) {
      planned = { id: '' };
      pending.set(code, planned);
      fresh.push({ code, item });
    }
    entityOf.set(item.index, planned);
  }
  if (fresh.length > 0) {
    const inserted = await sql.rows<{ id: string; componentCode: string }>(
      `insert into thing (category, kind, component_code, name, status, grid_code, search_keys)
       select r.category, r.kind, r.component_code, r.name, 'NORMAL', r.grid_code, r.search_keys
         from jsonb_to_recordset(?::jsonb) as r(category text, kind text, component_code text, name text, grid_code text,
              search_keys text[])
        order by r.component_code
       on conflict (component_code) do nothing
       returning id::text as "id", component_code as "componentCode"`,
      [
        JSON.stringify(
          fresh.map(({ code, item }) => ({
            category: THING_KIND_CATEGORY[item.checked.kind],
            kind: item.checked.kind,
            component_code: code,
            name: item.payload.name,
            grid_code: item.gridCode,
            search_keys: rowSearchKeys('thing', item.payload.name as string | null, null),
          })),
        ),
      ],
    );
    if (inserted.length !== fresh.length) throw new RetryTransaction('a concurrent batch created one of these things first');
    for (const row of inserted) pending.get(row.componentCode)!.id = row.id;
  }
  const ids = new Map([...entityOf].map(([index, ref]) => [index, ref.id]));
  const affected = [...new Set([...ids.values(), ...moved])].sort(byNumber);
  await sql.rows(`select id from thing where id = any(?::bigint[]) order by id for update`, [affected]);
  await storeSourceRecords(context, ids);

  const rows = await sql.rows<{ id: string; entityId: string; source: SourceSystem; observedAt: Date; payload: Record<string, unknown> }>(
    `select id::text as "id", entity_id::text as "entityId", source, observed_at as "observedAt", payload
       from source_record where entity_kind = 'THING' and entity_id = any(?::bigint[]) order by id`,
    [affected],
  );
  const recordsOf = new Map<string, typeof rows>();
  for (const row of rows) recordsOf.set(row.entityId, [...(recordsOf.get(row.entityId) ?? []), row]);
  const updates: Array<Record<string, unknown>> = [];
  const orphans: string[] = [];
  const disagreements = new Map<string, { gridCode: string; list: FieldDisagreement[] }>();
  const priority = context.priorities.thing;
  for (const id of affected) {
    const records = recordsOf.get(id) ?? [];
    if (records.length === 0) {
      orphans.push(id);
      continue;
    }
    const candidates = records.map(thingCandidate);
    const { values, lineage } = surviveFields<ThingValues>(candidates, { ...priority, kind: priority.name });
    const { kind: _kind, ...coreLineage } = lineage;
    const kind = values.kind ?? ThingKind.MANHOLE_COVER;
    updates.push({
      id,
      category: THING_KIND_CATEGORY[kind],
      kind,
      name: values.name,
      status: values.status ?? ThingStatus.NORMAL,
      owner_unit: values.ownerUnit,
      address: values.address,
      grid_code: values.gridCode,
      lng: values.location?.lng ?? null,
      lat: values.location?.lat ?? null,
      lineage: coreLineage,
      search_keys: rowSearchKeys('thing', values.name, values.address),
    });
    disagreements.set(id, { gridCode: values.gridCode ?? '', list: listDisagreements<ThingValues>(candidates, priority as never) });
  }
  if (updates.length > 0) {
    await sql.rows(
      `update thing t set category = r.category, kind = r.kind, name = r.name, status = r.status, owner_unit = r.owner_unit,
              address = r.address, grid_code = r.grid_code, lng = r.lng, lat = r.lat, lineage = r.lineage, search_keys = r.search_keys,
              updated_at = now()
         from jsonb_to_recordset(?::jsonb) as r(id bigint, category text, kind text, name text, status text, owner_unit text,
              address text, grid_code text, lng float8, lat float8, lineage jsonb, search_keys text[])
        where t.id = r.id
          and (t.category, t.kind, t.name, t.status, t.owner_unit, t.address, t.grid_code, t.lng, t.lat, t.lineage)
              is distinct from (r.category, r.kind, r.name, r.status, r.owner_unit, r.address, r.grid_code, r.lng, r.lat, r.lineage)`,
      [JSON.stringify(updates)],
    );
  }
  if (orphans.length > 0) {
    await sql.rows(`delete from data_conflict where entity_kind = 'THING' and entity_id = any(?::bigint[])`, [orphans]);
    // A thing no record describes any more goes, unless an incident names it (it is still where it was).
    await sql.rows(`delete from thing t where t.id = any(?::bigint[]) and not exists (select 1 from incident i where i.thing_id = t.id)`, [orphans]);
  }
  await replaceValueConflicts(sql, EntityKind.THING, disagreements);
  for (const item of items) {
    if (rejected.has(item.index)) continue;
    context.decide(item.index, { outcome: item.stored ? RecordOutcome.UPDATED : RecordOutcome.CREATED, entityId: ids.get(item.index)!, errors: [] });
  }
}
