import { Field, ObjectType, registerEnumType } from 'type-graphql';

/** What happened to one record of a batch write. */
export enum RecordOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
  STALE = 'STALE',
  REJECTED = 'REJECTED',
}
registerEnumType(RecordOutcome, {
  name: 'RecordOutcome',
  description: 'What happened to one record of a batch',
  valuesConfig: {
    CREATED: { description: 'Stored as new' },
    UPDATED: { description: 'Changed an existing record' },
    UNCHANGED: { description: 'Same as stored; nothing written' },
    STALE: { description: 'Older than the stored version; nothing written' },
    REJECTED: { description: 'Invalid; nothing written (see errors)' },
  },
});

/** Why a record was rejected: the offending field and what is wrong with it. */
@ObjectType({ description: 'Why a record was rejected: the offending field and what is wrong with it' })
export class FieldError {
  @Field({ description: 'Path of the field in the record, e.g. `parentCode` or `boundary.coordinates`' })
  field!: string;

  @Field()
  message!: string;
}
