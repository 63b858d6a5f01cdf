import {
  getNamedType,
  GraphQLField,
  GraphQLInputObjectType,
  GraphQLObjectType,
  GraphQLSchema,
  isInputObjectType,
  isLeafType,
  isNonNullType,
  isObjectType,
} from 'graphql';

/**
 * A walk of a schema's output fields, generated from the schema itself: one document per root field, selecting
 * every field of every object type reachable from it. A field added to the schema later is selected without
 * editing the test that uses the walk (or, when the walk cannot reach it, shows up in {@link unwalkedFields}).
 *
 * Rules: a field with a required argument is selected only at the root, when `rootArguments` can supply it;
 * optional arguments are left out. An object type may appear at most `maxVisits` times on one path (so
 * `Region.parent` is walked once, `Person.places.place.people.person` stops), and no path is deeper than
 * `maxDepth` (a leaf counts as a level). Interfaces and unions are not walked yet: their fields stay unwalked,
 * so a test built on the walk fails until the walk learns them.
 */

/** One selected field, with the selection under it for composite fields. */
export interface WalkNode {
  /** The type that declares the field. */
  parentType: string;
  field: string;
  /** Named return type (list and non-null stripped). */
  returnType: string;
  children?: WalkNode[];
}

/** One generated document: a root field of Query, its arguments and its selection. */
export interface WalkDocument {
  rootField: string;
  text: string;
  variables: Record<string, unknown>;
  root: WalkNode;
}

export interface WalkOptions {
  /** Arguments for a root field, or undefined when the walk cannot call it (then it is not walked). */
  rootArguments(field: GraphQLField<unknown, unknown>): Record<string, unknown> | undefined;
  /** Default 12, the hub's default maxDepth. */
  maxDepth?: number;
  /** Default 2. */
  maxVisits?: number;
}

/** `Type.field` of every output field of every object type (introspection types left out). */
export function allOutputFields(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) => Object.keys(type.getFields()).map((field) => `${type.name}.${field}`))
    .sort();
}

function hasRequiredArgument(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
}

function select(type: GraphQLObjectType, path: string[], depth: number, options: Required<Omit<WalkOptions, 'rootArguments'>>): WalkNode[] {
  const nodes: WalkNode[] = [];
  for (const field of Object.values(type.getFields())) {
    if (hasRequiredArgument(field)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      if (depth <= options.maxDepth) nodes.push({ parentType: type.name, field: field.name, returnType: named.name });
    } else if (isObjectType(named)) {
      if (depth + 1 > options.maxDepth) continue;
      if (path.filter((name) => name === named.name).length >= options.maxVisits) continue;
      const children = select(named, [...path, named.name], depth + 1, options);
      if (children.length > 0) nodes.push({ parentType: type.name, field: field.name, returnType: named.name, children });
    }
  }
  return nodes;
}

function printSelection(nodes: WalkNode[], indent: string): string {
  return nodes
    .map((node) =>
      node.children ? `${indent}${node.field} {\n${printSelection(node.children, `${indent}  `)}\n${indent}}` : `${indent}${node.field}`,
    )
    .join('\n');
}

/** The documents of the walk: one per root field of Query the walk can call. */
export function walkDocuments(schema: GraphQLSchema, options: WalkOptions): WalkDocument[] {
  const query = schema.getQueryType();
  if (!query) return [];
  const limits = { maxDepth: options.maxDepth ?? 12, maxVisits: options.maxVisits ?? 2 };
  const documents: WalkDocument[] = [];
  for (const field of Object.values(query.getFields())) {
    const args = options.rootArguments(field);
    if (args === undefined) continue;
    const named = getNamedType(field.type);
    const root: WalkNode = { parentType: query.name, field: field.name, returnType: named.name };
    if (isObjectType(named)) {
      root.children = select(named, [named.name], 2, limits);
      if (root.children.length === 0) continue;
    } else if (!isLeafType(named)) {
      continue;
    }
    const used = field.args.filter((arg) => args[arg.name] !== undefined);
    const declarations = used.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
    const call = used.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
    const text =
      `query Walk_${field.name}${declarations ? `(${declarations})` : ''} {\n  ${field.name}${call ? `(${call})` : ''}` +
      (root.children ? ` {\n${printSelection(root.children, '    ')}\n  }` : '') +
      '\n}';
    documents.push({ rootField: field.name, text, variables: Object.fromEntries(used.map((arg) => [arg.name, args[arg.name]])), root });
  }
  return documents;
}

