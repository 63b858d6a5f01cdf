import { GraphQLJSONObject } from 'graphql-scalars';
import { FieldResolver, Resolver, Root } from 'type-graphql';
import { SourceRecord } from './source-record.entity';

/** Fields of a source record that the entity does not expose directly (masking is the access policy's). */
@Resolver(() => SourceRecord)
export class SourceRecordResolver {
  @FieldResolver(() => GraphQLJSONObject, {
    description: 'The record as the source sent it; ID and phone numbers and dates masked unless your role may see them',
  })
  payload(@Root() record: SourceRecord): unknown {
    return record.payload;
  }

  @FieldResolver(() => String, {
    description: "The record's key in its source system; ID and phone numbers in it masked unless your role may see them",
  })
  sourceKey(@Root() record: SourceRecord): string {
    return record.sourceKey;
  }
}
