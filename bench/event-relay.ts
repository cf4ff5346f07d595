/**
 * `npm run bench` (event relay): how fast the relay moves the outbox to NATS JetStream, and how long
 * a committed change takes to reach a consumer under write load. On the PostgreSQL server
 * (DATABASE_URL, default postgres://root@127.0.0.1:5432/postgres; a scratch database, dropped) and
 * the NATS server at NATS_URL (default nats://127.0.0.1:4222; a scratch stream, deleted):
 *   - reference: the same messages published straight to JetStream by this process, in windows of
 *     256 with the relay's ordering expectation (no database): the ceiling on this machine;
 *   - drain: 20,000 events already in the outbox when the relay starts; events/s until the lag is 0;
 *   - load: 1,000 changes/s (linkXrefs of 100 ids, 10 a second, over HTTP) for BENCH_SECONDS (10);
 *     a JetStream consumer notes each event's receipt; latency = receipt − the event's commit time
 *     (the outbox's created_at, taken just before the commit: a slight over-estimate).
 * Results are written into docs/benchmarks.md between the bench:event-relay markers.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startCanon } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import type { ChangeEvent } from '../src/modules/events/change-feed.service.ts';
import { publishWindow } from '../src/modules/events/relay/event-publisher.ts';
import { ensureStream } from '../src/modules/events/relay/event-stream.ts';
import { defaultStreamSettings, type NatsSettings } from '../src/modules/events/relay/nats-env.ts';
import { writeDocsBlock } from './docs-block.ts';
import { admin, benchConfig } from './pg.ts';

const SERVER_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';
const NATS = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BACKLOG = 20_000;
const TOKEN = `bench-admin-${randomBytes(16).toString('hex')}`;
const id = randomBytes(4).toString('hex');

const settings = (name: string): NatsSettings => ({
  servers: [NATS],
  stream: defaultStreamSettings({
    name,
    subjectPrefix: `bench-${name.toLowerCase()}`,
    storage: 'file',
    maxBytes: 1024 ** 3,
    maxAgeMs: 3_600_000,
  }),
});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function gql(url: string, query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const LINK = `mutation($input: LinkXrefsInput!) { linkXrefs(input: $input) { __typename ... on Error { message } } }`;
const link = (url: string, recordId: string, batch: string) =>
  gql(url, LINK, {
    input: {
      system: 'bench-odoo',
      domain: 'uom',
      links: Array.from({ length: 100 }, (_, j) => ({ externalId: `${batch}-${j}`, recordId })),
    },
  });

/** The ceiling: the same kind of messages published by this process alone, no database. */
async function reference(): Promise<number> {
  const s = settings(`BENCH_REF_${id}`);
  const nc = await connect({ servers: NATS });
  const jsm = await jetstreamManager(nc);
  try {
    const info = await ensureStream(jsm, s.stream);
    let streamSequence = info.state.last_seq;
    const event = (n: number): ChangeEvent => ({
      sequence: String(n),
      type: 'XREF_LINKED',
      domain: 'uom',
      subjectId: '0190f1d2-7c1e-7b3a-9f00-00000000002a',
      revision: null,
      payload: { system: 'bench-odoo', externalId: `r-${n}`, externalKey: null, recordId: 'x' },
      origin: { actorId: null, actorName: 'bench', role: 'admin', systemCode: null },
      contractVersion: null,
      createdAt: new Date(),
    });
    const started = performance.now();
    for (let n = 1; n <= BACKLOG; n += 256) {
      const window = Array.from({ length: Math.min(256, BACKLOG - n + 1) }, (_, i) => event(n + i));
      const r = await publishWindow(jetstream(nc), window, s.stream.subjectPrefix, streamSequence);
      if (r.error) throw r.error;
      streamSequence = r.streamSequence;
    }
    return BACKLOG / ((performance.now() - started) / 1000);
  } finally {
    await jsm.streams.delete(s.stream.name).catch(() => false);
    await nc.close();
  }
}

