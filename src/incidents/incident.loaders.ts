import { ByIdLoader, byIdLoader, groupBy, PagedLinkLoader } from '../access/loading';
import { GridBound, IncidentPartyRow, ScopedReader } from '../access/scope';
import { Person } from '../people/person.entity';
import { encodeLinkCursor, encodeOrderedLinkCursor } from '../shared/pagination';
import { EntityKind } from '../sources/source-system';
import { IncidentEvent } from './incident-event.entity';
import { IncidentPartyRole } from './incident-party.entity';
import { Incident } from './incident.entity';
import { IncidentPartyLink, PersonIncidentLink } from './incident.types';

/** List names in link cursors. */
export const INCIDENT_PARTIES = 'Incident.parties';
export const PERSON_INCIDENTS = 'Person.incidents';

/**
 * Incidents by id, their parties and their event logs, each a page per incident in one statement; and the incidents
 * of people, a page per person in one statement.
 */
export function incidentLoaders(reader: ScopedReader, people: { person: ByIdLoader<Person> }) {
  const incident = byIdLoader(reader, Incident, EntityKind.INCIDENT);
  return {
    incident,
    incidentsOfPlace: incidentsOf(reader, incident, EntityKind.PLACE),
    incidentsOfThing: incidentsOf(reader, incident, EntityKind.THING),
    incidentsOfPerson: new PagedLinkLoader<PersonIncidentLink>(async (personIds, page) => {
      const rows = await reader.incidentPartyLinks('person', personIds, page, Incident);
      const found = await targetsOf<Incident>(rows, incident, (row) => row.incidentId, page.targetColumns ?? null);
      const links = rows.flatMap((row, i) => {
        const item = found[i];
        return item == null || item instanceof Error ? [] : [{ row, incident: item }];
      });
      return groupBy(personIds, links, ({ row }) => row.personId).map((group) =>
        group.map(({ row, incident }) => ({
          role: row.role as IncidentPartyRole,
          incident,
          cursor: page.order
            ? encodeOrderedLinkCursor(PERSON_INCIDENTS, page.order.key, cursorValueOf(row.orderValue), row.id)
            : encodeLinkCursor(PERSON_INCIDENTS, row.id),
        })),
      );
    }),
    partiesOfIncident: new PagedLinkLoader<IncidentPartyLink>(async (incidentIds, page) => {
      const rows = await reader.incidentPartyLinks('incident', incidentIds, page, Person);
      const found = await targetsOf<Person>(rows, people.person, (row) => row.personId, page.targetColumns ?? null);
      const links = rows.flatMap((row, i) => {
        const person = found[i];
        return person == null || person instanceof Error ? [] : [{ row, person }];
      });
      return groupBy(incidentIds, links, ({ row }) => row.incidentId).map((group) =>
        group.map(({ row, person }) => ({ role: row.role as IncidentPartyRole, person, cursor: encodeLinkCursor(INCIDENT_PARTIES, row.id) })),
      );
    }),
    eventsOfIncident: new PagedLinkLoader<IncidentEvent>(async (incidentIds, page) => {
      const events = await reader.incidentEvents<IncidentEvent>(incidentIds, page);
      return groupBy(incidentIds, events, (event) => event.incidentId);
    }),
  };
}

/** The incidents of places or things, newest first, a page per parent in one statement. */
function incidentsOf(
  reader: ScopedReader,
  incident: ByIdLoader<Incident>,
  of: EntityKind.PLACE | EntityKind.THING,
): PagedLinkLoader<Incident> {
  return new PagedLinkLoader<Incident>(async (parentIds, page) => {
    const rows = await reader.incidentsOf(of, parentIds, page);
    const found = await incident.loadMany(rows.map((row) => row.id));
    const kept = rows.flatMap((row, i) => {
      const item = found[i];
      return item == null || item instanceof Error ? [] : [{ parentId: row.parentId, item }];
    });
    return groupBy(parentIds, kept, (row) => row.parentId).map((group) => group.map(({ item }) => item));
  });
}

/**
 * The target of each link: as read with the link (then, when read with every column, primed into `loader`, so the
 * request reads it no more), or through `loader` with the link's `columns` when the link came without it.
 */
function targetsOf<T extends GridBound>(
  rows: readonly IncidentPartyRow[],
  loader: ByIdLoader<T>,
  keyOf: (row: IncidentPartyRow) => string,
  columns: readonly string[] | null,
): Promise<Array<T | Error | null>> {
  if (rows.every((row) => row.target !== undefined)) {
    return Promise.resolve(
      rows.map((row) => {
        if (columns === null) loader.prime(keyOf(row), row.target as T);
        return row.target as T;
      }),
    );
  }
  return loader.loadMany(rows.map(keyOf), columns);
}

/** A target's order value as a cursor holds it: timestamps as ISO text (the database may give them as text). */
function cursorValueOf(value: Date | string | number | null | undefined): string | number {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:/.test(value)) return new Date(value).toISOString();
  return value ?? '';
}
