import { ScopedReader } from '../access/scope';
import { applyFilter, INCIDENT_FILTER } from '../access/filter-spec';
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
    return this.reader.query(Incident, EntityKind.INCIDENT).select('*').byKey(parseId(id)).getSingleResult();
  }

  /** A page of incidents matching `filter`. */
  async list(
    filter: IncidentFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    orderBy: IncidentOrder | null | undefined,
    columns: readonly string[] | null = null,
    grid = false,
  ): Promise<IncidentConnection> {
    const qb = this.reader.query(Incident, EntityKind.INCIDENT).select('*');
    applyFilter(qb, INCIDENT_FILTER, filter, this.reader);
    // The last change, whichever system made it: its order would tell a department when others touched its cases.
    if (orderBy?.field === IncidentOrderField.UPDATED_AT) this.reader.policy.checkMergedValueFilter('orderBy');
    return pageOf('incidents', qb, INCIDENT_ORDERS, IncidentOrderField.ID, { first, after, orderBy, columns, grid }, IncidentConnection);
  }
}
