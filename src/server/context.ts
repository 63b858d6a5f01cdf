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
  /** The request's loaders (made on first read, on a prototype getter: never spread or copy a context field by field). */
  readonly loaders: Loaders;
  /**
   * Makes what reads afresh (a new entity manager, empty loader caches) on next use: every mutation calls it first
   * (src/schema.ts), as the request's loaders may hold what an earlier field of the same document read.
   */
  readAfresh(): void;
  readonly services: {
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

/** What a context makes when first asked for: the loaders and services of one reader on a fresh entity manager. */
interface Parts {
  loaders: Loaders;
  services: Context['services'];
}

/**
 * The one context builder for HTTP requests and WebSocket operations: a fresh entity manager, and scoped
 * services and loaders for this viewer, made when first asked for — nothing at all for a request that reads no
 * data (`{ __typename }`). A subscription's context lives as long as the subscription: before each delivered event
 * the live stream renews it (`readAfresh`), so each event gets a fresh entity manager and loaders (made only if the
 * event's fields ask for them) and nothing long-lived holds one.
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
  const context: RequestContext = new RequestContext(viewer, policy, (): Parts => {
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
        live: new IncidentEventStreamService(orm, viewer, policy, live, () => context.readAfresh()),
        stats: new StatsService(reader, stats),
      },
    };
  });
  return context;
}

/**
 * A request's context. Apollo hands resolvers a copy of it (`Object.assign` onto an object of the same prototype,
 * which reads every own getter once): so the getters are the class's, on its prototype, and what they make is kept
 * in a holder, an own property that the copy shares — the request's one set of loaders, whichever object a resolver
 * holds. TypeScript-private fields, not `#` ones: a copy has only what `Object.assign` copies.
 */
class RequestContext implements Context {
  private readonly held: { parts: Parts | null } = { parts: null };

  constructor(
    readonly viewer: Viewer,
    readonly policy: AccessPolicy,
    private readonly make: () => Parts,
  ) {}

  get loaders(): Loaders {
    return (this.held.parts ??= this.make()).loaders;
  }

  get services(): Context['services'] {
    return (this.held.parts ??= this.make()).services;
  }

  readAfresh(): void {
    this.held.parts = null;
  }
}
