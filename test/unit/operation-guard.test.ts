import 'reflect-metadata';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchema } from 'graphql';
import { DEFAULT_LIMITS } from '../../src/config';
import { buildGridhubSchema } from '../../src/schema';
import { OperationGuard } from '../../src/server/operation-guard';
import { QueryTooComplexError } from '../../src/shared/errors';

/**
 * The guard keeps the cost estimates of operations within the limit, by the variables the estimate can depend on.
 * A small limit (30) lets small documents cross it: found attacking (a hostile pass of issue 12).
 */
describe('operation guard: kept cost estimates', () => {
  let schema: GraphQLSchema;
  let guard: OperationGuard;
  beforeAll(async () => {
    schema = await buildGridhubSchema();
    guard = new OperationGuard(schema, { ...DEFAULT_LIMITS, maxCost: 30 }, false);
  });
  const passes = (query: string, variables: Record<string, unknown>) => expect(guard.check({ query, variables }).errors).toEqual([]);
  const refused = (query: string, variables: Record<string, unknown>) => expect(() => guard.check({ query, variables })).toThrow(QueryTooComplexError);

  it('tells an omitted variable from any value it could be given', () => {
    // Omitted: no search, each list 1 + its count; with a search each of the 3 lists costs 10 more (35 > 30).
    const query = `query ($s: String) {
      a: incidents(first: 1, filter: { search: $s }) { totalCount }
      b: places(first: 1, filter: { search: $s }) { totalCount }
      c: people(first: 1, filter: { search: $s }) { totalCount } }`;
    refused(query, { s: 'x' });
    passes(query, {});
    for (const s of ['(omitted)', '', 'null']) refused(query, { s });
    passes(query, { s: null });
  });

  it('prices a list of filters given as a variable, as the same list written in the document', () => {
    const branches = [{ search: 'a' }, { search: 'b' }, { search: 'c' }, { search: 'd' }];
    refused('{ incidents(first: 1, filter: { OR: [{ search: "a" }, { search: "b" }, { search: "c" }, { search: "d" }] }) { totalCount } }', {});
    const query = 'query ($ors: [IncidentFilter!]) { incidents(first: 1, filter: { OR: $ors }) { totalCount } }';
    passes(query, { ors: [{ regionCode: '1503' }] });
    refused(query, { ors: branches });
    refused('query ($ors: [PersonFilter!]) { people(first: 1, filter: { AND: $ors }) { totalCount } }', { ors: branches });
  });

  it('keeps an estimate across ids only', () => {
    const query = 'query ($id: ID!, $n: Int) { person(id: $id) { name incidents(first: $n) { incident { id } } } }';
    passes(query, { id: '1', n: 2 });
    passes(query, { id: '2', n: 2 });
    refused(query, { id: '2', n: 100 });
  });
});
