import '../runtime-defaults';
import 'reflect-metadata';
import fs from 'node:fs/promises';
import { buildGridhubSchema, printGridhubSchema, SCHEMA_FILE } from '../schema';

/** Writes the SDL to schema/schema.graphql (`npm run schema`). */
async function main(): Promise<void> {
  const sdl = printGridhubSchema(await buildGridhubSchema());
  await fs.writeFile(SCHEMA_FILE, sdl);
  console.log(`wrote ${SCHEMA_FILE}`);
}

main().catch((error) => {
  console.error('schema:', error);
  process.exit(1);
});
