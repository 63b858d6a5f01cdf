import { FieldRule, maskByRule } from '../access/policy';
import { Condition, regionCondition, ScopedReader } from '../access/scope';
import { parseId } from '../shared/ids';
import { BadUserInputError } from '../shared/errors';
import { DataConflict, DataConflictFilter } from './data-conflict';

/** Conflict fields whose values are personal data as a whole, and how they are masked. */
const MASKED_WHOLE: Record<string, FieldRule> = { phone: FieldRule.PHONE, idNumber: FieldRule.ID_NUMBER, birthDate: FieldRule.DATE };

/** Data conflicts (merge disagreements) for analysts, through the scoped reader. */
export class DataConflictService {
  constructor(private readonly reader: ScopedReader) {}

  /** A page of conflicts matching `filter` (at most `limit`, after the conflict `afterId`) and their count. */
  async list(filter: DataConflictFilter, limit: number, afterId: string | null): Promise<{ rows: DataConflict[]; count: () => Promise<number> }> {
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
    const page = await this.reader.dataConflicts<DataConflict>(conditions, limit, afterId);
    // The values of a phone, ID number or birth date conflict are masked whole, whatever their shape (the field-level
    // masking of ConflictValue.value only finds what looks like one).
    if (this.reader.policy.masksPersonalData) {
      for (const conflict of page.rows) {
        const whole = MASKED_WHOLE[conflict.field];
        if (whole) for (const value of conflict.values) value.value = maskByRule(whole, value.value);
      }
    }
    return page;
  }
}
