import { SourceSystem } from '../sources/source-system';
import { lineTextProblem } from '../shared/text';
import { Checker } from './checker';
import { classifyIdDocument } from './normalize';
import { Sql } from './sql';

/** A person a record links to: by citizen ID number, or by the key of a person record of the same source. */
export interface PersonLink {
  /** Resolution key: `id:<ID number>` or `key:<sourceKey>`. */
  key: string;
  /** The field that named the person, for the error when it does not resolve. */
  field: 'idNumber' | 'personSourceKey';
  /** The message when it does not resolve. */
  unresolved: string;
}

/** Checks a person link (exactly one of idNumber and personSourceKey). */
export function checkPersonLink(link: Checker, today: Date): PersonLink | null {
  const rawId = link.raw('idNumber');
  const sourceKey = link.text('personSourceKey', { max: 200 });
  if (rawId != null && rawId !== '' && sourceKey) {
    link.fail('idNumber', 'give idNumber or personSourceKey, not both');
    return null;
  }
  if (rawId != null && rawId !== '') {
    if (typeof rawId !== 'string') return link.fail('idNumber', 'must be a string') ?? null;
    if (rawId.length > 40 || lineTextProblem(rawId)) {
      return link.fail('idNumber', rawId.length > 40 ? 'may have at most 40 characters' : lineTextProblem(rawId)!) ?? null;
    }
    const document = classifyIdDocument(rawId, today);
    if (document.kind !== 'CITIZEN') {
      return link.fail('idNumber', document.kind === 'INVALID_CITIZEN' ? document.reason : 'link people by citizen ID number or personSourceKey') ?? null;
    }
    return { key: `id:${document.idNumber}`, field: 'idNumber', unresolved: 'no person with this ID number is known' };
  }
  if (sourceKey) {
    return { key: `key:${sourceKey}`, field: 'personSourceKey', unresolved: 'no person record with this key was sent by your source' };
  }
  link.fail('idNumber', 'give idNumber or personSourceKey');
  return null;
}

/**
 * The person each link names: by ID number the person holding it (not a collided duplicate), by source key the
 * person that source's record is merged into. Unresolved links are absent from the map.
 */
export async function resolvePeople(
  sql: Sql,
  source: SourceSystem,
  region: string | null,
  links: readonly PersonLink[],
): Promise<Map<string, string>> {
  // Only people in the caller's region: a link must not tell a department whether an ID number is known elsewhere.
  const within = region === null ? '' : ` and p.grid_code like ?`;
  const regionParams = region === null ? [] : [`${region}%`];
  const idNumbers = [...new Set(links.filter((l) => l.key.startsWith('id:')).map((l) => l.key.slice(3)))];
  const keys = [...new Set(links.filter((l) => l.key.startsWith('key:')).map((l) => l.key.slice(4)))];
  const resolved = new Map<string, string>();
  if (idNumbers.length > 0) {
    const rows = await sql.rows<{ id: string; idNumber: string }>(
      `select p.id::text as "id", p.id_number as "idNumber" from person p
        where p.id_number = any(?::text[]) and not p.id_collision${within}`,
      [idNumbers, ...regionParams],
    );
    for (const row of rows) resolved.set(`id:${row.idNumber}`, row.id);
  }
  if (keys.length > 0) {
    const rows = await sql.rows<{ entityId: string; sourceKey: string }>(
      `select sr.entity_id::text as "entityId", sr.source_key as "sourceKey" from source_record sr
         join person p on p.id = sr.entity_id
        where sr.entity_kind = 'PERSON' and sr.source = ? and sr.source_key = any(?::text[])${within}`,
      [source, keys, ...regionParams],
    );
    for (const row of rows) resolved.set(`key:${row.sourceKey}`, row.entityId);
  }
  return resolved;
}
