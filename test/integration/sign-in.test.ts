/**
 * People sign in with the company's identity provider: a real OpenID Connect provider runs on
 * loopback, Canon discovers its keys and verifies its JWTs beside API tokens.
 */
import { base64url, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcSettings } from '../../src/modules/auth/oidc/oidc-settings.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  CANON_AUDIENCE,
  type IdentityProvider,
  type Person,
  type SigningKey,
  signingKey,
  startIdentityProvider,
} from '../support/identity-provider.ts';

let idp: IdentityProvider;
let t: TestApp;
let firstKey: SigningKey;
const people = new Map<string, Person>([
  ['alice', { groups: ['canon-stewards', 'everyone'], username: 'alice@example.com' }],
  ['bob', { groups: 'everyone canon-admins', username: 'bob' }],
  ['carol', { groups: ['everyone'], username: 'carol' }],
  ['erin', { groups: ['canon-viewers'], username: 'erin' }],
  ['frank', { groups: ['canon-viewers'], username: 'frank' }],
]);

const settings = (issuer: string): OidcSettings => ({
  issuer,
  audience: CANON_AUDIENCE,
  algorithms: ['RS256'],
  rolesClaim: 'groups',
  nameClaim: 'preferred_username',
  groupRoles: new Map([
    ['canon-admins', 'admin'],
    ['canon-stewards', 'steward'],
    ['canon-viewers', 'viewer'],
  ]),
  clockToleranceSeconds: 0,
  jwksCooldownMs: 0,
});

const ME = '{ me { id name role } }';
const codeOf = (r: { errors?: any[] }) => r.errors?.[0]?.extensions?.code;
const messageOf = (r: { errors?: any[] }) => String(r.errors?.[0]?.message);

beforeAll(async () => {
  firstKey = await signingKey('key-1');
  idp = await startIdentityProvider({ keys: [firstKey], people });
  t = await startTestApp({ oidc: settings(idp.issuer) });
});

afterAll(async () => {
  await t?.close();
  await idp?.close();
});

async function auditOf(actorId: string): Promise<string[]> {
  const r = await t.gql(
    `query($id: String!) { auditEvents(subjectId: $id, first: 50) { edges { node { action } } } }`,
    { id: actorId },
  );
  return r.data.auditEvents.edges.map((e: any) => e.node.action);
}

