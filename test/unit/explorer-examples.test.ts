import { describe, expect, it } from '@jest/globals';
import { OperationDefinitionNode, parse, validate } from 'graphql';
import { buildGridhubSchema } from '../../src/schema';
import { EXPLORER_EXAMPLES } from '../../src/server/explorer/examples';

/** The explorer's saved queries (src/server/explorer/examples.ts) cannot rot: each is valid against the schema. */
describe('explorer examples', () => {
  it('are valid against the schema, one named operation each, with the variables they declare', async () => {
    const schema = await buildGridhubSchema();
    expect(EXPLORER_EXAMPLES.length).toBeGreaterThan(0);
    for (const example of EXPLORER_EXAMPLES) {
      const document = parse(example.query);
      expect({ name: example.name, errors: validate(schema, document).map((error) => error.message) }).toEqual({ name: example.name, errors: [] });
      const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition');
      expect(operations.map((operation) => operation.name?.value)).toEqual([example.name]);
      const declared = (operations[0].variableDefinitions ?? []).map((definition) => definition.variable.name.value).sort();
      expect(Object.keys(example.variables ? JSON.parse(example.variables) : {}).sort()).toEqual(declared);
    }
    expect(new Set(EXPLORER_EXAMPLES.map((example) => example.name)).size).toBe(EXPLORER_EXAMPLES.length);
  });
});
