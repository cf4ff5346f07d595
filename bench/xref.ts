/**
 * `npm run bench` (second part): the connectors' hot path with 1,000,000 cross-references loaded, on
 * the PostgreSQL server (DATABASE_URL, default postgres://root@127.0.0.1:5432/postgres; a scratch
 * database is created and dropped). Canon and two reference servers run as separate processes; the
 * load client (autocannon) runs here, on the same 2 cores, over loopback:
 *   - bare: node:http + pg doing resolveXrefs' SQL — the ceiling;
 *   - minimal GraphQL: the same SQL behind one graphql-yoga resolver;
 *   - Canon: the real endpoint with a connector token (authentication, ability, limits, metrics).
 * Results are written into docs/benchmarks.md between the bench:xref markers.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { admin } from './pg.ts';

const execFileAsync = promisify(execFile);

const ROOT = resolve(import.meta.dirname, '..');
const DOCS = resolve(ROOT, 'docs/benchmarks.md');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARM_UP_SECONDS = 2;
const XREFS = Number(process.env.BENCH_XREFS ?? 1_000_000);
const SERVER_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';
const ADMIN = `bench-admin-${randomBytes(16).toString('hex')}`;

/** Canon runs with the Node flags `npm start` gives it (package.json), as in production. */
const SERVE_FLAGS = (
  /\bnode ((?:--\S+ )*)src\/server\.ts/.exec(
    (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
      .scripts.start,
  )?.[1] ?? ''
)
  .split(' ')
  .filter(Boolean);

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

async function startProcess(
  script: string,
  env: Record<string, string>,
  ready: () => Promise<boolean>,
): Promise<ChildProcess> {
  const canon = script.endsWith('cli.ts');
  const child = spawn(
    process.execPath,
    [...(canon ? SERVE_FLAGS : []), resolve(ROOT, script), ...(canon ? ['serve'] : [])],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  child.stdout?.resume();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      if (await ready()) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${script} did not become ready`);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Request bodies with random ids, cycled by the load client (generated up front so the client stays cheap). */
function bodies(make: (ids: string[]) => unknown, idsPerRequest: number): string[] {
  // enough distinct ids (~200,000) that PostgreSQL's caches see a realistic spread, not a hot few
  const count = Math.min(50_000, Math.max(200, Math.ceil(200_000 / idsPerRequest)));
  return Array.from({ length: count }, () =>
    JSON.stringify(
      make(Array.from({ length: idsPerRequest }, () => String(1 + Math.floor(Math.random() * XREFS)))),
    ),
  );
}

interface Load {
  requestsPerSecond: number;
  idsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  peakRssMb: number;
}

const WRK_SCRIPT = `
local reqs = {}
local i = 0
init = function(args)
  local headers = { ["content-type"] = "application/json" }
  if args[2] and args[2] ~= "" then headers["authorization"] = args[2] end
  for line in io.lines(args[1]) do reqs[#reqs + 1] = wrk.format("POST", nil, headers, line) end
end
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"seconds":%f,"p50":%f,"p99":%f,"errors":%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout + e.status))
end
`;

/** wrk (C, from Debian's package) when installed: it costs the shared 2 cores far less than a Node client. */
const WRK =
  process.env.BENCH_CLIENT !== 'autocannon' &&
  spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
const CLIENT = WRK ? 'wrk (one thread, requests pre-built)' : 'autocannon';

async function runWrk(
  url: string,
  authorization: string,
  pool: string[],
  connections: number,
  seconds: number,
): Promise<{ requests: number; seconds: number; p50: number; p99: number; errors: number }> {
  const dir = mkdtempSync(resolve(tmpdir(), 'canon-bench-'));
  try {
    writeFileSync(resolve(dir, 'load.lua'), WRK_SCRIPT);
    writeFileSync(resolve(dir, 'bodies.txt'), `${pool.join('\n')}\n`);
    const { stdout } = await execFileAsync('wrk', [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '-s',
      resolve(dir, 'load.lua'),
      url,
      '--',
      resolve(dir, 'bodies.txt'),
      authorization,
    ]);
    const line = stdout.trim().split('\n').at(-1) ?? '';
    return JSON.parse(line);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Drives a server for a short untimed warm-up (JIT, Canon's compiled lane, connection pools,
 * PostgreSQL's caches for that server's ids), then for the measured SECONDS.
 */
async function load(
  url: string,
  headers: Record<string, string>,
  pool: string[],
  connections: number,
  ids: number,
  pid: number,
): Promise<Load> {
  const target = { url, headers, pool, connections, ids, pid };
  await drive(target, WARM_UP_SECONDS);
  return drive(target, SECONDS);
}

async function drive(
  target: {
    url: string;
    headers: Record<string, string>;
    pool: string[];
    connections: number;
    ids: number;
    pid: number;
  },
  seconds: number,
): Promise<Load> {
  const { url, headers, pool, connections, ids, pid } = target;
  let i = 0;
  let peak = rssMb(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 250);
  try {
    if (WRK) {
      const r = await runWrk(url, headers.authorization ?? '', pool, connections, seconds);
      const rps = r.requests / r.seconds;
      return {
        requestsPerSecond: Math.round(rps),
        idsPerSecond: Math.round(rps * ids),
        p50: Math.round(r.p50),
        p99: Math.round(r.p99),
        errors: r.errors,
        peakRssMb: Math.round(Math.max(peak, rssMb(pid))),
      };
    }
    const result = await autocannon({
      url,
      connections,
      duration: seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      requests: [
        {
          setupRequest: (req) => {
            req.body = pool[i++ % pool.length];
            return req;
          },
        },
      ],
    });
    const rps = result.requests.total / (result.duration || seconds);
    return {
      requestsPerSecond: Math.round(rps),
      idsPerSecond: Math.round(rps * ids),
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      peakRssMb: Math.round(Math.max(peak, rssMb(pid))),
    };
  } finally {
    clearInterval(sampler);
  }
}

// ---- set-up: scratch database, Canon, fixtures
// BENCH_DATABASE keeps a named database (and its fixtures) between runs, for working on the hot path
const kept = process.env.BENCH_DATABASE;
const scratch = kept ?? `canon_bench_xref_${randomBytes(4).toString('hex')}`;
const exists = await admin(SERVER_URL, async (c) =>
  Boolean((await c.query('select 1 from pg_database where datname = $1', [scratch])).rowCount),
);
if (!exists) await admin(SERVER_URL, (c) => c.query(`create database "${scratch}"`));
const dbUrl = new URL(SERVER_URL);
dbUrl.pathname = `/${scratch}`;
const DATABASE_URL = dbUrl.toString();
const children: ChildProcess[] = [];
const rows: string[] = [];
try {
  const canonPort = await freePort();
  const canonUrl = `http://127.0.0.1:${canonPort}`;
  const canon = await startProcess(
    'src/cli.ts',
    {
      DATABASE_URL,
      PORT: String(canonPort),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      CANON_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
    },
    async () => (await fetch(`${canonUrl}/ready`)).ok,
  );
  children.push(canon);
  const gql = async (token: string, query: string, variables?: unknown) => {
    const r = await fetch(`${canonUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await r.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    if (json.errors) throw new Error(JSON.stringify(json.errors));
    return json.data as Record<string, any>;
  };
  const registered = (
    (await gql(ADMIN, '{ systems { edges { node { code } } } }')).systems.edges as {
      node: { code: string };
    }[]
  ).map((e) => e.node.code);
  for (const [code, kind] of [
    ['odoo-main', 'ERP'],
    ['plm', 'PLM'],
  ].filter(([code]) => !registered.includes(code as string)))
    await gql(
      ADMIN,
      `mutation { registerSystem(input: { code: "${code}", name: "${code}", kind: ${kind} }) { __typename } }`,
    );
  const created = await gql(
    ADMIN,
    'mutation { createApiToken(input: { role: CONNECTOR, systemCode: "odoo-main", actorName: "bench-odoo" }) { ... on CreateApiTokenPayload { token } } }',
  );
  const connector = created.createApiToken.token as string;

  // fixtures by SQL: 1M item records, each with an Odoo id (1..N, xml id beside it) and a PLM id
  const t0 = performance.now();
  const loaded = await admin(DATABASE_URL, async (c) =>
    Number((await c.query("select count(*) from xref where system_code = 'odoo-main'")).rows[0].count),
  );
  if (loaded !== 0 && loaded !== XREFS)
    throw new Error(
      `${scratch} holds ${loaded} xrefs, not ${XREFS}: drop it or choose another BENCH_DATABASE`,
    );
  if (loaded === 0)
    await admin(DATABASE_URL, async (c) => {
      await c.query(
        `create temporary table n as select i, gen_random_uuid() as id from generate_series(1, ${XREFS}) i`,
      );
      await c.query(`insert into golden_record (id, domain, key, site, status, latest_revision, created_at, updated_at)
      select id, 'item', 'ITEM-' || lpad(i::text, 7, '0'), null, 'ACTIVE', 1, now(), now() from n`);
      await c.query(`insert into xref (system_code, domain, external_id, external_key, record_id, record_key, state, synced_at, created_at, updated_at)
      select 'odoo-main', 'item', i::text, '__export__.product_product_' || i, id, 'ITEM-' || lpad(i::text, 7, '0'), 'ACTIVE', now(), now(), now() from n`);
      await c.query(`insert into xref (system_code, domain, external_id, external_key, record_id, record_key, state, synced_at, created_at, updated_at)
      select 'plm', 'item', 'PLM-' || i, null, id, 'ITEM-' || lpad(i::text, 7, '0'), 'ACTIVE', now(), now(), now() from n`);
      await c.query('vacuum analyze golden_record');
      await c.query('vacuum analyze xref');
    });
  const fixtureSeconds = (performance.now() - t0) / 1000;

  // reference servers on the same database, ready once they answer a known and an unknown id right
  const answersRight = async (url: string, body: unknown, pick: (json: any) => any[]) => {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) return false;
    const rows = pick(await r.json());
    return rows[0]?.key === 'ITEM-0000007' && rows[1]?.recordId === null;
  };
  const barePort = await freePort();
  const bare = await startProcess(
    'bench/reference/bare-http.ts',
    { DATABASE_URL, PORT: String(barePort) },
    () =>
      answersRight(
        `http://127.0.0.1:${barePort}/`,
        { system: 'odoo-main', domain: 'item', externalIds: ['7', 'nope'] },
        (j) => j,
      ),
  );
  children.push(bare);
  const minimalPort = await freePort();
  const minimal = await startProcess(
    'bench/reference/minimal-graphql.ts',
    { DATABASE_URL, PORT: String(minimalPort) },
    () =>
      answersRight(
        `http://127.0.0.1:${minimalPort}/graphql`,
        {
          query:
            '{ resolveXrefs(system: "odoo-main", domain: "item", externalIds: ["7", "nope"]) { recordId key } }',
        },
        (j) => j.data?.resolveXrefs ?? [],
      ),
  );
  children.push(minimal);

  // correctness of every endpoint before measuring it
  const probe = await gql(
    connector,
    '{ resolveXrefs(system: "odoo-main", domain: "item", externalIds: ["7", "nope"]) { ... on ResolveXrefsPayload { resolutions { recordId key } } } }',
  );
  const resolved = probe.resolveXrefs.resolutions;
  if (resolved[0].key !== 'ITEM-0000007' || resolved[1].recordId !== null)
    throw new Error(`unexpected resolve answer ${JSON.stringify(probe)}`);

  // the minimal reference has no result union: the same fields, one level less
  const minimalResolveQuery =
    'query R($ids: [String!]!) { resolveXrefs(system: "odoo-main", domain: "item", externalIds: $ids) { externalId recordId key } }';
  const resolveQuery =
    'query R($ids: [String!]!) { resolveXrefs(system: "odoo-main", domain: "item", externalIds: $ids) { ... on ResolveXrefsPayload { resolutions { externalId recordId key } } ... on Error { code message } } }';
  const translateQuery =
    'query T($ids: [String!]!) { translateXrefs(domain: "item", fromSystem: "odoo-main", toSystem: "plm", externalIds: $ids) { ... on TranslateXrefsPayload { translations { externalId targetId } } ... on Error { code message } } }';
  const asGraphql = (query: string) => (ids: string[]) => ({ query, variables: { ids } });
  const asBare = (ids: string[]) => ({ system: 'odoo-main', domain: 'item', externalIds: ids });
  const auth = { authorization: `Bearer ${connector}` };

  const cases: { name: string; ids: number; connections: number }[] = [
    { name: 'resolve 1 id', ids: 1, connections: 32 },
    { name: 'resolve 100 ids', ids: 100, connections: 16 },
    { name: 'resolve 1000 ids', ids: 1000, connections: 8 },
  ];
  const results: { name: string; target: string; r: Load }[] = [];
  for (const c of process.env.BENCH_MAP_ONLY ? [] : cases) {
    results.push({
      name: c.name,
      target: 'bare node:http + pg (ceiling)',
      r: await load(
        `http://127.0.0.1:${barePort}/`,
        {},
        bodies(asBare, c.ids),
        c.connections,
        c.ids,
        bare.pid!,
      ),
    });
    results.push({
      name: c.name,
      target: 'minimal graphql-yoga',
      r: await load(
        `http://127.0.0.1:${minimalPort}/graphql`,
        {},
        bodies(asGraphql(minimalResolveQuery), c.ids),
        c.connections,
        c.ids,
        minimal.pid!,
      ),
    });
    results.push({
      name: c.name,
      target: 'Canon (connector token)',
      r: await load(
        `${canonUrl}/graphql`,
        auth,
        bodies(asGraphql(resolveQuery), c.ids),
        c.connections,
        c.ids,
        canon.pid!,
      ),
    });
  }
  if (!process.env.BENCH_MAP_ONLY)
    results.push({
      name: 'translate 100 ids',
      target: 'Canon (connector token)',
      r: await load(`${canonUrl}/graphql`, auth, bodies(asGraphql(translateQuery), 100), 16, 100, canon.pid!),
    });

  // the whole map of one system and domain
  const m0 = performance.now();
  const response = await fetch(`${canonUrl}/maps/odoo-main/item?format=ndjson`, { headers: auth });
  let lines = 0;
  let bytes = 0;
  let peakMapRss = rssMb(canon.pid!);
  const mapSampler = setInterval(() => {
    peakMapRss = Math.max(peakMapRss, rssMb(canon.pid!));
  }, 100);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    // native search: counting byte by byte in JavaScript would measure the client, not Canon
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  }
  clearInterval(mapSampler);
  const mapSeconds = (performance.now() - m0) / 1000;
  if (lines !== XREFS) throw new Error(`map download returned ${lines} lines, expected ${XREFS}`);

  // report
  const ceiling = new Map(results.filter((x) => x.target.startsWith('bare')).map((x) => [x.name, x.r]));
  rows.push(
    `Run on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, PostgreSQL server; ${XREFS.toLocaleString('en')} items with ${(2 * XREFS).toLocaleString('en')} xrefs (fixtures inserted by SQL in ${fixtureSeconds.toFixed(0)} s); ${CLIENT} on loopback, ${SECONDS} s per case after ${WARM_UP_SECONDS} s of warm-up, random ids.`,
    '',
    '| case | server | connections | requests/s | ids/s | p50 ms | p99 ms | errors | of ceiling | server RSS peak |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const { name, target, r } of results) {
    const c = ceiling.get(name);
    const ratio =
      c && !target.startsWith('bare') ? `${Math.round((100 * r.idsPerSecond) / c.idsPerSecond)} %` : '';
    const connections = cases.find((x) => x.name === name)?.connections ?? 16;
    rows.push(
      `| ${name} | ${target} | ${connections} | ${r.requestsPerSecond.toLocaleString('en')} | ${r.idsPerSecond.toLocaleString('en')} | ${r.p50} | ${r.p99} | ${r.errors} | ${ratio} | ${r.peakRssMb} MB |`,
    );
  }
  rows.push(
    '',
    `Map download \`/maps/odoo-main/item?format=ndjson\`: ${lines.toLocaleString('en')} rows, ${(bytes / 1048576).toFixed(0)} MB in ${mapSeconds.toFixed(2)} s (${Math.round(lines / mapSeconds).toLocaleString('en')} rows/s); Canon RSS peak during the download ${Math.round(peakMapRss)} MB.`,
  );
  console.log(rows.join('\n'));
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  if (!kept) await admin(SERVER_URL, (c) => c.query(`drop database if exists "${scratch}" with (force)`));
}

const text = readFileSync(DOCS, 'utf8');
const start = '<!-- bench:xref:start -->';
const end = '<!-- bench:xref:end -->';
const block = `${start}\n${rows.join('\n')}\n${end}`;
writeFileSync(
  DOCS,
  text.includes(start)
    ? text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length)
    : `${text.trimEnd()}\n\n## Cross-reference hot path (PostgreSQL server)\n\n${block}\n`,
);
