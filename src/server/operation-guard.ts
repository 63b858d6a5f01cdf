import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  ASTVisitor,
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  getVariableValues,
  getNullableType,
  GraphQLError,
  GraphQLSchema,
  isCompositeType,
  isInputObjectType,
  isListType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  OperationDefinitionNode,
  parse,
  SelectionSetNode,
  specifiedRules,
  typeFromAST,
  validate,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { ComplexityEstimator, createComplexityRule } from 'graphql-query-complexity';
import { Limits } from '../config';
import { ErrorCode, GridhubError, QueryTooComplexError } from '../shared/errors';
import { MAX_REGIONS_PER_LIST } from '../regions/region.service';
import { MAX_CALLS_PER_INCIDENT } from '../calls/department-call.service';
import { MAX_TIMELINE_EVENTS } from '../calls/incident-timeline.service';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../shared/pagination';
import { EntityKind } from '../sources/source-system';
import { estimateStatsCost } from '../stats/stats-dimensions';

/** Documents kept checked ({@link OperationGuard}), and the longest kept. */
const MAX_CACHED_DOCUMENTS = 500;
const MAX_CACHED_DOCUMENT_LENGTH = 20_000;

/** A GraphQL request as both transports receive it. */
export interface OperationRequest {
  query: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/** The outcome of {@link OperationGuard.check}: a document ready to execute, or the errors to answer with. */
export type CheckedOperation = { document: DocumentNode; errors: [] } | { document: null; errors: GraphQLError[] };

/**
 * The limits of design §6 on one document, the same for HTTP and WebSocket: parsed with a token limit, then
 * checked for depth, aliases, directives, repeated fields, list lengths and estimated cost — each a linear pass
 * that follows every fragment once — and only then fully validated. So a hostile document is refused in
 * milliseconds, before graphql-js's own rules (some of them quadratic in the number of repeated fields) run.
 */
export class OperationGuard {
  private readonly fullRules: readonly ValidationRule[];
  /**
   * Documents that passed parsing and every rule, by their text, most recently used last: a dashboard or a
   * department system sends the same few documents again and again, and what they are checked for here does not
   * depend on their variables (the cost, which does, is estimated per request). Bounded, so that a stream of
   * unique documents only evicts others.
   */
  private readonly checked = new Map<string, DocumentNode>();
  /**
   * Operations whose cost was estimated within the limit, by document, operation and the variables the estimate
   * can depend on ({@link costKey}), most recently used last: Q5 of bench:queries (a person by id) is the same
   * document with another `$id` each time, and walking it with the cost rule was a tenth of the hub's CPU per
   * request. Bounded as {@link checked}; an operation over the limit is never kept (it is estimated, and refused, again).
   */
  private readonly priced = new Map<string, true>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: Limits,
    introspection: boolean,
  ) {
    this.fullRules = introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  }

  /**
   * Checks one request.
   * @throws GridhubError (QUERY_TOO_COMPLEX, or BAD_USER_INPUT for an over-long list) when a limit is exceeded;
   * the returned errors are GraphQL's own (syntax, validation), to be answered as such.
   */
  check(request: OperationRequest): CheckedOperation {
    if (typeof request.query !== 'string') {
      return { document: null, errors: [requestError(new GraphQLError('the request has no query string'), 'BAD_REQUEST')] };
    }
    checkVariables(request.variables, this.limits.maxListLength);
    const known = this.checked.get(request.query);
    if (known) {
      this.checked.delete(request.query);
      this.checked.set(request.query, known);
      return this.checkOperation(known, request, request.query);
    }
    let document: DocumentNode;
    try {
      document = parse(request.query, { maxTokens: this.limits.maxTokens, noLocation: false });
    } catch (error) {
      if (error instanceof GraphQLError && /contains more th(?:an|at) \d+ tokens/.test(error.message)) {
        throw new QueryTooComplexError(`the document has more than ${this.limits.maxTokens} tokens`, {
          limit: 'maxTokens',
          max: this.limits.maxTokens,
        });
      }
      return { document: null, errors: [requestError(error instanceof GraphQLError ? error : new GraphQLError(String(error)), 'GRAPHQL_PARSE_FAILED')] };
    }
    const refusals: GraphQLError[] = [];
    validate(this.schema, document, this.limitRules(refusals), { maxErrors: 1 });
    if (refusals.length > 0) throw refusals[0];
    // The document is small and plain now: GraphQL's own rules run in bounded time.
    const errors = validate(this.schema, document, this.fullRules);
    if (errors.length > 0) return { document: null, errors: errors.map((error) => requestError(error, 'GRAPHQL_VALIDATION_FAILED')) };
    if (request.query.length <= MAX_CACHED_DOCUMENT_LENGTH) {
      this.checked.set(request.query, document);
      if (this.checked.size > MAX_CACHED_DOCUMENTS) this.checked.delete(this.checked.keys().next().value!);
    }
    return this.checkOperation(document, request, request.query);
  }

