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
 * A loader of the links of each key (person → places, place → people, incident → parties): one statement for the
 * link rows, then the targets through their own scoped loader, so a target outside the scope drops its link.
 */
function linkLoader<Link, Target, Result>(
  findLinks: (keys: string[]) => Promise<Link[]>,
  keyOf: (link: Link) => string,
  targetOf: (link: Link) => string,
  targets: DataLoader<string, Target | null>,
  build: (link: Link, target: Target) => Result,
): DataLoader<string, Result[]> {
  return new DataLoader(async (keys) => {
    const links = await findLinks([...keys]);
    const found = await targets.loadMany(links.map(targetOf));
    const results = new Map<string, Result[]>(keys.map((key) => [key, []]));
    links.forEach((link, i) => {
      const target = found[i];
      if (target != null && !(target instanceof Error)) results.get(keyOf(link))?.push(build(link, target));
    });
    return keys.map((key) => results.get(key)!);
  });
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
  readonly placesOfPerson = linkLoader(
    (personIds) => this.reader.em.find(PersonPlace, { personId: { $in: personIds } }, { orderBy: { id: 'asc' } }),
    (link) => link.personId,
    (link) => link.placeId,
    this.place,
    (link, place): PersonPlaceLink => ({ role: link.role, place }),
  );

  /** People linked to a place (those in scope). */
  readonly peopleOfPlace = linkLoader(
    (placeIds) => this.reader.em.find(PersonPlace, { placeId: { $in: placeIds } }, { orderBy: { id: 'asc' } }),
    (link) => link.placeId,
    (link) => link.personId,
    this.person,
    (link, person): PlacePersonLink => ({ role: link.role, person }),
  );

  /** People involved in an incident (those in scope). */
  readonly partiesOfIncident = linkLoader(
    (incidentIds) => this.reader.em.find(IncidentParty, { incidentId: { $in: incidentIds } }, { orderBy: { id: 'asc' } }),
    (party) => party.incidentId,
    (party) => party.personId,
    this.person,
    (party, person): IncidentPartyLink => ({ role: party.role, person }),
  );

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
