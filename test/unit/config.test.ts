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
});
