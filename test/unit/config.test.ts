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

  it('reads the identity provider settings, refusing what would weaken them', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    const issuer = 'https://login.example.com/realms/plant';
    const c = loadConfig({
      CANON_OIDC_ISSUER: issuer,
      CANON_OIDC_AUDIENCE: 'canon',
      CANON_OIDC_ALGORITHMS: 'RS256, ES256',
      CANON_OIDC_ROLES_CLAIM: 'realm_access.roles',
      CANON_OIDC_GROUP_ROLES: 'canon-admins=admin, canon-stewards=steward',
    });
    expect(c.oidc).toMatchObject({
      issuer,
      audience: 'canon',
      algorithms: ['RS256', 'ES256'],
      rolesClaim: 'realm_access.roles',
    });
    expect([...(c.oidc?.groupRoles ?? [])]).toEqual([
      ['canon-admins', 'admin'],
      ['canon-stewards', 'steward'],
    ]);
    expect(() => loadConfig({ CANON_OIDC_ISSUER: issuer })).toThrow(/CANON_OIDC_AUDIENCE/);
    const withIssuer = { CANON_OIDC_ISSUER: issuer, CANON_OIDC_AUDIENCE: 'canon' };
    expect(() => loadConfig({ ...withIssuer, CANON_OIDC_ALGORITHMS: 'none' })).toThrow(
      /CANON_OIDC_ALGORITHMS/,
    );
    expect(() => loadConfig({ ...withIssuer, CANON_OIDC_ALGORITHMS: 'HS256' })).toThrow(
      /CANON_OIDC_ALGORITHMS/,
    );
    expect(() => loadConfig({ ...withIssuer, CANON_OIDC_GROUP_ROLES: 'plc=connector' })).toThrow(
      /API tokens/,
    );
    expect(() => loadConfig({ ...withIssuer, CANON_OIDC_GROUP_ROLES: 'admins' })).toThrow(/group=role/);
    expect(() => loadConfig({ ...withIssuer, CANON_OIDC_ISSUER: 'ftp://x' })).toThrow(/CANON_OIDC_ISSUER/);
    expect(loadConfig(withIssuer).oidc?.console).toBeUndefined();
    expect(
      loadConfig({
        ...withIssuer,
        CANON_OIDC_CLIENT_ID: 'canon-console',
        CANON_PUBLIC_URL: 'https://canon.plant.example',
      }),
    ).toMatchObject({
      publicUrl: 'https://canon.plant.example',
      oidc: {
        console: {
          clientId: 'canon-console',
          scopes: 'openid profile email',
          displayName: 'your company account',
        },
      },
    });
  });

  it('reads the NATS relay settings, with defaults, and explains bad ones', () => {
    expect(loadConfig({}).nats).toBeUndefined();
    const nats = loadConfig({ NATS_URL: 'nats://a:4222, nats://b:4222', NATS_STREAM_MAX_AGE: '7d' }).nats!;
    expect(nats.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(nats.stream).toEqual({
      name: 'CANON',
      subjectPrefix: 'canon',
      maxAgeMs: 7 * 86_400_000,
      maxBytes: -1,
      duplicateWindowMs: 120_000,
      replicas: 1,
      storage: 'file',
    });
    expect(loadConfig({ NATS_URL: 'nats://a', NATS_STREAM_MAX_BYTES: '512MiB' }).nats!.stream.maxBytes).toBe(
      512 * 1024 ** 2,
    );
    for (const [env, named] of [
      [{ NATS_URL: 'http://a' }, 'NATS_URL'],
      [{ NATS_URL: 'nats://a', NATS_STREAM: 'has space' }, 'NATS_STREAM'],
      [{ NATS_URL: 'nats://a', NATS_SUBJECT_PREFIX: 'Canon.>' }, 'NATS_SUBJECT_PREFIX'],
      [{ NATS_URL: 'nats://a', NATS_STREAM_MAX_AGE: 'forever' }, 'NATS_STREAM_MAX_AGE'],
      [{ NATS_URL: 'nats://a', NATS_STREAM_MAX_BYTES: 'lots' }, 'NATS_STREAM_MAX_BYTES'],
      [{ NATS_URL: 'nats://a', NATS_STREAM_REPLICAS: '7' }, 'NATS_STREAM_REPLICAS'],
      [
        { NATS_URL: 'nats://a', NATS_STREAM_MAX_AGE: '1m', NATS_DUPLICATE_WINDOW: '5m' },
        'NATS_DUPLICATE_WINDOW',
      ],
      [{ NATS_URL: 'nats://a', NATS_TOKEN: 't', NATS_USER: 'u' }, 'NATS_TOKEN'],
    ] as const) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(named);
    }
  });
});