/** `Type.field` of every field some document selects. */
export function walkedFields(documents: WalkDocument[]): Set<string> {
  const walked = new Set<string>();
  const visit = (node: WalkNode) => {
    walked.add(`${node.parentType}.${node.field}`);
    node.children?.forEach(visit);
  };
  documents.forEach((document) => visit(document.root));
  return walked;
}

/** Output fields of the schema that no document selects and that `listed` does not name. */
export function unwalkedFields(schema: GraphQLSchema, documents: WalkDocument[], listed: Iterable<string>): string[] {
  const walked = walkedFields(documents);
  const known = new Set(listed);
  return allOutputFields(schema).filter((field) => !walked.has(field) && !known.has(field));
}

/** A value found in a response: where (`Type.field` and the response path) and what. */
export interface FoundValue {
  /** `Type.field` of the schema field that returned it. */
  coordinate: string;
  /** Response path, e.g. `incidents.edges.0.node.address`, continued into JSON values (`…payload.sjhm`). */
  path: string;
  /** The field's named return type. */
  returnType: string;
  value: unknown;
  /** For values inside a JSON scalar: the key it stands under. */
  jsonKey?: string;
  /** True when `value` is a key of a JSON object (not a value). */
  isKey?: boolean;
}

/** A composite value found in a response: an object of `type` at `path` (used to find entities and their fields). */
export interface FoundObject {
  type: string;
  path: string;
  value: Record<string, unknown>;
}

/**
 * Walks a response along the document's selection: calls `onValue` for every leaf value (for a JSON scalar, for
 * every string, number and boolean inside it, and for its keys with `jsonKey` set and `value` the key) and
 * `onObject` for every object of a selected object type.
 */
export function visitResponse(
  document: WalkDocument,
  data: unknown,
  onValue: (found: FoundValue) => void,
  onObject: (found: FoundObject) => void = () => undefined,
): void {
  const visitJson = (node: WalkNode, value: unknown, path: string, key: string | undefined) => {
    const coordinate = `${node.parentType}.${node.field}`;
    if (Array.isArray(value)) value.forEach((item, i) => visitJson(node, item, `${path}.${i}`, key));
    else if (value !== null && typeof value === 'object') {
      for (const [name, item] of Object.entries(value)) {
        onValue({ coordinate, path: `${path}.${name}`, returnType: node.returnType, value: name, isKey: true });
        visitJson(node, item, `${path}.${name}`, name);
      }
    } else if (value !== null && value !== undefined) {
      onValue({ coordinate, path, returnType: node.returnType, value, jsonKey: key });
    }
  };
  const visit = (node: WalkNode, value: unknown, path: string) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(node, item, `${path}.${i}`));
      return;
    }
    if (node.children) {
      const object = value as Record<string, unknown>;
      onObject({ type: node.returnType, path, value: object });
      for (const child of node.children) visit(child, object[child.field], `${path}.${child.field}`);
    } else if (typeof value === 'object') {
      visitJson(node, value, path, undefined);
    } else {
      onValue({ coordinate: `${node.parentType}.${node.field}`, path, returnType: node.returnType, value });
    }
  };
  visit(document.root, (data as Record<string, unknown> | undefined)?.[document.root.field], document.root.field);
}

/** The input object type of an argument, if it is one. */
export function inputObjectOf(field: GraphQLField<unknown, unknown>, argument: string): GraphQLInputObjectType | undefined {
  const arg = field.args.find((candidate) => candidate.name === argument);
  const named = arg ? getNamedType(arg.type) : undefined;
  return named && isInputObjectType(named) ? named : undefined;
}