  /** What depends on the request beyond its document: the operation it names, its variables and the cost. */
  private checkOperation(document: DocumentNode, request: OperationRequest, text: string): CheckedOperation {
    // Variables are coerced here, a few errors at most, before the cost model walks them (it coerces them again,
    // with no limit on errors, each quoting the value: quadratic in a hostile variable).
    const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      const problem = operationName ? `the document has no operation named "${operationName}"` : 'the document has several operations: name one (operationName)';
      return { document: null, errors: [requestError(new GraphQLError(problem), ErrorCode.BAD_USER_INPUT)] };
    }
    const inputs = (request.variables ?? {}) as Record<string, unknown>;
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], inputs, { maxErrors: 3 });
    if (coerced.errors) return { document: null, errors: coerced.errors.map((error) => requestError(error, ErrorCode.BAD_USER_INPUT)) };
    const variables = costVariables(this.schema, operation, inputs);
    const key = text.length <= MAX_CACHED_DOCUMENT_LENGTH ? costKey(text, operation, variables) : null;
    if (key !== null && this.priced.delete(key)) {
      this.priced.set(key, true);
      return { document, errors: [] };
    }
    this.checkCost(document, operation.name?.value, variables);
    if (key !== null) {
      this.priced.set(key, true);
      if (this.priced.size > MAX_CACHED_DOCUMENTS) this.priced.delete(this.priced.keys().next().value!);
    }
    return { document, errors: [] };
  }

  /**
   * The estimated cost of the operation (graphql-query-complexity with {@link costEstimator}).
   * @throws QueryTooComplexError over `maxCost`, or when the document expands to too many fields to estimate.
   */
  private checkCost(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): void {
    const max = this.limits.maxCost;
    let refusal: QueryTooComplexError | null = null;
    const rule = createComplexityRule({
      maximumComplexity: max,
      variables,
      operationName,
      estimators: [statsCostEstimator(this.limits.maxStatsGroups), costEstimator],
      maxQueryNodes: 20_000,
      createError: (limit, actual) => {
        refusal = new QueryTooComplexError(`the estimated cost of the query is ${actual}, more than the limit of ${limit}`, {
          limit: 'maxCost',
          max: limit,
          value: actual,
        });
        return refusal;
      },
    });
    try {
      validate(this.schema, document, [rule]);
    } catch (error) {
      // graphql-query-complexity throws once it has walked more nodes than allowed (a fragment bomb).
      throw new QueryTooComplexError(`the document expands to too many fields to estimate (${(error as Error).message})`, {
        limit: 'maxCost',
        max,
      });
    }
    if (refusal) throw refusal;
  }

  /** The cheap rules, each reporting its refusal into `refusals` (their own errors are not in the contract). */
  private limitRules(refusals: GraphQLError[]): ValidationRule[] {
    const { limits } = this;
    const refuse = (limit: keyof Limits, what: string) => (_context: unknown, error: GraphQLError) => {
      const measured = /found (\d+)/.exec(error.message);
      const value = measured ? Number(measured[1]) : undefined;
      const max = limits[limit] as number;
      refusals.push(
        new QueryTooComplexError(`${what} ${value !== undefined ? `is ${value}, ` : ''}more than the limit of ${max}`, {
          limit,
          max,
          ...(value !== undefined ? { value } : {}),
        }),
      );
    };
    const common = { exposeLimits: true, propagateOnRejection: false };
    return [
      maxDepthRule({ ...common, n: limits.maxDepth, onReject: [refuse('maxDepth', 'the depth of the query')] }),
      maxAliasesRule({ ...common, n: limits.maxAliases, onReject: [refuse('maxAliases', 'the number of aliases')] }),
      maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: [refuse('maxDirectives', 'the number of directives')] }),
      repeatedFieldsRule(limits.maxRepeatedFields, refusals),
      listLiteralRule(limits.maxListLength, refusals),
    ];
  }
}

