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

/** The scoped services of a request, each made when a resolver first asks for it (most requests use one or two). */
export type Services = Context['services'];

/** What a context makes when first asked for: a fresh entity manager's reader, the loaders and the services. */
interface Parts {
  loaders: Loaders;
  services: Services;
}

/**
 * The one context builder for HTTP requests and WebSocket operations: a fresh entity manager, and scoped
 * services and loaders for this viewer, made when first asked for — each service on its own, and nothing at all for
 * a request that reads no data (`{ __typename }`). A subscription's context lives as long as the
 * subscription: before each delivered event the live stream renews it, so each event gets a fresh entity manager
 * and loaders (made only if the event's fields ask for them) and nothing long-lived holds one.
 *
 * Apollo hands resolvers a copy of the context (`Object.assign` onto an object of the same prototype), which reads
 * every own getter once: so the getters live on a prototype and what they make is kept in a holder that the copy
 * shares — the request's one set of loaders, whichever object a resolver holds.
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
  const held: { parts: Parts | null } = { parts: null };
  const renew = () => {
    held.parts = null;
  };
  const make = (): Parts => {
    const reader = new ScopedReader(orm.em.fork(), viewer);
    const services = lazily<Services>({
      regions: () => new RegionService(reader),
      people: () => new PersonService(reader),
      places: () => new PlaceService(reader),
      things: () => new ThingService(reader),
      incidents: () => new IncidentService(reader),
      workflow: () => new IncidentWorkflowService(orm, viewer, workflow, ingest),
      ingestion: () => new IngestionService(orm, viewer, ingest),
      conflicts: () => new DataConflictService(reader),
      calls: () => new DepartmentCallService(orm, viewer, calls),
      callQueries: () => new DepartmentCallQueryService(reader),
      scorecard: () => new DepartmentScorecardService(reader, calls.acknowledgeMinutes),
      timelines: () => new IncidentTimelineService(reader),
      live: () => new IncidentEventStreamService(orm, viewer, policy, live, renew),
      stats: () => new StatsService(reader, stats),
    });
    return { loaders: createLoaders(reader), services };
  };
  const context: Context = Object.create(RequestContext.prototype);
  return Object.assign(context, {
    viewer,
    policy,
    [PARTS]: { held, make },
    readAfresh: () => {
      if (held.parts !== null) Object.assign(held.parts.loaders, createLoaders(new ScopedReader(orm.em.fork(), viewer)));
    },
  });
}

/** Where a context keeps its holder (an own property, so Apollo's copy of the context shares the holder). */
const PARTS = Symbol('parts');

/** The prototype of every context: its getters make the request's parts once, into the shared holder. */
class RequestContext {
  declare [PARTS]: { held: { parts: Parts | null }; make: () => Parts };

  get loaders(): Loaders {
    const { held, make } = this[PARTS];
    return (held.parts ??= make()).loaders;
  }

  get services(): Services {
    const { held, make } = this[PARTS];
    return (held.parts ??= make()).services;
  }
}

/** An object whose properties are made by `makers` on first read, then kept. */
function lazily<T extends object>(makers: { [K in keyof T]: () => T[K] }): T {
  const made = {} as T;
  for (const key of Object.keys(makers) as Array<keyof T>) {
    Object.defineProperty(made, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = makers[key]();
        Object.defineProperty(made, key, { value, enumerable: true, writable: false });
        return value;
      },
    });
  }
  return made;
}
