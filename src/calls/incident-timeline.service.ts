import { ScopedReader } from '../access/scope';
import { IncidentEvent } from '../incidents/incident-event.entity';
import { IncidentService } from '../incidents/incident.service';
import { IncidentTimeline } from './department-call.types';
import { DepartmentCall } from './department-call.entity';
import { MAX_CALLS_PER_INCIDENT } from './department-call.service';
import { timelineSteps } from './incident-timeline';

/** Events one timeline shows (the first ones). */
export const MAX_TIMELINE_EVENTS = 500;

/** Incident timelines (办理时间线), through the scoped reader: in scope and masked as the incident is. */
export class IncidentTimelineService {
  constructor(private readonly reader: ScopedReader) {}

  /** The timeline of incident `id`, or null when unknown or outside the viewer's scope. Three statements. */
  async timeline(id: string): Promise<IncidentTimeline | null> {
    const incident = await new IncidentService(this.reader).get(id);
    if (incident === null) return null;
    const events = await this.reader.incidentEvents<IncidentEvent>([incident.id], { first: MAX_TIMELINE_EVENTS + 1, after: null });
    const calls = await this.reader.incidentCalls<DepartmentCall>([incident.id], { first: MAX_CALLS_PER_INCIDENT, after: null });
    return {
      incident,
      steps: timelineSteps(events.slice(0, MAX_TIMELINE_EVENTS), calls),
      complete: events.length <= MAX_TIMELINE_EVENTS,
    };
  }
}
