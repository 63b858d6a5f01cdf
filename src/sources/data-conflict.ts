import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, Field, ID, InputType, Int, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import { Context } from '../server/context';
import { ConnectionType, decodeLinkCursor, encodeLinkCursor, pageSize } from '../shared/pagination';
import { EntityKind, SourceSystem } from './source-system';

/** What kind of disagreement a data conflict records. */
export enum ConflictKind {
  VALUE_MISMATCH = 'VALUE_MISMATCH',
  ID_COLLISION = 'ID_COLLISION',
  POSSIBLE_DUPLICATE = 'POSSIBLE_DUPLICATE',
}
registerEnumType(ConflictKind, {
  name: 'ConflictKind',
  description: 'Kind of data conflict (数据冲突)',
  valuesConfig: {
    VALUE_MISMATCH: { description: 'Sources give different values for a core field; the first value survived' },
    ID_COLLISION: {
      description: 'A record carries the ID number of a person whose name disagrees; kept as a person of its own (relatedEntityId: the holder)',
    },
    POSSIBLE_DUPLICATE: {
      description: 'Another source reported an incident of the same category within 100 m and 2 hours (relatedEntityId); linked for review, not merged',
    },
  },
});

@ObjectType({ description: 'One side of a data conflict: a value and who gave it' })
export class ConflictValue {
  @Field(() => SourceSystem, { nullable: true, description: 'The source that gave it; null for the canonical record' })
  source!: SourceSystem | null;

  @Field(() => ID, { nullable: true, description: 'The source record that gave it' })
  sourceRecordId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The entity it belongs to (collisions and duplicates: each side)' })
  entityId!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the source observed it' })
  observedAt!: Date | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The value; ID and phone numbers and dates masked unless your role may see them' })
  value!: unknown;
}

@ObjectType({ description: 'A disagreement between sources that analysts can review (数据冲突)' })
export class DataConflict {
  @Field(() => ID)
  id!: string;

  @Field(() => EntityKind)
  entityKind!: EntityKind;

  @Field(() => ID, { description: 'The entity the conflict is about' })
  entityId!: string;

  @Field({ description: 'Its grid' })
  gridCode!: string;

  @Field({ description: 'The field (schema name) the sources disagree on; `idNumber` for collisions, `incident` for duplicates' })
  field!: string;

  @Field(() => ConflictKind)
  kind!: ConflictKind;

  @Field(() => ID, { nullable: true, description: 'The other entity of a collision or duplicate' })
  relatedEntityId!: string | null;

  @Field(() => [ConflictValue], { description: 'Every value, the surviving one first' })
  values!: ConflictValue[];

  @Field({ description: 'When gridhub first saw the disagreement' })
  firstSeenAt!: Date;

  @Field({ description: 'When a merge last confirmed it' })
  lastSeenAt!: Date;
}

@InputType({ description: 'Filters for data conflicts; all given conditions must hold' })
export class DataConflictFilter {
  @Field(() => String, { nullable: true, description: 'Region or grid code: conflicts of entities under it' })
  regionCode?: string | null;

  @Field(() => EntityKind, { nullable: true })
  entityKind?: EntityKind | null;

  @Field(() => ConflictKind, { nullable: true })
  kind?: ConflictKind | null;

  @Field(() => String, { nullable: true, description: 'Field name, e.g. phone' })
  field?: string | null;

  @Field(() => ID, { nullable: true, description: 'Conflicts of this entity (with entityKind)' })
  entityId?: string | null;
}

export const DataConflictConnection = ConnectionType('DataConflict', DataConflict);
export type DataConflictConnection = InstanceType<typeof DataConflictConnection>;

/** The list's name in its cursors. */
export const DATA_CONFLICTS = 'dataConflicts';

@Resolver(() => DataConflict)
export class DataConflictResolver {
  @Query(() => DataConflictConnection, {
    nullable: true,
    description:
      'Merge disagreements for analysts (数据冲突), in your region, oldest first. Not for DEPARTMENT tokens: a conflict ' +
      "shows another source's value.",
  })
  async dataConflicts(
    @Ctx() ctx: Context,
    @Arg('filter', () => DataConflictFilter, { nullable: true }) filter?: DataConflictFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (default 20, at most 100)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<DataConflictConnection> {
    const size = pageSize(first);
    const afterId = after ? decodeLinkCursor(after, DATA_CONFLICTS) : null;
    const { rows, count } = await ctx.services.conflicts.list(filter ?? {}, size + 1, afterId);
    const page = rows.slice(0, size);
    return DataConflictConnection.of(
      {
        edges: page.map((node) => ({ cursor: encodeLinkCursor(DATA_CONFLICTS, node.id), node })),
        pageInfo: {
          hasNextPage: rows.length > size,
          hasPreviousPage: afterId !== null,
          startCursor: page.length ? encodeLinkCursor(DATA_CONFLICTS, page[0].id) : null,
          endCursor: page.length ? encodeLinkCursor(DATA_CONFLICTS, page[page.length - 1].id) : null,
        },
      },
      count,
    );
  }
}
