import { ScopedReader } from '../access/scope';
import { BadUserInputError } from '../shared/errors';
import { DepartmentFigures, scoreDepartments } from './department-scorecard';

/** Longest scorecard window: a year (考核 runs monthly, quarterly or yearly). */
export const MAX_SCORECARD_DAYS = 366;

/** The department scorecard (部门考核) of a region, through the scoped reader (department-scorecard.ts defines the figures). */
export class DepartmentScorecardService {
  constructor(
    private readonly reader: ScopedReader,
    private readonly acknowledgeMinutes: number,
  ) {}

  /**
   * Figures per department (one statement) over the dispatches and calls received in `[from, to)` on cases in `regionCode`.
   * @throws BadUserInputError for a bad code or window; ForbiddenError for a region outside the viewer's scope.
   */
  async scorecard(regionCode: string, from: Date, to: Date): Promise<DepartmentFigures[]> {
    const region = this.reader.regionArgument(regionCode, 'regionCode');
    if (Number.isNaN(from.getTime())) throw new BadUserInputError('must be a date-time', 'from');
    if (Number.isNaN(to.getTime())) throw new BadUserInputError('must be a date-time', 'to');
    if (to.getTime() <= from.getTime()) throw new BadUserInputError('must be later than from', 'to');
    if (to.getTime() - from.getTime() > MAX_SCORECARD_DAYS * 86_400_000) {
      throw new BadUserInputError(`the window may span at most ${MAX_SCORECARD_DAYS} days`, 'to');
    }
    return scoreDepartments(await this.reader.departmentWork(region, from, to, this.acknowledgeMinutes));
  }
}