describe('sign-in with an OpenID Connect provider', () => {
  it('accepts a valid token: groups map to the role, the name claim names the actor', async () => {
    const r = await t.gql(ME, {}, await idp.token('alice'));
    expect(r.errors).toBeUndefined();
    expect(r.data.me).toMatchObject({ name: 'alice@example.com', role: 'STEWARD' });
    // the strongest mapped group wins; groups may come as a space-separated string
    const bob = await t.gql(ME, {}, await idp.token('bob'));
    expect(bob.data.me).toMatchObject({ name: 'bob', role: 'ADMIN' });
    expect(await auditOf(r.data.me.id)).toEqual(['ACTOR_CREATED']);
  });

  it('keeps one actor per subject across tokens, and five first sign-ins at once create it once', async () => {
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => idp.token('erin')));
    const answers = await Promise.all(tokens.map((token) => t.gql(ME, {}, token)));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const ids = new Set(answers.map((a) => a.data.me.id));
    expect(ids.size).toBe(1);
    expect(await auditOf([...ids][0])).toEqual(['ACTOR_CREATED']);
  });

  it('follows the identity provider when a person changes groups (audited)', async () => {
    const before = await t.gql(ME, {}, await idp.token('frank'));
    expect(before.data.me.role).toBe('VIEWER');
    const denied = await t.gql(
      `mutation { registerSystem(input: { code: "FRANKSYS", name: "x", kind: OTHER }) { __typename ... on Error { code } } }`,
      {},
      await idp.token('frank'),
    );
    expect(denied.data?.registerSystem?.code ?? codeOf(denied)).toBe('FORBIDDEN');
    people.set('frank', { groups: ['canon-admins'], username: 'frank' });
    const after = await t.gql(ME, {}, await idp.token('frank'));
    expect(after.data.me).toMatchObject({ id: before.data.me.id, role: 'ADMIN' });
    expect(await auditOf(before.data.me.id)).toEqual(['ACTOR_CREATED', 'ACTOR_ROLE_CHANGED']);
  });

  it('refuses a verified person none of whose groups maps to a role', async () => {
    const r = await t.gql(ME, {}, await idp.token('carol'));
    expect(codeOf(r)).toBe('FORBIDDEN');
    expect(messageOf(r)).toMatch(/groups/);
  });

  it('refuses an expired token', async () => {
    const token = await idp.token('alice', { ttlSeconds: 1 });
    await new Promise((r) => setTimeout(r, 2_100));
    const r = await t.gql(ME, {}, token);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
    expect(messageOf(r)).toMatch(/expired/);
  });

  it('refuses a token for another audience', async () => {
    const r = await t.gql(ME, {}, await idp.token('alice', { resource: 'https://another-app.test' }));
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
    expect(messageOf(r)).toMatch(/audience/);
  });

  it('refuses a token from another issuer, even one signed with the same key', async () => {
    const other = await startIdentityProvider({
      keys: [firstKey],
      people,
      issuer: 'http://127.0.0.1:9/other',
    });
    try {
      const r = await t.gql(ME, {}, await other.token('alice'));
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
      expect(messageOf(r)).toMatch(/another identity provider/);
    } finally {
      await other.close();
    }
  });

  it('refuses alg "none" and a token signed with the public key as an HMAC secret', async () => {
    const claims = {
      iss: idp.issuer,
      aud: CANON_AUDIENCE,
      sub: 'alice',
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`;
    const none = await t.gql(ME, {}, unsigned);
    expect(codeOf(none)).toBe('UNAUTHENTICATED');
    const publicJwk = { kty: firstKey.privateJwk.kty, n: firstKey.privateJwk.n, e: firstKey.privateJwk.e };
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    const hmac = await t.gql(ME, {}, confused);
    expect(codeOf(hmac)).toBe('UNAUTHENTICATED');
    expect(messageOf(hmac)).toMatch(/algorithm/);
  });

  it('refuses a token naming a key the provider does not publish', async () => {
    const stranger = await signingKey('key-unknown');
    const forged = await new SignJWT({ groups: ['canon-admins'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-unknown' })
      .setIssuer(idp.issuer)
      .setAudience(CANON_AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    const r = await t.gql(ME, {}, forged);
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
    expect(messageOf(r)).toMatch(/key/);
  });

  it('follows a key rotation without a restart of Canon', async () => {
    const before = await t.gql(ME, {}, await idp.token('alice'));
    expect(before.data.me.role).toBe('STEWARD');
    const secondKey = await signingKey('key-2');
    await idp.close();
    // the provider now signs with key-2 and still publishes key-1 for tokens already issued
    idp = await startIdentityProvider({ keys: [secondKey, firstKey], people, port: idp.port });
    const fresh = await idp.token('alice');
    expect(JSON.parse(Buffer.from(fresh.split('.')[0], 'base64url').toString()).kid).toBe('key-2');
    const after = await t.gql(ME, {}, fresh);
    expect(after.errors).toBeUndefined();
    expect(after.data.me.id).toBe(before.data.me.id);
  });

  it('accepts API tokens side by side', async () => {
    const token = await t.tokenFor('viewer');
    expect((await t.gql(ME, {}, token)).data.me.role).toBe('VIEWER');
    expect((await t.gql(ME, {}, await idp.token('alice'))).data.me.role).toBe('STEWARD');
  });
});

describe('sign-in when the identity provider is unreachable or not configured', () => {
  it('answers SERVICE_UNAVAILABLE while the keys cannot be fetched, and signs in once the provider is up', async () => {
    const later = await startIdentityProvider({ keys: [firstKey], people });
    const issuer = later.issuer;
    const port = later.port;
    await later.close(); // the provider is down when Canon first needs its keys
    const down = await startTestApp({ oidc: settings(issuer) });
    try {
      const jwt = await new SignJWT({ groups: ['canon-viewers'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
        .setIssuer(issuer)
        .setAudience(CANON_AUDIENCE)
        .setSubject('gina')
        .setExpirationTime('5m')
        .sign(firstKey.privateKey);
      const r = await down.gql(ME, {}, jwt);
      expect(codeOf(r)).toBe('SERVICE_UNAVAILABLE');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('2');
      const up = await startIdentityProvider({ keys: [firstKey], people, port });
      try {
        const again = await down.gql(ME, {}, jwt);
        expect(again.errors).toBeUndefined();
        expect(again.data.me.role).toBe('VIEWER');
      } finally {
        await up.close();
      }
    } finally {
      await down.close();
    }
  });

  it('treats a JWT as an unknown token when no identity provider is configured', async () => {
    const plain = await startTestApp();
    try {
      const r = await plain.gql(ME, {}, await idp.token('alice'));
      expect(codeOf(r)).toBe('UNAUTHENTICATED');
    } finally {
      await plain.close();
    }
  });
});