/**
 * The cost model: roughly the rows a query makes the hub read. A list field costs its page size (`first`, or the
 * default page size; `regions`, which is not paged, 1,000) times what each item selects; an object field costs 1
 * plus what it selects; `totalCount` costs 1 (one count), a region's `boundary` 40; other scalars are free. A connection's `edges` are already counted by the connection's `first`.
 * A list's filter adds 1 per condition, 10 per text search and 5 per `near` or `personId`, through AND/OR/NOT.
 */
/** Fields that weigh more than a row: a region's boundary may be thousands of positions. */
const FIELD_COSTS: Record<string, number> = {
  'Region.boundary': 40,
  // Four counting statements (index range counts) for all the regions of a request together: priced per region
  // lightly, so that a dashboard's towns with their counts fit; the statement timeout bounds a huge region.
  'Region.counts': 5,
};

/**
 * The stats fields, by the kind they scan. A stats field is one grouped statement: it costs a scan weight by the
 * breadth of its region (`filter.regionCode`; none: all the viewer may read), plus its estimated number of groups
 * (capped at `maxStatsGroups`) times what a group selects (stats-dimensions.ts, {@link estimateStatsCost}), plus its
 * filter's cost as a list's; its `groups` list is priced there, so it counts one group.
 */
const STATS_FIELDS: Record<string, EntityKind> = {
  'Query.incidentStats': EntityKind.INCIDENT,
  'Query.peopleStats': EntityKind.PERSON,
  'Query.placeStats': EntityKind.PLACE,
  'Query.thingStats': EntityKind.THING,
};
const STATS_GROUP_LISTS = new Set(['IncidentStats.groups', 'PersonStats.groups', 'PlaceStats.groups', 'ThingStats.groups']);

/** The cost of stats fields and their groups (other fields: undefined, for {@link costEstimator}). */
export function statsCostEstimator(maxGroups: number): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const name = `${type.name}.${field.name}`;
    const kind = STATS_FIELDS[name];
    if (kind !== undefined) return estimateStatsCost(kind, args, Math.max(1, childComplexity), maxGroups) + filterCost(args.filter);
    if (STATS_GROUP_LISTS.has(name)) return 1 + childComplexity;
    return undefined;
  };
}

/**
 * The variables as the cost model gets them: a list of input objects (a batch of ingested records) as an empty list.
 * The model coerces every variable again before it estimates, yet {@link costEstimator} reads only scalar arguments
 * (`first`) and filters, and the real values have just been coerced, and refused when bad, by the guard. A list of
 * filters (`filter: { OR: $branches }`) keeps its value: each branch is priced (a text search 10), and the list is
 * no longer than `maxListLength` (checked before).
 */
function costVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, inputs: Record<string, unknown>): Record<string, unknown> {
  let variables: Record<string, unknown> | null = null;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    if (inputs[name] == null || !type || !isListType(getNullableType(type)) || !isInputObjectType(getNamedType(type))) continue;
    if (FILTER_INPUTS.has(getNamedType(type).name)) continue;
    variables ??= { ...inputs };
    variables[name] = [];
  }
  return variables ?? inputs;
}

/** The filter inputs of lists and stats, priced by {@link filterCost} wherever they appear. */
const FILTER_INPUTS = new Set(['PersonFilter', 'PlaceFilter', 'ThingFilter', 'IncidentFilter']);

/** The longest key of {@link costKey} kept. */
const MAX_COST_KEY_LENGTH = 4_000;

/**
 * What an operation's estimated cost depends on, as one string: the document, the operation, and the values of the
 * variables it declares as the estimate gets them ({@link costVariables}), but for those of type `ID!` — an id picks
 * a row, it never changes how many rows are read, and every cost the model gives is a count of rows (page sizes,
 * filters by the conditions they hold, stats by their region). A `Boolean` of `@include`, an `Int` of `first`, a
 * filter or a region: all in the key; a variable the operation does not declare is not (it cannot change the cost,
 * and must not make every request a new key). An omitted variable and an explicit null differ (`undefined` is left
 * out, null kept), as a default value in the document may stand for the first. Null when the key would be long.
 */
