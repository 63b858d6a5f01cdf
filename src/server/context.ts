import { MikroORM } from '@mikro-orm/postgresql';
import { Viewer } from '../auth/viewer';
import { verifyAuthorization, TokenError } from '../auth/tokens';
import { ScopedReader } from '../db/scope';
import { IncidentService } from '../incidents/incident.service';
import { PersonService } from '../people/person.service';
import { PlaceService } from '../places/place.service';
import { RegionService } from '../regions/region.service';
import { ThingService } from '../things/thing.service';
import { UnauthenticatedError } from '../shared/errors';
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
 * The one context builder for HTTP requests and WebSocket operations: verifies the `Authorization` value,
 * forks a fresh entity manager and builds scoped services and loaders for this viewer.
 * @throws UnauthenticatedError when the value is missing or not a valid token.
 */
export async function buildContext(orm: MikroORM, key: Uint8Array, authorization: unknown): Promise<Context> {
  let viewer: Viewer;
  try {
    viewer = await verifyAuthorization(key, authorization);
  } catch (error) {
    if (error instanceof TokenError) throw new UnauthenticatedError(error.message);
    throw error;
  }
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
