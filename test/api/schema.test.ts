import fs from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { buildGridhubSchema, printGridhubSchema, SCHEMA_FILE } from '../../src/schema';

describe('schema/schema.graphql', () => {
  it('is the SDL the code emits (run `npm run schema` after changing the API)', async () => {
    const emitted = printGridhubSchema(await buildGridhubSchema());
    const checkedIn = await fs.readFile(SCHEMA_FILE, 'utf8');
    expect(checkedIn).toBe(emitted);
  });

  it('names the design contract operations', async () => {
    const sdl = await fs.readFile(SCHEMA_FILE, 'utf8');
    for (const operation of [
      'region(code: String!): Region',
      'personByIdNumber(idNumber: String!): Person',
      'upsertRegions(regions: [RegionInput!]!): RegionUpsertReport!',
    ]) {
      expect(sdl).toContain(operation);
    }
    for (const list of ['people', 'places', 'things', 'incidents']) expect(sdl).toMatch(new RegExp(`\\n  ${list}\\(\\n`));
  });
});
