import { createSourceEventStream, DocumentNode, execute, ExecutionArgs, ExecutionResult, Kind, print, visit } from 'graphql';
import { AccessPolicy } from '../access/policy';

/**
 * Internal: graphql-js's `subscribe`, except that subscribers whose results cannot differ share one execution per
 * event. The live feed hands the same event object to every subscriber of an instance; a selection of the event's
 * own fields only (no `incident`, no fragments) resolves to the same result for every viewer with the same masking,
 * since the event has already passed each viewer's scope. Those results are kept per event object (a WeakMap: gone
 * with the event) and per document, variables and masking; any other selection runs per subscriber as usual.
 */
export async function subscribeSharingResults(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!isAsyncIterable(stream)) return stream;
  const policy = (args.contextValue as { policy?: AccessPolicy } | undefined)?.policy;
  const key = policy && flatSelection(args.document) ? `${policy.masksPersonalData}|${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}|${print(args.document)}` : null;
  const source = stream[Symbol.asyncIterator]();
  const run = (payload: unknown): Promise<ExecutionResult> | ExecutionResult => {
    if (key === null || payload === null || typeof payload !== 'object') return execute({ ...args, rootValue: payload });
    let results = shared.get(payload);
    if (!results) shared.set(payload, (results = new Map()));
    let result = results.get(key);
    if (!result) results.set(key, (result = execute({ ...args, rootValue: payload })));
    return result;
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      const step = await source.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: await run(step.value) };
    },
    return: async () => {
      await source.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      await source.return?.();
      throw error;
    },
  };
  return iterator;
}

const shared = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/** True when the document selects only leaf fields under its root field: no nested object, no fragment. */
function flatSelection(document: DocumentNode): boolean {
  let flat = true;
  let depth = 0;
  visit(document, {
    FragmentSpread: () => void (flat = false),
    InlineFragment: () => void (flat = false),
    FragmentDefinition: () => void (flat = false),
    SelectionSet: {
      enter: (node) => {
        depth++;
        // The operation's set is depth 1, the root field's 2: a set deeper than that is a nested object.
        if (depth > 2 && node.kind === Kind.SELECTION_SET) flat = false;
      },
      leave: () => void depth--,
    },
  });
  return flat;
}
