import { MikroORM } from '@mikro-orm/postgresql';
import { TokenError, verifyAuthorization } from '../auth/tokens';
import { Viewer } from '../auth/viewer';
import { ScopedReader } from '../db/scope';
import { IncidentService } from '../incidents/incident.service';
import { PersonService } from '../people/person.service';
import { PlaceService } from '../places/place.service';
import { RegionService } from '../regions/region.service';
import { UnauthenticatedError } from '../shared/errors';
import { ThingService } from '../things/thing.service';
import { Loaders } from './loaders';

/** What every resolver receives: who asks, the scoped services, and the request's loaders. */
export interface Context {
  viewer: Viewer;
  loaders: Loaders;
  services: {
    regions: RegionService;
    people: PersonService;
    places: PlaceService;
    things: ThingService;
    incidents: IncidentService;
  };
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
 * services and loaders for this viewer.
 */
export function buildContext(orm: MikroORM, viewer: Viewer): Context {
  const reader = new ScopedReader(orm.em.fork(), viewer);
  return {
    viewer,
    loaders: new Loaders(reader),
    services: {
      regions: new RegionService(reader),
      people: new PersonService(reader),
      places: new PlaceService(reader),
      things: new ThingService(reader),
      incidents: new IncidentService(reader),
    },
  };
}
