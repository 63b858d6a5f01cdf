import { Condition, regionCondition, ScopedReader } from '../access/scope';
import { BadUserInputError } from '../shared/errors';
import { parseId } from '../shared/ids';
import { lineTextProblem } from '../shared/text';
import { DepartmentCall } from './department-call.entity';
import { DepartmentCallFilter } from './department-call.types';

/** Lists of calls (乡呼县应) through the scoped reader: what a department's seat or a town has open. */
export class DepartmentCallQueryService {
  constructor(private readonly reader: ScopedReader) {}

  /** A page of calls matching `filter` (at most `limit`, after the call `afterId`) and their count. */
  list(filter: DepartmentCallFilter, limit: number, afterId: string | null): Promise<{ rows: DepartmentCall[]; count: () => Promise<number> }> {
    const conditions: Condition[] = [];
    if (filter.regionCode != null) {
      conditions.push(regionCondition(this.reader.regionArgument(filter.regionCode, 'filter.regionCode'), 'e.grid_code'));
    }
    if (filter.department != null) {
      if (filter.department.length > 100) throw new BadUserInputError('at most 100 characters', 'filter.department');
      // A NUL byte would fail the statement (an internal error); a lone surrogate would match U+FFFD.
      const problem = lineTextProblem(filter.department);
      if (problem !== null) throw new BadUserInputError(problem, 'filter.department');
      conditions.push({ sql: 'l.department = ?', params: [filter.department.trim()] });
    }
    if (filter.statuses?.length) conditions.push({ sql: 'l.status in (?)', params: [filter.statuses] });
    if (filter.incidentId != null) conditions.push({ sql: 'l.incident_id = ?', params: [parseId(filter.incidentId, 'filter.incidentId')] });
    return this.reader.departmentCallPage<DepartmentCall>(conditions, limit, afterId);
  }
}
