import { Condition, regionCondition, ScopedReader } from '../access/scope';
import { parseId } from '../shared/ids';
import { BadUserInputError } from '../shared/errors';
import { DataConflict, DataConflictFilter } from './data-conflict';

/** Data conflicts (merge disagreements) for analysts, through the scoped reader. */
export class DataConflictService {
  constructor(private readonly reader: ScopedReader) {}

  /** A page of conflicts matching `filter` (at most `limit`, after the conflict `afterId`) and their count. */
  list(filter: DataConflictFilter, limit: number, afterId: string | null): Promise<{ rows: DataConflict[]; count: () => Promise<number> }> {
    const conditions: Condition[] = [];
    if (filter.regionCode != null) {
      conditions.push(regionCondition(this.reader.regionArgument(filter.regionCode, 'filter.regionCode'), 'c.grid_code'));
    }
    if (filter.entityKind != null) conditions.push({ sql: 'c.entity_kind = ?', params: [filter.entityKind] });
    if (filter.kind != null) conditions.push({ sql: 'c.kind = ?', params: [filter.kind] });
    if (filter.field != null) {
      if (filter.field.length > 60) throw new BadUserInputError('at most 60 characters', 'filter.field');
      conditions.push({ sql: 'c.field = ?', params: [filter.field] });
    }
    if (filter.entityId != null) {
      if (filter.entityKind == null) throw new BadUserInputError('give entityKind with entityId', 'filter.entityId');
      conditions.push({ sql: 'c.entity_id = ?', params: [parseId(filter.entityId, 'filter.entityId')] });
    }
    return this.reader.dataConflicts<DataConflict>(conditions, limit, afterId);
  }
}
