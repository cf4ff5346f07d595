import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('has defaults for a first start', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      packageScope: '@canon',
      logLevel: 'info',
      environment: 'development',
    });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/\.canon\/data$/);
  });

  it('names every bad variable', () => {
    expect.assertions(5);
    expect(() =>
      loadConfig({
        PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        CANON_PACKAGE_SCOPE: 'canon',
        CANON_BOOTSTRAP_ADMIN_TOKEN: 'short',
      }),
    ).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', CANON_PACKAGE_SCOPE: 'canon' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('PORT');
      expect((error as Error).message).toContain('DATABASE_URL');
      expect((error as Error).message).toContain('CANON_PACKAGE_SCOPE');
    }
  });

  it('treats empty variables as unset and keeps memory://', () => {
    expect(loadConfig({ DATABASE_URL: '', CANON_DATA_DIR: 'memory://' })).toMatchObject({
      databaseUrl: undefined,
      dataDir: 'memory://',
    });
  });

  it('reads the credential cache lifetime, within bounds', () => {
    expect(loadConfig({}).credentialCacheMs).toBe(2_000);
    expect(loadConfig({ CANON_CREDENTIAL_CACHE_MS: '0' }).credentialCacheMs).toBe(0);
    expect(() => loadConfig({ CANON_CREDENTIAL_CACHE_MS: '-1' })).toThrow(/CANON_CREDENTIAL_CACHE_MS/);
    expect(() => loadConfig({ CANON_CREDENTIAL_CACHE_MS: 'soon' })).toThrow(/CANON_CREDENTIAL_CACHE_MS/);
  });
});
