import DataLoader from 'dataloader';
import { ScopedReader } from '../db/scope';
import { IncidentEvent } from '../incidents/incident-event.entity';
import { IncidentParty } from '../incidents/incident-party.entity';
import { Incident } from '../incidents/incident.entity';
import { IncidentPartyLink } from '../incidents/incident.types';
import { Person } from '../people/person.entity';
import { PersonPlace } from '../places/person-place.entity';
import { Place } from '../places/place.entity';
import { PersonPlaceLink, PlacePersonLink } from '../places/place.types';
import { Region } from '../regions/region.entity';
import { SourceRecord } from '../sources/source-record.entity';
import { EntityKind } from '../sources/source-system';
import { Thing } from '../things/thing.entity';
import { GridBound, EntityClass } from '../db/scope';

/** Groups rows by a key, keeping each key's rows in the order given; answers in the order of `keys`. */
function groupBy<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key)!);
}

/**
 * The request's DataLoaders: every nested relation is loaded in one statement per relation and level, whatever
 * the page size, and through the scoped reader, so a nested path never shows what a list would hide.
 * Created per request (per delivered event for subscriptions); never shared between viewers.
 */
export class Loaders {
  constructor(private readonly reader: ScopedReader) {}

  private byId<T extends GridBound>(entity: EntityClass<T>, kind: EntityKind): DataLoader<string, T | null> {
    return new DataLoader(async (ids: readonly string[]) => {
      const rows = await this.reader
        .query(entity, kind)
        .select('*')
        .andWhere({ id: { $in: [...ids] } } as never)
        .getResultList();
      const found = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  readonly person = this.byId(Person, EntityKind.PERSON);
  readonly place = this.byId(Place, EntityKind.PLACE);
  readonly thing = this.byId(Thing, EntityKind.THING);
  readonly incident = this.byId(Incident, EntityKind.INCIDENT);

  /** Regions by code; null when unknown or not visible to the viewer. */
  readonly region = new DataLoader<string, Region | null>(async (codes) => {
    const rows = await this.reader.em.find(Region, { code: { $in: [...codes] } });
    const found = new Map(rows.filter((r) => this.reader.regionVisible(r.code)).map((r) => [r.code, r]));
    return codes.map((code) => found.get(code) ?? null);
  });

  /** Places a person is linked to (those in scope). */
  readonly placesOfPerson = new DataLoader<string, PersonPlaceLink[]>(async (personIds) => {
    const links = await this.reader.em.find(PersonPlace, { personId: { $in: [...personIds] } }, { orderBy: { id: 'asc' } });
    const places = await this.place.loadMany(links.map((link) => link.placeId));
    const resolved = links
      .map((link, i) => ({ personId: link.personId, role: link.role, place: places[i] }))
      .filter((link): link is { personId: string; role: PersonPlace['role']; place: Place } => link.place instanceof Place);
    return groupBy(personIds, resolved, (link) => link.personId);
  });

  /** People linked to a place (those in scope). */
  readonly peopleOfPlace = new DataLoader<string, PlacePersonLink[]>(async (placeIds) => {
    const links = await this.reader.em.find(PersonPlace, { placeId: { $in: [...placeIds] } }, { orderBy: { id: 'asc' } });
    const people = await this.person.loadMany(links.map((link) => link.personId));
    const resolved = links
      .map((link, i) => ({ placeId: link.placeId, role: link.role, person: people[i] }))
      .filter((link): link is { placeId: string; role: PersonPlace['role']; person: Person } => link.person instanceof Person);
    return groupBy(placeIds, resolved, (link) => link.placeId);
  });

  /** People involved in an incident (those in scope). */
  readonly partiesOfIncident = new DataLoader<string, IncidentPartyLink[]>(async (incidentIds) => {
    const parties = await this.reader.em.find(
      IncidentParty,
      { incidentId: { $in: [...incidentIds] } },
      { orderBy: { id: 'asc' } },
    );
    const people = await this.person.loadMany(parties.map((party) => party.personId));
    const resolved = parties
      .map((party, i) => ({ incidentId: party.incidentId, role: party.role, person: people[i] }))
      .filter((p): p is { incidentId: string; role: IncidentParty['role']; person: Person } => p.person instanceof Person);
    return groupBy(incidentIds, resolved, (party) => party.incidentId);
  });

  /** The event log of an incident, in seq order. */
  readonly eventsOfIncident = new DataLoader<string, IncidentEvent[]>(async (incidentIds) => {
    const events = await this.reader.em.find(
      IncidentEvent,
      { incidentId: { $in: [...incidentIds] } },
      { orderBy: { seq: 'asc' } },
    );
    return groupBy(incidentIds, events, (event) => event.incidentId);
  });

  /** Source records of entities, keyed `KIND:id`; a DEPARTMENT viewer sees only its own source's records. */
  readonly sourceRecords = new DataLoader<string, SourceRecord[]>(async (keys) => {
    const byKind = new Map<EntityKind, string[]>();
    for (const key of keys) {
      const [kind, id] = key.split(':') as [EntityKind, string];
      byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
    }
    const source = this.reader.viewer.sourceScope;
    const records = await this.reader.em.find(
      SourceRecord,
      {
        $or: [...byKind].map(([entityKind, ids]) => ({ entityKind, entityId: { $in: ids } })),
        ...(source ? { source } : {}),
      },
      { orderBy: { id: 'asc' } },
    );
    return groupBy(keys, records, (record) => `${record.entityKind}:${record.entityId}`);
  });
}
