import { IncidentEvent } from '../incidents/incident-event.entity';
import { DepartmentCall } from './department-call.entity';

/**
 * An incident's timeline as a pure function: its events and the steps of its calls (乡呼县应) in time order, each
 * with the time since the step before and since the first step. Calls append no incident event; their steps come
 * from their own timestamps.
 */

export enum TimelineStepKind {
  EVENT = 'EVENT',
  CALL_PLACED = 'CALL_PLACED',
  CALL_ACKNOWLEDGED = 'CALL_ACKNOWLEDGED',
  CALL_ANSWERED = 'CALL_ANSWERED',
  CALL_RATED = 'CALL_RATED',
}

export interface TimelineStepData {
  kind: TimelineStepKind;
  at: Date;
  actor: string;
  note: string | null;
  event: IncidentEvent | null;
  call: DepartmentCall | null;
  secondsSincePrevious: number | null;
  secondsSinceFirst: number;
}

/** The steps of `events` (in seq order) and `calls`, ordered by time; at the same time, events first, then calls by id. */
export function timelineSteps(events: readonly IncidentEvent[], calls: readonly DepartmentCall[]): TimelineStepData[] {
  type Draft = Omit<TimelineStepData, 'secondsSincePrevious' | 'secondsSinceFirst'> & { order: number };
  const drafts: Draft[] = events.map((event, i) => ({ kind: TimelineStepKind.EVENT, at: event.at, actor: event.actor, note: event.note ?? null, event, call: null, order: i }));
  calls.forEach((call, i) => {
    const order = events.length + i * 4;
    const step = (kind: TimelineStepKind, at: Date | null | undefined, actor: string | null | undefined, note: string | null | undefined, k: number) => {
      if (at) drafts.push({ kind, at, actor: actor ?? '', note: note ?? null, event: null, call, order: order + k });
    };
    step(TimelineStepKind.CALL_PLACED, call.calledAt, call.calledBy, call.note, 0);
    step(TimelineStepKind.CALL_ACKNOWLEDGED, call.acknowledgedAt, call.acknowledgedBy, null, 1);
    step(TimelineStepKind.CALL_ANSWERED, call.answeredAt, call.answeredBy, call.report, 2);
    step(TimelineStepKind.CALL_RATED, call.ratedAt, call.ratedBy, call.ratingComment, 3);
  });
  drafts.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order);
  const first = drafts[0]?.at.getTime() ?? 0;
  return drafts.map(({ order: _order, ...draft }, i) => ({
    ...draft,
    secondsSincePrevious: i === 0 ? null : (draft.at.getTime() - drafts[i - 1].at.getTime()) / 1000,
    secondsSinceFirst: (draft.at.getTime() - first) / 1000,
  }));
}
