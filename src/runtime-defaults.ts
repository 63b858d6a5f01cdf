/**
 * The first import of every entry point, before any library loads: libraries read NODE_ENV once, when they load.
 * Unset, it means production, for them as for gridhub (src/config.ts turns development behaviour on only for
 * `NODE_ENV=development`). graphql-js, for one, otherwise checks every failed `instanceof` of its type system for a
 * second copy of itself, which showed in profiles of large ingest batches (variable coercion).
 */
if (!process.env.NODE_ENV) process.env.NODE_ENV = 'production';
