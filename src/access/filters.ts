import { EntityKind, SourceSystem } from '../sources/source-system';
import { ScopedQuery, ScopedReader, withinRegion } from './scope';

/**
 * Filter conditions that every entity list shares: region (checked against the scope), and "known to a source"
 * (a department may name only its own).
 * The feature services add their own conditions after these.
 */
export function applyCommonFilter(
  qb: ScopedQuery<any>,
  reader: ScopedReader,
  kind: EntityKind,
  filter: { regionCode?: string | null; source?: SourceSystem | null } | null | undefined,
): void {
  if (filter?.regionCode != null) {
    withinRegion(qb, reader.regionArgument(filter.regionCode, 'filter.regionCode'));
  }
  if (filter?.source != null) {
    reader.policy.checkSourceFilter(filter.source, 'filter.source');
    qb.andWhere(
      'exists (select 1 from source_record fs where fs.entity_kind = ? and fs.entity_id = e.id and fs.source = ?)',
      [kind, filter.source],
    );
  }
}
