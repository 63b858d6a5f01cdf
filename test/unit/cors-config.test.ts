import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config';

/** GRIDHUB_CORS_ORIGINS (src/config.ts), documented in README's configuration table. */
describe('CORS origins setting', () => {
  it('is empty by default', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ GRIDHUB_CORS_ORIGINS: ' ' }).corsOrigins).toEqual([]);
  });

  it('reads exact origins, comma-separated, once each', () => {
    expect(
      loadConfig({ GRIDHUB_CORS_ORIGINS: 'https://dashboard.example.gov.cn, http://10.1.2.3:8080,https://dashboard.example.gov.cn' }).corsOrigins,
    ).toEqual(['https://dashboard.example.gov.cn', 'http://10.1.2.3:8080']);
  });

  it.each(['*', 'https://*.example.gov.cn', 'null', 'https://dashboard.example.gov.cn/', 'https://dashboard.example.gov.cn/app', 'dashboard.example.gov.cn', 'file:///tmp/x.html', 'https://a.example,', 'HTTPS://A.EXAMPLE', 'https://a.example:443'])(
    'refuses %s, naming the variable',
    (bad) => {
      expect(() => loadConfig({ GRIDHUB_CORS_ORIGINS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ GRIDHUB_CORS_ORIGINS: bad })).toThrow('GRIDHUB_CORS_ORIGINS');
    },
  );
});
