/**
 * Tests are TypeScript compiled by `tsc` (decorator metadata needs it) and run from dist/.
 * One embedded PostgreSQL (or DATABASE_URL's server) for the whole run; each suite gets its own database,
 * copied from a migrated and seeded template (test/support/global-setup.ts).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  globalSetup: '<rootDir>/dist/test/support/global-setup.js',
  globalTeardown: '<rootDir>/dist/test/support/global-teardown.js',
  // Attack suites first, the browser suite last (see the sequencer).
  testSequencer: '<rootDir>/dist/test/support/test-sequencer.js',
  testTimeout: 60000,
  maxWorkers: 2,
  verbose: false,
};
