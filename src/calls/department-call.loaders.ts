import DataLoader from 'dataloader';
import { groupBy } from '../access/loading';
import { ScopedReader } from '../access/scope';
import { DepartmentCall } from './department-call.entity';
import { MAX_CALLS_PER_INCIDENT } from './department-call.service';

/** The calls of each incident (at most {@link MAX_CALLS_PER_INCIDENT}, all it may have), in one statement per page of incidents. */
export function departmentCallLoaders(reader: ScopedReader) {
  return {
    callsOfIncident: new DataLoader<string, DepartmentCall[]>(async (incidentIds) => {
      const calls = await reader.incidentCalls<DepartmentCall>(incidentIds, { first: MAX_CALLS_PER_INCIDENT, after: null });
      return groupBy(incidentIds, calls, (call) => call.incidentId);
    }),
  };
}
