import { ScopedReader } from '../access/scope';
import { BadUserInputError } from '../shared/errors';
import { applyCommonFilter } from '../access/filters';
import { parseId } from '../shared/ids';
import { pageOf } from '../shared/pagination';
import { EntityKind } from '../sources/source-system';
import { Incident } from './incident.entity';
import { INCIDENT_ORDERS, IncidentConnection, IncidentFilter, IncidentOrder, IncidentOrderField } from './incident.types';

/** Reads of incidents, always through the scoped reader. */
export class IncidentService {
  constructor(private readonly reader: ScopedReader) {}

  /** An incident by id, or null when unknown or outside the viewer's scope. */
  async get(id: string): Promise<Incident | null> {
    return this.reader.query(Incident, EntityKind.INCIDENT).select('*').andWhere({ id: parseId(id) }).getSingleResult();
  }

  /** A page of incidents matching `filter`. */
  async list(
    filter: IncidentFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    orderBy: IncidentOrder | null | undefined,
    columns: readonly string[] | null = null,
  ): Promise<IncidentConnection> {
    const qb = this.reader.query(Incident, EntityKind.INCIDENT).select('*');
    applyCommonFilter(qb, this.reader, EntityKind.INCIDENT, filter);
    if (filter?.statuses?.length) qb.andWhere({ status: { $in: filter.statuses } });
    if (filter?.categories?.length) qb.andWhere({ category: { $in: filter.categories } });
    if (filter?.severities?.length) qb.andWhere({ severity: { $in: filter.severities } });
    if (filter?.levels?.length) qb.andWhere({ level: { $in: filter.levels } });
    if (filter?.overdue != null) qb.andWhere({ overdue: filter.overdue });
    if (filter?.personId != null) {
      const { sql, params } = this.reader.involving(parseId(filter.personId, 'filter.personId'), filter.personRole ?? null);
      qb.andWhere(sql, params);
    } else if (filter?.personRole != null) {
      throw new BadUserInputError('needs filter.personId', 'filter.personRole');
    }
    if (filter?.reportedFrom != null) qb.andWhere({ reportedAt: { $gte: filter.reportedFrom } });
    if (filter?.reportedTo != null) qb.andWhere({ reportedAt: { $lt: filter.reportedTo } });
    if (filter?.reportedFrom != null && filter.reportedTo != null && filter.reportedFrom >= filter.reportedTo) {
      throw new BadUserInputError('must be later than filter.reportedFrom', 'filter.reportedTo');
    }
    return pageOf('incidents', qb, INCIDENT_ORDERS, IncidentOrderField.ID, { first, after, orderBy, columns }, IncidentConnection);
  }
}
