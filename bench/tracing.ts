/**
 * `npm run bench` (tracing): what OpenTelemetry tracing costs on the connectors' hot path.
 *   - micro: a root-field resolver called directly, through the tracing wrapper with tracing off, and
 *     with tracing on (in-memory exporter) — nanoseconds per call, same process, same run;
 *   - end to end: resolveXrefs with a connector token against Canon on embedded PGlite, tracing off,
 *     on (exporting over OTLP/HTTP to a sink in this process), and off again — requests per second,
 *     each Canon a fresh process, measured one after the other on this shared 2-core machine.
 * Results are written into docs/benchmarks.md between the bench:tracing markers.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import autocannon from 'autocannon';
import type { GraphQLResolveInfo } from 'graphql';
import { traceResolver } from '../src/graphql/tracing.ts';
import { startTracing } from '../src/telemetry/tracing.ts';
import { startCanon } from './canon-process.ts';
import { writeDocsBlock } from './docs-block.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ADMIN = `bench-admin-${randomBytes(16).toString('hex')}`;

async function micro(): Promise<{ raw: number; off: number; on: number }> {
  type Resolver = (source: unknown, args: unknown, ctx: unknown, info: GraphQLResolveInfo) => Promise<number>;
  const resolver: Resolver = async () => 1;
  const info = { parentType: { name: 'Query' }, fieldName: 'resolveXrefs' } as unknown as GraphQLResolveInfo;
  const wrapped = traceResolver(resolver as never) as unknown as Resolver;
  const time = async (fn: Resolver, n: number) => {
    for (let i = 0; i < 10_000; i++) await fn(undefined, {}, {}, info);
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn(undefined, {}, {}, info);
    return Number(process.hrtime.bigint() - started) / n;
  };
  // alternated, five rounds each, medians: the first round of either pays for warming the JIT
  const raws: number[] = [];
  const offs: number[] = [];
  for (let round = 0; round < 5; round++) {
    raws.push(await time(resolver, 1_000_000));
    offs.push(await time(wrapped, 1_000_000));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const raw = median(raws);
  const off = median(offs);
  const tracing = await startTracing(new InMemorySpanExporter());
  const on = await time(wrapped, 100_000);
  await tracing?.shutdown();
  return { raw, off, on };
}

const startTraced = (env: Record<string, string>) => startCanon(ADMIN, env, ['--max-semi-space-size=16']);

async function gql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data: Record<string, any> };
}

async function load(env: Record<string, string>): Promise<{ rps: number; p99: number }> {
  const { url, child } = await startTraced(env);
  try {
    await gql(
      url,
      ADMIN,
      'mutation { registerSystem(input: { code: "wms", name: "WMS", kind: WMS }) { __typename } }',
    );
    const created = await gql(
      url,
      ADMIN,
      'mutation { createApiToken(input: { role: CONNECTOR, systemCode: "wms", actorName: "wms" }) { ... on CreateApiTokenPayload { token } } }',
    );
    const token = created.data.createApiToken.token as string;
    const body = JSON.stringify({
      query:
        'query Resolve($ids: [String!]!) { resolveXrefs(system: "wms", domain: "item", externalIds: $ids) { ... on ResolveXrefsPayload { resolutions { externalId recordId } } ... on Error { code } } }',
      variables: { ids: Array.from({ length: 20 }, (_, i) => `id-${i}`) },
    });
    const run = (duration: number) =>
      autocannon({
        url: `${url}/graphql`,
        method: 'POST',
        connections: 10,
        duration,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
    await run(2);
    const r = await run(SECONDS);
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
    return { rps: r.requests.average, p99: r.latency.p99 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const m = await micro();
console.log(
  `micro: raw ${m.raw.toFixed(0)} ns, wrapper off ${m.off.toFixed(0)} ns, on ${m.on.toFixed(0)} ns per call`,
);
let exported = 0;
const sink = createHttpServer((req, res) => {
  req.on('data', (c: Buffer) => {
    exported += c.length;
  });
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
}).listen(0, '127.0.0.1');
await new Promise((r) => sink.once('listening', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/v1/traces`;
// alternated, each a fresh Canon: off, on, off, on (the shared machine drifts; compare the pairs)
const runs: { tracing: 'off' | 'on'; rps: number; p99: number }[] = [];
for (const tracing of ['off', 'on', 'off', 'on'] as const)
  runs.push({
    tracing,
    ...(await load(
      tracing === 'on' ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: sinkUrl } : { OTEL_TRACES_EXPORTER: 'none' },
    )),
  });
sink.close();
const mean = (t: 'off' | 'on') => {
  const of = runs.filter((r) => r.tracing === t);
  return of.reduce((a, r) => a + r.rps, 0) / of.length;
};
const offRps = mean('off');
const onRps = mean('on');
const lines = [
  `Run on ${new Date().toISOString().slice(0, 10)}: Canon on embedded PGlite, resolveXrefs of 20 ids with a connector token, 10 connections, ${SECONDS} s each after a 2 s warm-up; autocannon on the same 2 cores. Off, on, off, on: each a fresh Canon, one after the other in this run (the machine is shared; compare within the run).`,
  '',
  '| run | tracing | requests/s | p99 ms |',
  '|---|---|---|---|',
  ...runs.map((r, i) => `| ${i + 1} | ${r.tracing} | ${r.rps.toFixed(0)} | ${r.p99} |`),
  '',
  `Mean: ${offRps.toFixed(0)} requests/s with tracing off, ${onRps.toFixed(0)} with tracing on and every span exported over OTLP/HTTP (${(exported / 1024 / 1024).toFixed(1)} MB to a sink in the bench process): on costs ${(100 * (1 - onRps / offRps)).toFixed(0)} %. The root-field wrapper called directly (same process, alternated rounds of 1,000,000 calls, medians): ${m.raw.toFixed(0)} ns per call without it, ${m.off.toFixed(0)} ns through it while tracing is off (${m.off - m.raw >= 0 ? '+' : ''}${(m.off - m.raw).toFixed(0)} ns, against ~${(10_000 / offRps).toFixed(1)} ms per request here), ${(m.on / 1000).toFixed(1)} µs while on (span made and exported in memory).`,
];
console.log(lines.join('\n'));
writeDocsBlock('bench:tracing', lines);