const scratch = `canon_bench_relay_${id}`;
await admin(SERVER_URL, (c) => c.query(`create database "${scratch}"`));
const dbUrl = new URL(SERVER_URL);
dbUrl.pathname = `/${scratch}`;
const stream = settings(`BENCH_RELAY_${id}`);
const nc = await connect({ servers: NATS });
const jsm = await jetstreamManager(nc);
try {
  const ceiling = await reference();
  console.log(`reference: ${Math.round(ceiling)} messages/s straight to JetStream`);

  // the backlog, written with no relay
  let app = await startCanon(benchConfig(dbUrl.toString(), TOKEN), { log: createLogger('silent') });
  await gql(
    app.url,
    `mutation { registerSystem(input: { code: "bench-odoo", name: "Odoo", kind: ERP }) { __typename } }`,
    {},
  );
  const recordId = (await gql(app.url, '{ uom(code: "KGM") { ... on Uom { id } } }', {})).uom.id;
  for (let b = 0; b < BACKLOG / 100; b++) await link(app.url, recordId, `backlog-${b}`);
  await app.close();

  // drain: the relay starts with the backlog waiting
  const drainStarted = performance.now();
  app = await startCanon(benchConfig(dbUrl.toString(), TOKEN, { nats: stream }), {
    log: createLogger('silent'),
  });
  for (;;) {
    const s = await app.services.relay.status();
    if (s.state === 'leading' && s.lag === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const backlogTotal = Number((await app.services.relay.status()).headSequence);
  const drainRate = backlogTotal / ((performance.now() - drainStarted) / 1000);
  console.log(`drain: ${backlogTotal} events in ${Math.round(performance.now() - drainStarted)} ms`);

  // load: 1,000 changes/s while a consumer notes receipts
  const latencies: number[] = [];
  const from = backlogTotal;
  const consumer = await jetstream(nc).consumers.get(stream.stream.name, {
    opt_start_seq: (await jsm.streams.info(stream.stream.name)).state.last_seq + 1,
  });
  const messages = await consumer.consume();
  let received = 0;
  const reading = (async () => {
    for await (const m of messages) {
      const body = m.json<{ sequence: string; createdAt: string }>();
      if (BigInt(body.sequence) <= BigInt(from)) continue;
      latencies.push(Date.now() - Date.parse(body.createdAt));
      received++;
    }
  })();
  let maxLag = 0;
  const sampler = setInterval(async () => {
    const s = await app.services.relay.status().catch(() => null);
    if (s) maxLag = Math.max(maxLag, s.lag);
  }, 100);
  const loadStarted = performance.now();
  const calls: Promise<unknown>[] = [];
  for (let tick = 0; tick < SECONDS * 10; tick++) {
    calls.push(link(app.url, recordId, `load-${tick}`));
    const next = loadStarted + (tick + 1) * 100;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all(calls);
  const writeSeconds = (performance.now() - loadStarted) / 1000;
  const sent = SECONDS * 10 * 100;
  const deadline = Date.now() + 30_000;
  while (received < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  clearInterval(sampler);
  messages.stop();
  await reading;
  await app.close();
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  const max = latencies[latencies.length - 1];
  console.log(
    `load: ${received}/${sent} received, p50 ${p50} ms, p99 ${p99} ms, max ${max} ms, max lag ${maxLag} events`,
  );

  writeDocsBlock('bench:event-relay', [
    `Run on ${new Date().toISOString().slice(0, 10)}: Canon in the bench process on the PostgreSQL server, NATS ${NATS} (JetStream, file storage), all on this shared 2-core machine; reference and Canon measured one after the other in this run.`,
    '',
    '| measure | result |',
    '|---|---|',
    `| reference: the same messages published straight to JetStream (windows of 256, ordered), no database | ${Math.round(ceiling).toLocaleString('en')} messages/s |`,
    `| relay drain: ${backlogTotal.toLocaleString('en')} events waiting in the outbox, from Canon's start until lag 0 | ${Math.round(drainRate).toLocaleString('en')} events/s (${Math.round((drainRate / ceiling) * 100)} % of the reference) |`,
    `| write load: linkXrefs of 100 ids, 10 calls/s for ${SECONDS} s | ${Math.round(sent / writeSeconds).toLocaleString('en')} changes/s written, ${received.toLocaleString('en')} of ${sent.toLocaleString('en')} received |`,
    `| commit → consumer receipt under that load: p50 / p99 / max | ${p50} / ${p99} / ${max} ms |`,
    `| largest lag seen (sampled every 100 ms) | ${maxLag} events |`,
  ]);
} finally {
  await jsm.streams.delete(stream.stream.name).catch(() => false);
  await nc.close();
  await admin(SERVER_URL, (c) => c.query(`drop database if exists "${scratch}" with (force)`));
}
