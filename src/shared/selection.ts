import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/**
 * The field names a query selects on the object at `path` below the current field (e.g. `['edges', 'node']` of a
 * connection; `[]` for the field's own object), through fragments and inline fragments. Aliases do not matter.
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[] = []): ReadonlySet<string> {
  // Each item of a list resolves its fields with the same field nodes: a page of 50 incidents asks 50 times.
  let byPath = selections.get(info.fieldNodes);
  if (!byPath) selections.set(info.fieldNodes, (byPath = new Map()));
  const key = path.join('.');
  let fields = byPath.get(key);
  if (!fields) byPath.set(key, (fields = collect(info, path)));
  return fields;
}

/** Per field nodes (one execution's, gone with it) and path: the fields selected. */
const selections = new WeakMap<readonly FieldNode[], Map<string, ReadonlySet<string>>>();

function collect(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const step of path) {
    sets = sets.flatMap((set) => fieldsOf(set, info).filter((field) => field.name.value === step))
      .flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return new Set(sets.flatMap((set) => fieldsOf(set, info).map((field) => field.name.value)));
}

function fieldsOf(set: SelectionSetNode, info: GraphQLResolveInfo): FieldNode[] {
  return set.selections.flatMap((selection): FieldNode[] => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, info);
    const fragment = info.fragments[selection.name.value];
    return fragment ? fieldsOf(fragment.selectionSet, info) : [];
  });
}

/**
 * The entity properties to load for a selection: `needs` maps each GraphQL field of the type to the properties
 * it reads. `always` are loaded whatever is selected (id, grid code, the order key). A field missing from
 * `needs` loads every column — a new field can never come back silently empty.
 */
export function columnsFor(
  fields: ReadonlySet<string>,
  needs: Readonly<Record<string, readonly string[]>>,
  always: readonly string[],
): string[] | null {
  // The same selection (selectedFields gives one set per field nodes and path) asked again by each item of a page.
  if (always.length > 0) return computeColumns(fields, needs, always);
  let byNeeds = columnsOf.get(fields);
  if (!byNeeds) columnsOf.set(fields, (byNeeds = new Map()));
  let columns = byNeeds.get(needs);
  if (columns === undefined) byNeeds.set(needs, (columns = computeColumns(fields, needs, always)));
  return columns === null ? null : [...columns];
}

/** Per selection (a set of {@link selectedFields}, gone with its execution) and mapping: the properties it needs. */
const columnsOf = new WeakMap<ReadonlySet<string>, Map<object, string[] | null>>();

function computeColumns(
  fields: ReadonlySet<string>,
  needs: Readonly<Record<string, readonly string[]>>,
  always: readonly string[],
): string[] | null {
  const columns = new Set(always);
  for (const field of fields) {
    if (field === '__typename') continue;
    const properties = needs[field];
    if (!properties) return null;
    for (const property of properties) columns.add(property);
  }
  return [...columns];
}