function costKey(text: string, operation: OperationDefinitionNode, variables: Record<string, unknown>): string | null {
  const values: unknown[][] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const { type } = definition;
    if (type.kind === Kind.NON_NULL_TYPE && type.type.kind === Kind.NAMED_TYPE && type.type.name.value === 'ID') continue;
    const name = definition.variable.name.value;
    // `[name]` when omitted, `[name, value]` when given: no value can pass for an omission.
    values.push(Object.hasOwn(variables, name) ? [name, variables[name]] : [name]);
  }
  const key = JSON.stringify(values);
  if (key.length > MAX_COST_KEY_LENGTH) return null;
  return `${operation.name?.value ?? ''}\u0000${key}\u0000${text}`;
}

/** Lists that take no `first`, by the most rows they can hold (others count as a default page). */
const UNPAGED_LIST_SIZES: Record<string, number> = {
  // All regions of a level under a parent: at most MAX_REGIONS_PER_LIST, which the service enforces.
  'Query.regions': MAX_REGIONS_PER_LIST,
  // All calls of a case: at most MAX_CALLS_PER_INCIDENT; a timeline's steps: its events (at most 500) and calls' steps.
  'Incident.calls': MAX_CALLS_PER_INCIDENT,
  'IncidentTimeline.steps': MAX_TIMELINE_EVENTS + 4 * MAX_CALLS_PER_INCIDENT,
};

/** What a filter adds to its list: each condition a little, a text search or a person's links more (a lookup each). */
const FILTER_COSTS = { condition: 1, search: 10, near: 5, personId: 5 } as const;

/** The cost of a filter argument (any depth of AND/OR/NOT; the compiler bounds depth and conditions). */
export function filterCost(filter: unknown): number {
  if (filter === null || typeof filter !== 'object') return 0;
  let cost = 0;
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    if (value == null) continue;
    if (key === 'AND' || key === 'OR') cost += Array.isArray(value) ? value.reduce((sum: number, branch) => sum + filterCost(branch), 0) : 0;
    else if (key === 'NOT') cost += filterCost(value);
    else cost += FILTER_COSTS[key as keyof typeof FILTER_COSTS] ?? FILTER_COSTS.condition;
  }
  return cost;
}

export const costEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const named = getNamedType(field.type);
  const weight = FIELD_COSTS[`${type.name}.${field.name}`];
  if (weight !== undefined) return weight;
  if (!isCompositeType(named)) return field.name === 'totalCount' ? 1 : 0;
  if (field.name === 'edges' && type.name.endsWith('Connection')) return childComplexity;
  const many = isListType(getNullableType(field.type)) || named.name.endsWith('Connection');
  // An out-of-range `first` is the resolver's to refuse, naming the argument; the estimate takes the largest page.
  const unpaged = UNPAGED_LIST_SIZES[`${type.name}.${field.name}`];
  const size =
    typeof args.first === 'number' && args.first >= 0
      ? Math.min(args.first, MAX_PAGE_SIZE)
      : (unpaged ?? (many ? DEFAULT_PAGE_SIZE : 1));
  return size * (1 + childComplexity) + filterCost(args.filter);
};

/**
 * Refuses a selection set in which one response key is selected more than `max` times — directly, through
 * inline fragments or through fragment spreads (each fragment followed once per set). graphql-js's
 * OverlappingFieldsCanBeMergedRule compares such fields pairwise: 10,000 copies take minutes.
 */
function repeatedFieldsRule(max: number, refusals: GraphQLError[]): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let refused = false;
    return {
      SelectionSet(node) {
        if (refused) return;
        const counts = new Map<string, number>();
        const seen = new Set<string>();
        const walk = (set: SelectionSetNode) => {
          for (const selection of set.selections) {
            if (selection.kind === Kind.FIELD) {
              const key = selection.alias?.value ?? selection.name.value;
              counts.set(key, (counts.get(key) ?? 0) + 1);
            } else if (selection.kind === Kind.INLINE_FRAGMENT) {
              walk(selection.selectionSet);
            } else if (!seen.has(selection.name.value)) {
              seen.add(selection.name.value);
              const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(selection.name.value);
              if (fragment) walk(fragment.selectionSet);
            }
          }
        };
        walk(node);
        for (const [key, count] of counts) {
          if (count > max) {
            refused = true;
            refusals.push(
              new QueryTooComplexError(`the field "${key}" is selected ${count} times in one selection set, more than the limit of ${max}`, {
                limit: 'maxRepeatedFields',
                max,
                value: count,
              }),
            );
            return;
          }
        }
      },
    };
  };
}

