import { MikroORM } from '@mikro-orm/postgresql';
import { TokenError, verifyAuthorization } from '../auth/tokens';
import { Viewer } from '../auth/viewer';
import { AccessPolicy } from '../access/policy';
import { ScopedReader } from '../access/scope';
import { incidentLoaders } from '../incidents/incident.loaders';
import { personLoaders } from '../people/person.loaders';
import { placeLoaders } from '../places/place.loaders';
import { regionLoaders } from '../regions/region.loaders';
import { sourceRecordLoaders } from '../sources/source-record.loaders';
import { thingLoaders } from '../things/thing.loaders';
import { IncidentService } from '../incidents/incident.service';
import { IncidentWorkflowService, WorkflowOptions } from '../incidents/incident-workflow.service';
import { DataConflictService } from '../sources/data-conflict.service';
import { IngestionService, IngestOptions } from '../ingest/ingestion.service';
import { PersonService } from '../people/person.service';
import { PlaceService } from '../places/place.service';
import { RegionService } from '../regions/region.service';
import { UnauthenticatedError } from '../shared/errors';
import { ThingService } from '../things/thing.service';
import { departmentCallLoaders } from '../calls/department-call.loaders';
import { CallOptions, DepartmentCallService } from '../calls/department-call.service';
import { DepartmentScorecardService } from '../calls/department-scorecard.service';
import { DepartmentCallQueryService } from '../calls/department-call-query.service';
import { IncidentTimelineService } from '../calls/incident-timeline.service';
import { IncidentEventStreamService, LiveSocket } from '../live/incident-event-stream';
import { StatsOptions, StatsService } from '../stats/stats.service';
import { LiveFeed } from '../live/live-feed';

/**
 * The request's DataLoaders, each beside its feature: every nested relation is loaded in one statement per
 * relation and level, whatever the page size, and through the scoped reader, so a nested path never shows what
 * a list would hide. Created per request (per delivered event for subscriptions); never shared between viewers.
 */
export function createLoaders(reader: ScopedReader) {
  const people = personLoaders(reader);
  return {
    ...people,
    ...placeLoaders(reader, people),
    ...thingLoaders(reader),
    ...incidentLoaders(reader, people),
    ...regionLoaders(reader),
    ...sourceRecordLoaders(reader),
    ...departmentCallLoaders(reader),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

/** What every resolver receives: who asks, what it may see, the scoped services, and the request's loaders. */
export interface Context {
  viewer: Viewer;
  /** The access policy for this viewer: masking, department views, what it may ask. */
  policy: AccessPolicy;
  loaders: Loaders;
  /**
   * Makes the loaders read afresh (a new entity manager, empty caches): a mutation that writes calls it first, as the
   * request's loaders may hold what an earlier mutation of the same document read. In place, since Apollo hands
   * resolvers a shallow copy of the context (its getters read once).
   */
  readAfresh(): void;
  services: {
    regions: RegionService;
    people: PersonService;
    places: PlaceService;
    things: ThingService;
    incidents: IncidentService;
    workflow: IncidentWorkflowService;
    ingestion: IngestionService;
    conflicts: DataConflictService;
    calls: DepartmentCallService;
    callQueries: DepartmentCallQueryService;
    scorecard: DepartmentScorecardService;
    timelines: IncidentTimelineService;
    live: IncidentEventStreamService;
    stats: StatsService;
  };
}

/** What a WebSocket operation's context adds: the instance's live feed, and the socket as the live stream sees it. */
export interface LiveTransport {
  feed: LiveFeed;
  socket: LiveSocket;
}

/**
 * Verifies an `Authorization` value (HTTP header, or `connectionParams.authorization` over WebSocket).
 * @throws UnauthenticatedError when it is missing or not a valid token.
 */
export async function authenticate(key: Uint8Array, authorization: unknown): Promise<Viewer> {
  try {
    return await verifyAuthorization(key, authorization);
  } catch (error) {
    if (error instanceof TokenError) throw new UnauthenticatedError(error.message);
    throw error;
  }
}

/**
 * The one context builder for HTTP requests and WebSocket operations: a fresh entity manager, and scoped
 * services and loaders for this viewer, made when first asked for. A subscription's context lives as long as the
 * subscription: before each delivered event the live stream renews it, so each event gets a fresh entity manager
 * and loaders (made only if the event's fields ask for them) and nothing long-lived holds one.
 * @param live the live feed and socket of a WebSocket operation; null over HTTP (no subscriptions).
 */
export function buildContext(
  orm: MikroORM,
  viewer: Viewer,
  ingest: IngestOptions,
  workflow: WorkflowOptions,
  calls: CallOptions,
  stats: StatsOptions,
  live: LiveTransport | null = null,
): Context {
  const policy = new AccessPolicy(viewer);
  let made: Pick<Context, 'loaders' | 'services'> | null = null;
  const renew = () => {
    made = null;
  };
  const make = (): Pick<Context, 'loaders' | 'services'> => {
    const reader = new ScopedReader(orm.em.fork(), viewer);
    return {
      loaders: createLoaders(reader),
      services: {
        regions: new RegionService(reader),
        people: new PersonService(reader),
        places: new PlaceService(reader),
        things: new ThingService(reader),
        incidents: new IncidentService(reader),
        workflow: new IncidentWorkflowService(orm, viewer, workflow, ingest),
        ingestion: new IngestionService(orm, viewer, ingest),
        conflicts: new DataConflictService(reader),
        calls: new DepartmentCallService(orm, viewer, calls),
        callQueries: new DepartmentCallQueryService(reader),
        scorecard: new DepartmentScorecardService(reader, calls.acknowledgeMinutes),
        timelines: new IncidentTimelineService(reader),
        live: new IncidentEventStreamService(orm, viewer, policy, live, renew),
        stats: new StatsService(reader, stats),
      },
    };
  };
  return {
    viewer,
    policy,
    get loaders() {
      return (made ??= make()).loaders;
    },
    get services() {
      return (made ??= make()).services;
    },
    readAfresh: () => {
      if (made !== null) Object.assign(made.loaders, createLoaders(new ScopedReader(orm.em.fork(), viewer)));
    },
  };
}
