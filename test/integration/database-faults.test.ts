/**
 * Canon under PostgreSQL faults, on a cluster of the test's own (test/support/private-cluster.ts):
 * a fast restart, an immediate kill and a frozen server, each while writers keep writing. The
 * process stays up; every refusal is SERVICE_UNAVAILABLE; /ready answers within 2 s throughout, 503
 * during the fault and 200 again within 2 s of PostgreSQL accepting connections; the first write
 * succeeds within 5 s of that; the change listener reconnects; no acknowledged write is lost.
 * The figures are printed (docs/reliability.md keeps a run's).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../src/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type PrivateCluster, startPrivateCluster } from '../support/private-cluster.ts';

let cluster: PrivateCluster;
let t: TestApp;

beforeAll(async () => {
  cluster = await startPrivateCluster();
  t = await startTestApp(
    {
      readStatementTimeoutMs: 1_000,
      rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } },
    },
    { database: cluster.database },
  );
}, 120_000);
afterAll(async () => {
  await t?.close();
  await cluster?.remove();
});

const REGISTER = `mutation($input: RegisterSystemInput!) { registerSystem(input: $input) {
  __typename ... on RegisterSystemPayload { system { code } } ... on Error { code } } }`;

let serial = 0;
/** One write; its outcome as the caller sees it: ok, a typed error code, or a transport failure. */
async function writeOnce(): Promise<{ code: string; outcome: string }> {
  const code = `fault-${process.pid}-${++serial}`;
  try {
    const r = await t.gql(REGISTER, { input: { code, name: code, kind: 'OTHER' } });
    const typed = r.data?.registerSystem?.code ?? r.errors?.[0]?.extensions?.code;
    return { code, outcome: r.data?.registerSystem?.system ? 'ok' : String(typed ?? `HTTP ${r.status}`) };
  } catch (error) {
    return { code, outcome: `transport: ${(error as Error).message}` };
  }
}

interface Load {
  stop(): Promise<{ acknowledged: string[]; outcomes: Record<string, number> }>;
}

/** Writers writing one after another until stopped. */
function writers(count: number): Load {
  let running = true;
  const acknowledged: string[] = [];
  const outcomes: Record<string, number> = {};
  const loops = Array.from({ length: count }, async () => {
    while (running) {
      const { code, outcome } = await writeOnce();
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === 'ok') acknowledged.push(code);
      else await new Promise((r) => setTimeout(r, 50));
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return { acknowledged, outcomes };
    },
  };
}

/** GET /ready, timed; a transport failure counts as not ready. */
async function ready(): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(`${t.url}/ready`, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

/** Polls until `check` holds; the milliseconds it took, or Infinity past the deadline. */
async function msUntil(check: () => Promise<boolean>, deadlineMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < deadlineMs) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  return Number.POSITIVE_INFINITY;
}

/** What the database holds, read with a client of the test's own. */
async function storedCodes(): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ code: string }>('select code from system');
    return new Set(rows.map((r) => r.code));
  } finally {
    await client.end();
  }
}

async function duringFault(
  name: string,
  fault: () => Promise<void>,
  outageMs: number,
  recover: () => Promise<void>,
): Promise<void> {
  const load = writers(4);
  await new Promise((r) => setTimeout(r, 500));
  await fault();
  // while PostgreSQL is down or frozen, /ready says so, and says it in time
  const probes: { status: number; ms: number }[] = [];
  const outageEnds = Date.now() + outageMs;
  while (Date.now() < outageEnds) probes.push(await ready());
  await recover();
  await cluster.waitUntilAccepting();
  const readyAfterMs = await msUntil(async () => (await ready()).status === 200, 10_000);
  const firstWriteMs = await msUntil(async () => (await writeOnce()).outcome === 'ok', 10_000);
  const listenerMs = await msUntil(async () => t.app.services.changeFeed.notifier.health().connected, 10_000);
  await new Promise((r) => setTimeout(r, 300));
  const { acknowledged, outcomes } = await load.stop();
  const stored = await storedCodes();
  const lost = acknowledged.filter((c) => !stored.has(c));
  console.log(
    `[database faults] ${name}: outcomes ${JSON.stringify(outcomes)}; /ready during the fault: ` +
      `${probes.filter((p) => p.status === 503).length}/${probes.length} answered 503, slowest ${Math.round(Math.max(...probes.map((p) => p.ms)))} ms; ` +
      `ready again ${Math.round(readyAfterMs)} ms and first write ${Math.round(firstWriteMs)} ms after PostgreSQL accepted connections; ` +
      `listener back after ${Math.round(listenerMs)} ms; ${acknowledged.length} acknowledged writes, ${lost.length} lost`,
  );
  for (const outcome of Object.keys(outcomes)) expect(['ok', 'SERVICE_UNAVAILABLE']).toContain(outcome);
  expect(outcomes.ok).toBeGreaterThan(0);
  expect(probes.length).toBeGreaterThan(0);
  for (const p of probes) {
    expect(p.status).toBe(503);
    expect(p.ms).toBeLessThan(2_000);
  }
  expect(readyAfterMs).toBeLessThanOrEqual(2_000);
  expect(firstWriteMs).toBeLessThanOrEqual(5_000);
  expect(listenerMs).toBeLessThan(10_000);
  expect(lost).toEqual([]);
  expect((await fetch(`${t.url}/health`)).status).toBe(200);
}

describe('PostgreSQL faults under load', () => {
  it('survives a fast restart', async () => {
    await duringFault(
      'fast restart',
      // `pg_ctl restart -m fast` in two steps, so the window between them can be probed
      () => cluster.stopFast(),
      1_500,
      () => cluster.start(),
    );
  }, 90_000);

  it('survives an immediate kill (crash recovery)', async () => {
    await duringFault(
      'immediate kill',
      () => cluster.killImmediately(),
      2_000,
      () => cluster.start(),
    );
  }, 90_000);

  it('survives a frozen server', async () => {
    await duringFault(
      'frozen server',
      () => cluster.freeze(),
      4_000,
      () => cluster.thaw(),
    );
  }, 90_000);

  it('gives every pooled connection back after the faults', async () => {
    const pool = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
      return { open: value('canon_db_pool_connections'), idle: value('canon_db_pool_idle_connections') };
    };
    const settledMs = await msUntil(async () => {
      const { open, idle } = await pool();
      return open === idle;
    }, 10_000);
    expect(settledMs, JSON.stringify(await pool())).toBeLessThan(10_000);
  });

  it('answers a read that outlives the read statement timeout with a typed refusal, in time', async () => {
    const blocker = new pg.Client({ connectionString: cluster.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table golden_record in access exclusive mode');
      const started = performance.now();
      const r = await t.gql(`{ records(domain: "uom", first: 5) { edges { node { key } } } }`);
      const ms = performance.now() - started;
      expect(r.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(r.errors?.[0]?.message).toMatch(/statement timeout/);
      // 1 s read timeout, run twice at most (a timeout is not a lost connection: no retry)
      expect(ms).toBeLessThan(5_000);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
  }, 30_000);
});
