/**
 * The change listener (LISTEN for change and credential notifications) survives its database
 * going away: one reconnect loop with backoff, however long the outage and however many times the
 * connection drops; while it is down, credentials are not cached (a revocation elsewhere could be
 * missed); its state is in /ready and /metrics. On PGlite there is nothing to connect: the notifier
 * polls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanonApp, startCanon } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestApp, type TestApp, testConfig } from '../support/app.ts';
import { type DroppingProxy, startDroppingProxy } from '../support/tcp-proxy.ts';

let t: TestApp;
let proxy: DroppingProxy | null = null;
let behind: CanonApp | null = null;

beforeAll(async () => {
  t = await startTestApp({ credentialCacheMs: 600_000 });
  if (t.db.kind === 'postgresql') {
    // a second instance of the same database, reaching PostgreSQL through a proxy the test controls
    const direct = new URL(t.db.databaseUrl!);
    proxy = await startDroppingProxy(`tcp://${direct.hostname}:${direct.port || 5432}`);
    const viaProxy = new URL(t.db.databaseUrl!);
    viaProxy.host = new URL(proxy.url).host;
    behind = await startCanon(
      testConfig(
        { ...t.db, databaseUrl: viaProxy.toString() },
        {
          bootstrapAdminToken: t.adminToken,
          credentialCacheMs: 600_000,
        },
      ),
      { log: createLogger('silent') },
    );
  }
}, 60_000);
afterAll(async () => {
  proxy?.refuse(false);
  await behind?.close();
  await proxy?.close();
  await t?.close();
});

const until = async (what: () => boolean | Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
};
const me = async (url: string, token: string) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { role } }' }),
  });
  const json = (await res.json()) as any;
  return json.data?.me.role ?? json.errors?.[0].extensions.code;
};
const listeners = async () =>
  Number(
    (
      await t.app.orm.em
        .getConnection()
        .execute<{ n: string }[]>(
          "select count(*)::text as n from pg_stat_activity where application_name = 'canon-listen' and datname = current_database()",
        )
    )[0].n,
  );

describe('change listener outages', () => {
  it('reconnects after the database refused it for seconds, without multiplying, and revocations reach it again', async () => {
    if (!behind || !proxy) {
      // PGlite: one process, no connection to lose
      expect(t.app.services.changeFeed.notifier.health()).toMatchObject({ mode: 'poll', connected: true });
      expect(t.app.services.callers.cacheBypassed).toBe(false);
      return;
    }
    const notifier = behind.services.changeFeed.notifier;
    expect(notifier.health()).toMatchObject({ mode: 'listen', connected: true });
    expect(await listeners()).toBe(2);

    for (let round = 1; round <= 3; round++) {
      proxy.refuse(true);
      proxy.dropAll();
      expect(await until(() => !notifier.health().connected, 5_000)).toBe(true);
      // while it is down: no credential is remembered, and /ready and /metrics say so
      expect(behind.services.callers.cacheBypassed).toBe(true);
      const down = (await (await fetch(`${behind.url}/metrics`)).text()).match(
        /^canon_change_listener_connected (\d)$/m,
      );
      expect(down?.[1]).toBe('0');
      if (round === 1) {
        // meanwhile requests that need the database are told it is unavailable, never an internal error
        const viewer = await fetch(`${behind.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
          body: JSON.stringify({ query: '{ contracts(first: 1) { edges { cursor } } }' }),
        });
        const body = (await viewer.json()) as any;
        expect(body.errors?.[0]?.extensions?.code, JSON.stringify(body)).toBe('SERVICE_UNAVAILABLE');
        const map = await fetch(`${behind.url}/maps/nope/item`, {
          headers: { authorization: `Bearer ${t.adminToken}` },
        });
        expect(map.status).toBe(503);
        expect(map.headers.get('retry-after')).toBeTruthy();
      }
      // long enough for several attempts to fail (the old loop gave up after the first)
      await new Promise((r) => setTimeout(r, 2_500));
      proxy.refuse(false);
      expect(await until(() => notifier.health().connected, 15_000)).toBe(true);
      expect(notifier.health().reconnects).toBe(round);
      expect(behind.services.callers.cacheBypassed).toBe(false);
      // one listener per instance, never more
      expect(await until(async () => (await listeners()) === 2, 5_000)).toBe(true);
    }
    const ready = (await (await fetch(`${behind.url}/ready`)).json()) as any;
    expect(ready).toMatchObject({
      status: 'ready',
      listener: { mode: 'listen', connected: true, reconnects: 3 },
    });

    // a token revoked through the other instance is refused here at once again
    const created = await t.gql(
      'mutation { createApiToken(input: { role: VIEWER }) { ... on CreateApiTokenPayload { token apiToken { id } } } }',
    );
    const { token, apiToken } = created.data.createApiToken;
    expect(await me(behind.url, token)).toBe('VIEWER');
    await t.gql('mutation($id: ID!) { revokeApiToken(input: { id: $id }) { __typename } }', {
      id: apiToken.id,
    });
    expect(await until(async () => (await me(behind!.url, token)) === 'UNAUTHENTICATED', 5_000)).toBe(true);
  }, 120_000);

  it('/ready gives up on a frozen database after its own short bound, and is ready again after', async () => {
    if (!behind || !proxy) {
      const ready = await fetch(`${t.url}/ready`);
      expect(ready.status).toBe(200);
      return;
    }
    proxy.freeze(true);
    try {
      const started = performance.now();
      const ready = await fetch(`${behind.url}/ready`);
      const ms = performance.now() - started;
      expect(ready.status).toBe(503);
      // the probe gave up on its own bound (1.5 s), not on the 30 s statement timeout
      expect(((await ready.json()) as any).reason).toMatch(/database unreachable: no answer within 1500 ms/);
      expect(ms).toBeLessThan(10_000);
    } finally {
      proxy.freeze(false);
    }
    expect(await until(async () => (await fetch(`${behind!.url}/ready`)).status === 200, 10_000)).toBe(true);
  }, 60_000);
});
