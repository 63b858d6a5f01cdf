import { byIdLoader } from '../access/loading';
import { ScopedReader } from '../access/scope';
import { EntityKind } from '../sources/source-system';
import { Person } from './person.entity';

/** People by id, through the scoped reader. */
export function personLoaders(reader: ScopedReader) {
  return { person: byIdLoader(reader, Person, EntityKind.PERSON) };
}
