import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { EntityKind, SourceSystem } from './source-system';

/**
 * Source record (来源记录): one system's copy of one entity, kept as sent. The canonical entity is merged from
 * its source records; each keeps its own key, version and payload so merges can be replayed and explained.
 */
@ObjectType({ description: "Source record (来源记录): one system's copy of an entity, as that system sent it" })
@Entity({ tableName: 'source_record' })
@Unique({ properties: ['entityKind', 'source', 'sourceKey'] })
@Index({ name: 'source_record_entity_index', properties: ['entityKind', 'entityId', 'source'] })
export class SourceRecord {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field(() => EntityKind)
  @Enum({ items: () => EntityKind })
  entityKind!: EntityKind;

  @Field(() => ID, { description: 'Id of the canonical entity this record is merged into' })
  @Property({ type: 'bigint' })
  entityId!: string;

  @Field(() => SourceSystem)
  @Enum({ items: () => SourceSystem })
  source!: SourceSystem;

  @Property({ type: 'text' })
  sourceKey!: string;

  @Field(() => String, { description: 'Version as sent by the source (a counter; larger is newer)' })
  @Property({ type: 'bigint' })
  version!: string;

  @Field({ description: 'When the source observed this state of the record' })
  @Property({ type: 'Date', columnType: 'timestamptz' })
  observedAt!: Date;

  @Field({ description: 'When gridhub stored this version' })
  @Property({ type: 'Date', columnType: 'timestamptz' })
  receivedAt: Date = new Date();

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;
}
