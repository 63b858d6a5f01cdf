import { Field, ID, ObjectType } from 'type-graphql';
import { SourceSystem } from './source-system';

/** Which source record gave a canonical field its surviving value; stored per entity as `{ field: FieldSource }`. */
export interface FieldSource {
  source: SourceSystem;
  sourceRecordId: string;
}

/** Lineage (数据血缘) of one field of a canonical entity. */
@ObjectType({ description: 'Lineage (数据血缘) of one field: which source and record gave its value' })
export class FieldLineage {
  @Field({ description: 'Field name as in the schema' })
  field!: string;

  @Field(() => SourceSystem)
  source!: SourceSystem;

  @Field(() => ID)
  sourceRecordId!: string;
}

/** The stored lineage map as a list, sorted by field name. */
export function lineageList(lineage: Record<string, FieldSource> | null | undefined): FieldLineage[] {
  return Object.entries(lineage ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, from]) => ({ field, source: from.source, sourceRecordId: from.sourceRecordId }));
}
