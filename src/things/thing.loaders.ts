import { byIdLoader } from '../access/loading';
import { ScopedReader } from '../access/scope';
import { EntityKind } from '../sources/source-system';
import { Thing } from './thing.entity';

/** Things by id, through the scoped reader. */
export function thingLoaders(reader: ScopedReader) {
  return { thing: byIdLoader(reader, Thing, EntityKind.THING) };
}
