import { ByIdLoader, byIdLoader, groupBy, PagedLinkLoader } from '../access/loading';
import { GridBound, PersonPlaceRow, ScopedReader } from '../access/scope';
import { Person } from '../people/person.entity';
import { encodeLinkCursor } from '../shared/pagination';
import { EntityKind } from '../sources/source-system';
import { PersonPlaceRole } from './person-place.entity';
import { Place } from './place.entity';
import { PersonPlaceLink, PlacePersonLink } from './place.types';

/** List names in link cursors. */
export const PERSON_PLACES = 'Person.places';
export const PLACE_PEOPLE = 'Place.people';

/**
 * Places by id, and the person–place links (人地关系) from either side: one statement for a page of links of
 * every parent, then the targets through their own scoped loader.
 */
export function placeLoaders(reader: ScopedReader, people: { person: ByIdLoader<Person> }) {
  const place = byIdLoader(reader, Place, EntityKind.PLACE);
  const linked = async <T extends GridBound>(rows: PersonPlaceRow[], targets: ByIdLoader<T>, targetOf: (row: PersonPlaceRow) => string) => {
    const found = await targets.loadMany(rows.map(targetOf));
    return rows.flatMap((row, i) => {
      const target = found[i];
      return target == null || target instanceof Error ? [] : [{ row, target }];
    });
  };
  return {
    place,
    placesOfPerson: new PagedLinkLoader<PersonPlaceLink>(async (personIds, page) => {
      const links = await linked(await reader.personPlaceLinks('person', personIds, page), place, (row) => row.placeId);
      return groupBy(personIds, links, ({ row }) => row.personId).map((group) =>
        group.map(({ row, target }) => ({ role: row.role as PersonPlaceRole, place: target, cursor: encodeLinkCursor(PERSON_PLACES, row.id) })),
      );
    }),
    peopleOfPlace: new PagedLinkLoader<PlacePersonLink>(async (placeIds, page) => {
      const links = await linked(await reader.personPlaceLinks('place', placeIds, page), people.person, (row) => row.personId);
      return groupBy(placeIds, links, ({ row }) => row.placeId).map((group) =>
        group.map(({ row, target }) => ({ role: row.role as PersonPlaceRole, person: target, cursor: encodeLinkCursor(PLACE_PEOPLE, row.id) })),
      );
    }),
  };
}
