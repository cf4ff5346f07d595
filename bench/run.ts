/**
 * `npm run bench`: measures the contract registry on this machine and writes the results into
 * docs/benchmarks.md (between the bench markers). Loopback only, bounded in time (about a minute).
 * Set DATABASE_URL to measure on a PostgreSQL server (a scratch database is created and dropped).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { startCanon } from '../src/app.ts';
import { DEFAULT_RATE_LIMITS } from '../src/http/rate-limit.ts';
import { createLogger } from '../src/logger.ts';
import { compareSchemas } from '../src/modules/contracts/compatibility/compatibility.ts';

const DOCS = resolve(import.meta.dirname, '../docs/benchmarks.md');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(name: string, concurrency: number, request: () => Promise<void>): Promise<string> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await request();
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return `| ${name} | ${concurrency} | ${Math.round(latencies.length / seconds)} | ${percentile(latencies, 50).toFixed(1)} | ${percentile(latencies, 99).toFixed(1)} | ${errors} |`;
}

async function scratchDatabase(): Promise<{ url?: string; drop: () => Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (!server) return { drop: async () => {} };
  const name = `canon_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

const db = await scratchDatabase();
const token = `bench-admin-${randomBytes(16).toString('hex')}`;
const t0 = performance.now();
const app = await startCanon(
  {
    databaseUrl: db.url,
    dataDir: 'memory://',
    port: 0,
    host: '127.0.0.1',
    packageScope: '@canon',
    logLevel: 'silent',
    bootstrapAdminToken: token,
    environment: 'production',
    maxBodyBytes: 2 * 1024 * 1024,
    poolMax: 10,
    statementTimeoutMs: 30_000,
    // the load tests measure Canon, not its per-role rate limit (200 requests/s for admins)
    rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } },
  },
  { log: createLogger('silent') },
);
const startup = performance.now() - t0;
const gql = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { errors?: unknown[]; data?: any };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

const rows: string[] = [];
try {
  // the pure engine on a real contract: item 1.0.0 against a version with a new field and a narrowed bound
  const item = JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../contracts/item/1.0.0.schema.json'), 'utf8'),
  );
  const changed = structuredClone(item);
  changed.properties.hsCode = { type: 'string', pattern: '^[0-9]{6,10}$' };
  changed.properties.name.maxLength = 150;
  const uom = JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../contracts/uom/1.0.0.schema.json'), 'utf8'),
  );
  const external = (uri: string) => (uri === uom.$id ? uom : undefined);
  const iterations = 2000;
  const e0 = performance.now();
  for (let i = 0; i < iterations; i++) compareSchemas(item, changed, { external });
  const engineMs = (performance.now() - e0) / iterations;

  rows.push(
    await load('`schemaDiff` (item 1.0.0 vs. a changed copy) over HTTP', 16, async () => {
      await gql(
        'query($f: JSON!, $t: JSON!) { schemaDiff(from: $f, to: $t) { ... on SchemaDiff { requiredBump } } }',
        {
          f: item,
          t: changed,
        },
      );
    }),
  );
  rows.push(
    await load('`contracts { latestVersion { schema } }`', 16, async () => {
      await gql('{ contracts { edges { node { name latestVersion { version schema } } } } }');
    }),
  );
  rows.push(
    await load('`checkCompatibility(item, …)`', 16, async () => {
      await gql(
        'query($s: JSON!) { checkCompatibility(contract: "item", schema: $s) { ... on CompatibilityReport { compatible } } }',
        {
          s: changed,
        },
      );
    }),
  );

  // register + publish, one after the other (each is one transaction with audit and outbox)
  const name = `bench-${randomBytes(3).toString('hex')}`;
  const publishTimes: number[] = [];
  for (let i = 0; i < 40; i++) {
    const properties: Record<string, unknown> = { code: { type: 'string' } };
    for (let f = 0; f < i; f++) properties[`f${f}`] = { type: 'string' };
    const p0 = performance.now();
    await gql(
      'mutation($i: RegisterContractVersionInput!) { registerContractVersion(input: $i) { ... on RegisterContractVersionPayload { contractVersion { id } } ... on Error { code } } }',
      {
        i: {
          contract: name,
          version: `1.${i}.0`,
          schema: { type: 'object', additionalProperties: false, properties },
        },
      },
    );
    const r = await gql(
      'mutation($c: String!, $v: SemVer!) { publishContractVersion(input: { contract: $c, version: $v }) { ... on PublishContractVersionPayload { contractVersion { status } } ... on Error { code } } }',
      { c: name, v: `1.${i}.0` },
    );
    if (r.publishContractVersion.contractVersion?.status !== 'PUBLISHED') throw new Error(JSON.stringify(r));
    publishTimes.push(performance.now() - p0);
  }
  publishTimes.sort((a, b) => a - b);

  // golden records: proposals applied at once (approval policy 0), then reads with relations
  await gql(
    'mutation { setApprovalPolicy(input: { domain: "item", requiredApprovals: 0 }) { ... on SetApprovalPolicyPayload { approvalPolicy { requiredApprovals } } } }',
  );
  // proposals with the item domain's match rules (the duplicate lookups) and, interleaved so both
  // see the same machine, with them switched off: the lookups' cost measured in the same run
  const proposeTimes: number[] = [];
  const unmatchedTimes: number[] = [];
  const itemRules = (
    await gql(
      '{ matchRules(domain: "item") { name kind fields agree normalise minSimilarity numbersAgree score suggestAt } }',
    )
  ).matchRules as Record<string, unknown>[];
  const setRules = (active: boolean) =>
    Promise.all(
      itemRules.map((r) =>
        gql('mutation($i: SetMatchRuleInput!) { setMatchRule(input: $i) { __typename } }', {
          i: { ...r, domain: 'item', active },
        }),
      ),
    );
  for (let i = 0; i < 200; i++) {
    const matched = i % 20 < 10;
    if (i % 10 === 0) await setRules(matched);
    const p0 = performance.now();
    const r = await gql(
      'mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { ... on ProposeChangePayload { changeRequest { status } } ... on Error { code message } } }',
      {
        i: {
          domain: 'item',
          data: {
            code: `BENCH-${i}`,
            name: `Bench item ${i}`,
            type: 'goods',
            uom: 'KGM',
            purchaseUom: 'TNE',
            tracking: 'lot',
          },
        },
      },
    );
    if (r.proposeChange.changeRequest?.status !== 'APPLIED') throw new Error(JSON.stringify(r));
    (matched ? proposeTimes : unmatchedTimes).push(performance.now() - p0);
  }
  await setRules(true);
  unmatchedTimes.sort((a, b) => a - b);
  proposeTimes.sort((a, b) => a - b);
  rows.push(
    await load('`items(first: 50) { uom purchaseUom }` (200 items)', 16, async () => {
      await gql(
        '{ items(first: 50, filter: { keyPrefix: "BENCH-" }) { totalCount edges { node { code name uom { code } purchaseUom { code dimension } } } } }',
      );
    }),
  );
  rows.push(
    await load('`convertQuantity(1, KGM, LBR)`', 16, async () => {
      await gql(
        '{ convertQuantity(quantity: "1", from: "KGM", to: "LBR") { ... on Conversion { quantity } } }',
      );
    }),
  );
  const rss = process.memoryUsage().rss / 1024 / 1024;

  const database = db.url ? 'PostgreSQL server' : 'embedded PGlite (in memory)';
  const block = [
    `Run on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, ${database}; client and server in one process on loopback, ${SECONDS} s per load test.`,
    '',
    '| measure | result |',
    '|---|---|',
    `| start-up (open, migrate, register built-in contracts, listen) | ${startup.toFixed(0)} ms |`,
    `| diff engine: item 1.0.0 vs. changed copy, both directions | ${engineMs.toFixed(2)} ms per comparison (${Math.round(1000 / engineMs)}/s) |`,
    `| register + publish a contract version (HTTP, 40 in a row, growing schema) | p50 ${percentile(publishTimes, 50).toFixed(1)} ms, p99 ${percentile(publishTimes, 99).toFixed(1)} ms |`,
    `| propose + apply an item at once (validation, rules, duplicate lookups, revision, references, audit, outbox; 100 of 200 in a row) | p50 ${percentile(proposeTimes, 50).toFixed(1)} ms, p99 ${percentile(proposeTimes, 99).toFixed(1)} ms |`,
    `| the same with the item match rules switched off (the other 100, interleaved) | p50 ${percentile(unmatchedTimes, 50).toFixed(1)} ms, p99 ${percentile(unmatchedTimes, 99).toFixed(1)} ms |`,
    `| process RSS after the run | ${rss.toFixed(0)} MB |`,
    '',
    '| GraphQL load | connections | requests/s | p50 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(block);
  const marker = db.url ? 'postgresql' : 'pglite';
  const start = `<!-- bench:contracts:${marker}:start -->`;
  const end = `<!-- bench:contracts:${marker}:end -->`;
  const doc = readFileSync(DOCS, 'utf8');
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) {
    writeFileSync(DOCS, `${doc.slice(0, i + start.length)}\n${block}\n${doc.slice(j)}`);
    console.log(`\nwrote ${DOCS}`);
  }
} finally {
  await app.close();
  await db.drop();
}