/**
 * The most input objects one list may hold (a batch of regions or records; their services cap them lower).
 * Lists of anything else are capped at `maxListLength`.
 */
export const MAX_BATCH_ITEMS = 5000;

/**
 * Refuses a list literal of values (enums, strings, ids…) longer than `max` items, naming the argument path (e.g.
 * `filter.tagsAny`); a list of input objects (a batch) may hold up to {@link MAX_BATCH_ITEMS}.
 */
function listLiteralRule(max: number, refusals: GraphQLError[]): ValidationRule {
  return (): ASTVisitor => {
    const path: string[] = [];
    let refused = false;
    return {
      Argument: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
      ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
      ListValue(node) {
        const batch = node.values.length > 0 && node.values.every((value) => value.kind === Kind.OBJECT);
        const limit = batch ? MAX_BATCH_ITEMS : max;
        if (refused || node.values.length <= limit) return;
        refused = true;
        refusals.push(listTooLong(path.join('.') || 'argument', node.values.length, limit));
      },
    };
  };
}

/** The most keys one object in the variables may have. */
const MAX_OBJECT_KEYS = 1000;
/** The most values (items, fields, scalars) the variables may hold in all. */
const MAX_VARIABLE_VALUES = 1_000_000;
/** The deepest nesting of the variables (gridhub's inputs nest a few levels). */
const MAX_VARIABLE_DEPTH = 32;

/**
 * The shape of the variables, checked before anything walks them: an array of values longer than `max`, a batch
 * of objects longer than {@link MAX_BATCH_ITEMS}, an object with more than {@link MAX_OBJECT_KEYS} keys, more
 * than {@link MAX_VARIABLE_VALUES} values in all, or nesting deeper than {@link MAX_VARIABLE_DEPTH}, each named by
 * its path (`$tags`, `$filter.tagsAny`).
 * @throws GridhubError BAD_USER_INPUT
 */
function checkVariables(variables: unknown, max: number): void {
  let values = 0;
  const visit = (value: unknown, path: string, depth: number): void => {
    if (++values > MAX_VARIABLE_VALUES) throw tooLarge('variables', `hold more than ${MAX_VARIABLE_VALUES} values`);
    if (value === null || typeof value !== 'object') return;
    if (depth > MAX_VARIABLE_DEPTH) throw tooLarge(path, `nests deeper than ${MAX_VARIABLE_DEPTH} levels`);
    if (Array.isArray(value)) {
      const batch = value.length > 0 && value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item));
      const limit = batch ? MAX_BATCH_ITEMS : max;
      if (value.length > limit) throw listTooLong(path, value.length, limit);
      value.forEach((item, i) => visit(item, `${path}.${i}`, depth + 1));
      return;
    }
    const keys = Object.keys(value);
    if (keys.length > MAX_OBJECT_KEYS) throw tooLarge(path, `has ${keys.length} keys, more than ${MAX_OBJECT_KEYS}`);
    for (const key of keys) visit((value as Record<string, unknown>)[key], `${path}.${key.slice(0, 40)}`, depth + 1);
  };
  if (variables !== null && typeof variables === 'object' && !Array.isArray(variables)) {
    const names = Object.keys(variables);
    if (names.length > MAX_OBJECT_KEYS) throw tooLarge('variables', `has ${names.length} keys, more than ${MAX_OBJECT_KEYS}`);
    for (const name of names) visit((variables as Record<string, unknown>)[name], `$${name.slice(0, 40)}`, 1);
  }
}

function tooLarge(field: string, what: string): GridhubError {
  return new GridhubError(`${field}: ${what}`, ErrorCode.BAD_USER_INPUT, { field }, [], 400);
}

/** GraphQL's own error, tagged with the code Apollo gives such errors over HTTP (the formatter makes it BAD_USER_INPUT). */
function requestError(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

function listTooLong(field: string, length: number, max: number): GridhubError {
  return new GridhubError(`${field}: a list may hold at most ${max} items, got ${length}`, ErrorCode.BAD_USER_INPUT, { field }, [], 400);
}
