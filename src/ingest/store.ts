import { EntityKind, SourceSystem } from '../sources/source-system';
import { FieldDisagreement } from '../sources/survivorship';
import { WriteContext } from './ingestion.service';
import { Sql } from './sql';

/**
 * Writes the batch's source records (new ones inserted, newer versions over the stored ones, each pointing at the
 * entity `entityOf` gives its record) and appends every accepted version to `source_record_version`.
 * @returns the source record id of each record, by batch index.
 */
export async function storeSourceRecords(context: WriteContext<unknown>, entityOf: ReadonlyMap<number, string>): Promise<Map<number, string>> {
  const { sql, items, kind, source } = context;
  const ids = new Map<number, string>();
  const fresh = items.filter((item) => item.stored === null && entityOf.has(item.index));
  const again = items.filter((item) => item.stored !== null && entityOf.has(item.index));
  // Each statement writes the records and their version rows together: the batch's JSON is parsed once.
  if (fresh.length > 0) {
    const rows = await sql.rows<{ id: string; sourceKey: string }>(
      `with written as (
         insert into source_record (entity_kind, entity_id, source, source_key, version, observed_at, payload)
         select ?, r.entity_id, ?, r.source_key, r.version, r.observed_at, r.payload
           from jsonb_to_recordset(?::jsonb) as r(entity_id bigint, source_key text, version bigint, observed_at timestamptz, payload jsonb)
          order by r.source_key
         returning id, source_key, version, observed_at, received_at, payload
       ), versions as (
         insert into source_record_version (source_record_id, version, observed_at, received_at, payload)
         select id, version, observed_at, received_at, payload from written
       )
       select id::text as "id", source_key as "sourceKey" from written`,
      [kind, source, JSON.stringify(fresh.map((item) => recordRow(item, entityOf.get(item.index)!)))],
    );
    const byKey = new Map(rows.map((row) => [row.sourceKey, row.id]));
    for (const item of fresh) ids.set(item.index, byKey.get(item.sourceKey)!);
  }
  if (again.length > 0) {
    await sql.rows(
      `with written as (
         update source_record s set entity_id = r.entity_id, version = r.version, observed_at = r.observed_at,
                received_at = now(), payload = r.payload
           from jsonb_to_recordset(?::jsonb) as r(id bigint, entity_id bigint, version bigint, observed_at timestamptz, payload jsonb)
          where s.id = r.id
         returning s.id, s.version, s.observed_at, s.received_at, s.payload
       )
       insert into source_record_version (source_record_id, version, observed_at, received_at, payload)
       select id, version, observed_at, received_at, payload from written
       on conflict do nothing`,
      [JSON.stringify(again.map((item) => ({ id: item.stored!.id, ...recordRow(item, entityOf.get(item.index)!) })))],
    );
    for (const item of again) ids.set(item.index, item.stored!.id);
  }
  return ids;
}

function recordRow(item: WriteContext<unknown>['items'][number], entityId: string) {
  return {
    entity_id: entityId,
    source_key: item.sourceKey,
    version: item.version,
    observed_at: item.observedAt.toISOString(),
    payload: item.payload,
  };
}

/** One value in a data conflict: who said it. `source` null: the value is the canonical entity's (a collision's other side). */
export interface ConflictCandidate {
  source: SourceSystem | null;
  sourceRecordId: string | null;
  entityId?: string;
  observedAt?: Date | string;
  value: unknown;
}

/** A data conflict to record (kept once per entity, field and kind; seen again, its candidates and last-seen move). */
export interface ConflictDraft {
  entityId: string;
  gridCode: string;
  field: string;
  kind: 'VALUE_MISMATCH' | 'ID_COLLISION' | 'POSSIBLE_DUPLICATE';
  relatedEntityId: string | null;
  /** The related entity's grid: a conflict shows only to those who may see both sides. */
  relatedGridCode?: string | null;
  candidates: ConflictCandidate[];
}

/**
 * Brings the `VALUE_MISMATCH` conflicts of the re-merged entities up to date (a field the sources now agree on loses
 * its conflict; a disagreement seen again keeps its first-seen time) and records `extra` conflicts (collisions,
 * duplicates).
 */
export async function replaceValueConflicts(
  sql: Sql,
  kind: EntityKind,
  disagreements: ReadonlyMap<string, { gridCode: string; list: FieldDisagreement[] }>,
  extra: readonly ConflictDraft[] = [],
): Promise<void> {
  const drafts: ConflictDraft[] = [...extra];
  for (const [entityId, { gridCode, list }] of disagreements) {
    for (const disagreement of list) {
      drafts.push({
        entityId,
        gridCode,
        field: disagreement.field,
        kind: 'VALUE_MISMATCH',
        relatedEntityId: null,
        candidates: disagreement.values.map((value) => ({
          source: value.source,
          sourceRecordId: value.sourceRecordId,
          observedAt: value.observedAt,
          value: value.value,
        })),
      });
    }
  }
  if (disagreements.size > 0) {
    const keep = drafts.filter((draft) => draft.kind === 'VALUE_MISMATCH').map((draft) => `${draft.entityId}:${draft.field}`);
    await sql.rows(
      `delete from data_conflict where entity_kind = ? and kind = 'VALUE_MISMATCH' and entity_id = any(?::bigint[])
          and not (entity_id::text || ':' || field = any(?::text[]))`,
      [kind, [...disagreements.keys()], keep],
    );
  }
  if (drafts.length === 0) return;
  await sql.rows(
    `insert into data_conflict (entity_kind, entity_id, grid_code, field, kind, related_entity_id, related_grid_code, candidates)
     select ?, r.entity_id, r.grid_code, r.field, r.kind, r.related_entity_id, r.related_grid_code, r.candidates
       from jsonb_to_recordset(?::jsonb) as r(entity_id bigint, grid_code text, field text, kind text, related_entity_id bigint,
                                              related_grid_code text, candidates jsonb)
      order by r.entity_id, r.field, r.kind
     on conflict (entity_kind, entity_id, field, kind) do update
        set candidates = excluded.candidates, grid_code = excluded.grid_code, related_entity_id = excluded.related_entity_id,
            related_grid_code = excluded.related_grid_code, last_seen_at = now()`,
    [
      kind,
      JSON.stringify(
        drafts.map((draft) => ({
          entity_id: draft.entityId,
          grid_code: draft.gridCode,
          field: draft.field,
          kind: draft.kind,
          related_entity_id: draft.relatedEntityId,
          related_grid_code: draft.relatedGridCode ?? null,
          candidates: draft.candidates,
        })),
      ),
    ],
  );
}
