import { EntityClass, EntityProperty, MikroORM } from '@mikro-orm/core';

/** One mapped column of an entity: where it goes and how its raw value becomes the property's. */
interface Column {
  column: string;
  property: string;
  convert: (value: unknown) => unknown;
}

/** Each entity's mapped columns, from the ORM's metadata (read once per entity). */
const columnsOf = new WeakMap<object, readonly Column[]>();

/**
 * An instance of `entity` made from one raw row of its table (`returning *`, `select *`: columns by their names)
 * without the entity manager: no identity map, no change tracking — what a read or a write's answer needs when the
 * row is already at hand. Values are converted as MikroORM's hydrator converts them (custom types such as json and
 * bigint, timestamps given as text, booleans); columns the entity does not map are left out.
 */
export function entityFromRow<T extends object>(orm: MikroORM, entity: EntityClass<T>, row: Readonly<Record<string, unknown>>): T {
  const instance = Object.create(entity.prototype) as Record<string, unknown>;
  for (const { column, property, convert } of mappedColumns(orm, entity)) {
    const value = row[column];
    if (value === undefined) continue;
    instance[property] = value === null ? null : convert(value);
  }
  return instance as T;
}

/**
 * The columns `entity` maps, as a select or returning list (`alias.column, …`): what {@link entityFromRow} reads.
 * Named, not `*`: a prepared statement's result must not change shape when a later migration adds a column.
 */
export function columnList(orm: MikroORM, entity: EntityClass<object>, alias?: string): string {
  return mappedColumns(orm, entity)
    .map(({ column }) => (alias ? `${alias}.${column}` : column))
    .join(', ');
}

function mappedColumns(orm: MikroORM, entity: EntityClass<object>): readonly Column[] {
  let columns = columnsOf.get(entity);
  if (!columns) {
    const platform = orm.em.getPlatform();
    columns = orm
      .getMetadata()
      .get(entity.name)
      .props.filter((prop) => prop.fieldNames?.length === 1 && prop.persist !== false)
      .map((prop) => ({
        column: prop.fieldNames[0],
        property: prop.name,
        convert: converter(prop, (value) => prop.customType!.convertToJSValue(value, platform)),
      }));
    columnsOf.set(entity, columns);
  }
  return columns;
}

function converter(prop: EntityProperty, custom: (value: unknown) => unknown): (value: unknown) => unknown {
  if (prop.customType) return custom;
  if (prop.runtimeType === 'boolean') return (value) => !!value;
  if (prop.runtimeType === 'Date') return (value) => (value instanceof Date ? value : new Date(value as string));
  return (value) => value;
}
