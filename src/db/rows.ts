import { EntityClass, EntityManager, EntityProperty } from '@mikro-orm/core';

/** One mapped column of an entity: where it goes and how its raw value becomes the property's. */
interface Column {
  column: string;
  property: string;
  convert: (value: unknown) => unknown;
}

/** Each ORM's (metadata's) entities' mapped columns, read once per entity. */
const columnsOf = new WeakMap<object, Map<EntityClass<object>, readonly Column[]>>();

/**
 * An object of `entity`'s class made from one raw row of its table (the columns of {@link columnList}), outside
 * the entity manager (`em` only lends the metadata): no identity map, no hydration, no snapshot — for answers made from a row already at hand.
 * Its values are its own data properties (MikroORM's property accessors on the prototype are not run), converted
 * as MikroORM's hydrator converts them (custom types such as json and bigint, timestamps given as text, booleans);
 * columns the entity does not map are left out. The object is detached: read it, never persist or merge it (the
 * entity manager would take it for a new entity).
 */
export function entityFromRow<T extends object>(em: EntityManager, entity: EntityClass<T>, row: Readonly<Record<string, unknown>>): T {
  const columns = mappedColumns(em, entity);
  // Which mapped columns the row holds (a statement reads the same ones for every row): the shape to build.
  let shape = 0;
  for (let i = 0; i < columns.length && i < 31; i++) if (row[columns[i].column] !== undefined) shape |= 1 << i;
  const build = columns.length <= 31 ? builderOf(entity, columns, shape) : null;
  if (build) return build(row) as T;
  const instance = Object.create(entity.prototype) as object;
  for (const { column, property, convert } of columns) {
    const value = row[column];
    if (value === undefined) continue;
    Object.defineProperty(instance, property, { value: value === null ? null : convert(value), writable: true, enumerable: true, configurable: true });
  }
  return instance as T;
}

/** At most this many shapes (sets of columns read) get a builder per entity; others are made property by property. */
const MAX_SHAPES = 64;

/** Per column list (one per entity and ORM) and shape: the builder. */
const buildersOf = new WeakMap<readonly Column[], Map<number, (row: Readonly<Record<string, unknown>>) => object>>();

/**
 * A function that makes the entity's object for rows of one shape in one step: an object literal whose prototype is
 * the entity's (`{ __proto__: …, name: row.name, … }`), which defines its properties as a literal does — MikroORM's
 * setters on the prototype are not run, as with `defineProperty` — but gives every row of a shape the same hidden
 * class in one allocation instead of a property definition per column (row making was 2–4 % of a page's CPU and
 * much of its garbage). The code is generated from the entity's metadata only (property and column names, quoted).
 */
function builderOf(entity: EntityClass<object>, columns: readonly Column[], shape: number): ((row: Readonly<Record<string, unknown>>) => object) | null {
  let builders = buildersOf.get(columns);
  if (!builders) buildersOf.set(columns, (builders = new Map()));
  const known = builders.get(shape);
  if (known) return known;
  if (builders.size >= MAX_SHAPES) return null;
  const present = columns.map((column, i) => ({ ...column, i })).filter(({ i }) => (shape & (1 << i)) !== 0);
  const converts = present.map(({ convert }) => convert);
  const body =
    present.map(({ column }, n) => `const v${n} = row[${JSON.stringify(column)}];`).join('\n') +
    `\nreturn { __proto__: proto, ${present
      .map(({ property }, n) => `${JSON.stringify(property)}: v${n} === null ? null : ${converts[n] === identity ? `v${n}` : `convert[${n}](v${n})`}`)
      .join(', ')} };`;
  const build = new Function('proto', 'convert', `return function build(row) {\n${body}\n};`)(entity.prototype, converts) as (row: Readonly<Record<string, unknown>>) => object;
  builders.set(shape, build);
  return build;
}

const identity = (value: unknown) => value;

/**
 * An object of class `type` holding `values` as its own data properties, made without running the constructor (an
 * entity's would run MikroORM's property setters): for rows read as plain objects that a field resolver receives as
 * its root — type-graphql makes an instance of the type of any root that is not one (`new Type()` and a copy, per
 * field resolved).
 */
export function asInstance<T extends object>(type: new (...args: never[]) => T, values: Readonly<Record<string, unknown>>): T {
  const instance = Object.create(type.prototype) as object;
  for (const key of Object.keys(values)) {
    Object.defineProperty(instance, key, { value: values[key], writable: true, enumerable: true, configurable: true });
  }
  return instance as T;
}

/**
 * The columns `entity` maps, as a select or returning list (`alias.column, …`): what {@link entityFromRow} reads.
 * Named, not `*`: a prepared statement's result must not change shape when a later migration adds a column.
 */
export function columnList(em: EntityManager, entity: EntityClass<object>, alias?: string): string {
  return mappedColumns(em, entity)
    .map(({ column }) => (alias ? `${alias}.${column}` : column))
    .join(', ');
}

/**
 * The column of each of `entity`'s mapped properties (`reportedAt` → `reported_at`), for SQL written by hand over
 * the entity's table (the scoped reader's queries).
 */
export function propertyColumns(em: EntityManager, entity: EntityClass<object>): ReadonlyMap<string, string> {
  let columns = propertyColumnsOf.get(entity);
  if (!columns) propertyColumnsOf.set(entity, (columns = new Map(mappedColumns(em, entity).map(({ property, column }) => [property, column]))));
  return columns;
}

const propertyColumnsOf = new WeakMap<EntityClass<object>, ReadonlyMap<string, string>>();

function mappedColumns(em: EntityManager, entity: EntityClass<object>): readonly Column[] {
  const metadata = em.getMetadata();
  let entities = columnsOf.get(metadata);
  if (!entities) columnsOf.set(metadata, (entities = new Map()));
  let columns = entities.get(entity);
  if (!columns) {
    const platform = em.getPlatform();
    columns = metadata
      .get(entity.name)
      .props.filter((prop) => prop.fieldNames?.length === 1 && prop.persist !== false && !prop.formula && !prop.embedded)
      .map((prop) => ({
        column: prop.fieldNames[0],
        property: prop.name,
        convert: converter(prop, (value) => prop.customType!.convertToJSValue(value, platform)),
      }));
    entities.set(entity, columns);
  }
  return columns;
}

/** How MikroORM's hydrator turns a raw value into the property's (core/hydration/ObjectHydrator, scalars). */
function converter(prop: EntityProperty, custom: (value: unknown) => unknown): (value: unknown) => unknown {
  if (prop.customType) return custom;
  if (prop.runtimeType === 'boolean') return (value) => !!value;
  if (prop.runtimeType === 'Date') return (value) => (value instanceof Date ? value : new Date(value as string));
  return identity;
}
