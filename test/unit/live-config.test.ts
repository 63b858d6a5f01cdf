import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEFAULT_LIVE_SETTINGS, loadConfig } from '../../src/config';

/** The live feed's settings from the environment (src/config.ts), documented in README's configuration table. */
describe('live settings', () => {
  it('defaults to a 1 s poll, 1,000 events waiting per socket and batches of 500', () => {
    expect(loadConfig({}).live).toEqual({ pollMs: 1000, maxQueuedPerSocket: 1000, batchSize: 500 });
    expect(DEFAULT_LIVE_SETTINGS).toEqual({ pollMs: 1000, maxQueuedPerSocket: 1000, batchSize: 500 });
  });

  it('reads each variable', () => {
    expect(loadConfig({ GRIDHUB_LIVE_POLL_MS: '250', GRIDHUB_LIVE_MAX_QUEUED: '50', GRIDHUB_LIVE_BATCH: '20' }).live).toEqual({
      pollMs: 250,
      maxQueuedPerSocket: 50,
      batchSize: 20,
    });
  });

  it.each(['GRIDHUB_LIVE_POLL_MS', 'GRIDHUB_LIVE_MAX_QUEUED', 'GRIDHUB_LIVE_BATCH'])('refuses a bad %s, naming it', (name) => {
    for (const bad of ['0', '-5', '1.5', 'soon']) {
      expect(() => loadConfig({ [name]: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: bad })).toThrow(name);
    }
  });
});
