/**
 * Callers are cached (src/callers.ts); a revocation must still take effect at once — on the instance
 * that revoked and, through PostgreSQL NOTIFY, on every other instance of the same database. The
 * cache lifetime here is ten minutes, so only the invalidation can explain a refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanonApp, startCanon } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestApp, type TestApp, testConfig } from '../support/app.ts';

const LONG_CACHE = 600_000;
let t: TestApp;
let other: CanonApp | null = null;

beforeAll(async () => {
  t = await startTestApp({ credentialCacheMs: LONG_CACHE });
  // a second instance where PostgreSQL can be shared; PGlite belongs to one process
  if (t.db.kind === 'postgresql') {
    other = await startCanon(
      testConfig(t.db, { bootstrapAdminToken: t.adminToken, credentialCacheMs: LONG_CACHE }),
      { log: createLogger('silent') },
    );
  }
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

async function me(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { role } }' }),
  });
  const json = (await res.json()) as { data?: { me: { role: string } }; errors?: any[] };
  return json.data?.me.role ?? json.errors?.[0].extensions.code;
}

/** Asks until the answer changes from `from` (or 5 s pass); the answer it ends with. */
async function settle(url: string, token: string, from: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  let answer = await me(url, token);
  while (answer === from && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    answer = await me(url, token);
  }
  return answer;
}

describe('credential cache across instances', () => {
  it('refuses a revoked token at once, here and on every other instance', async () => {
    const created = await t.gql(
      `mutation { createApiToken(input: { role: VIEWER }) { ... on CreateApiTokenPayload { token apiToken { id } } } }`,
    );
    const { token, apiToken } = created.data.createApiToken;
    const urls = [t.url, ...(other ? [other.url] : [])];
    // both instances now remember the caller, for ten minutes
    for (const url of urls) expect(await me(url, token)).toBe('VIEWER');

    const revoked = await t.gql(
      'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { ... on RevokeApiTokenPayload { apiToken { revokedAt } } } }',
      { id: apiToken.id },
    );
    expect(revoked.data.revokeApiToken.apiToken.revokedAt).toBeTruthy();
    expect(await me(t.url, token)).toBe('UNAUTHENTICATED');
    if (other) expect(await settle(other.url, token, 'VIEWER')).toBe('UNAUTHENTICATED');
  });

  it('a new ownership rule reaches connectors on every instance', async () => {
    await t.gql(
      'mutation { registerSystem(input: { code: "wms-eu", name: "WMS", kind: WMS }) { __typename } }',
    );
    const wms = await t.tokenFor('connector', { systemCode: 'wms-eu' });
    const owned = async (url: string) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${wms}` },
        body: JSON.stringify({ query: '{ me { abilities { subject conditions } } }' }),
      });
      const json = (await res.json()) as any;
      return JSON.stringify(json.data.me.abilities).includes('"location"') ? 'owns' : 'none';
    };
    const urls = [t.url, ...(other ? [other.url] : [])];
    for (const url of urls) expect(await owned(url)).toBe('none');
    const rule = await t.gql(
      'mutation { assignSystemOfRecord(input: { domain: "location", system: "wms-eu", requiredApprovals: 0 }) { ... on AssignSystemOfRecordPayload { systemOfRecordRule { id } } ... on Error { code message } } }',
    );
    expect(rule.data.assignSystemOfRecord.systemOfRecordRule.id).toBeTruthy();
    expect(await owned(t.url)).toBe('owns');
    if (other) {
      const deadline = Date.now() + 5_000;
      let answer = await owned(other.url);
      while (answer === 'none' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        answer = await owned(other.url);
      }
      expect(answer).toBe('owns');
    }
  });
});
