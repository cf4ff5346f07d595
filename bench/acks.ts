/**
 * `npm run bench:acks` (part of `npm run bench`): acknowledgement ingest against the connectors'
 * resolve path, in the same run, on the PostgreSQL server (DATABASE_URL, default
 * postgres://root@127.0.0.1:5432/postgres; a scratch database is created and dropped). 40,000 items
 * (BENCH_ACK_ITEMS) are imported for Odoo (their Odoo ids linked) while the MES subscribes to the
 * domain, so every item is a change the MES is expected to acknowledge. Then, over HTTP with real
 * connector tokens and two clients at once: `acknowledgeChanges` in batches of 1,000 (APPLIED, every
 * tenth REFUSED — each refusal files an exception), against `resolveXrefs` of 1,000 Odoo ids per
 * call. The ratio of the two is the figure to watch: this machine is shared and noisy, the reference
 * measured in the same run absorbs it. Results go into docs/benchmarks.md between the bench:acks
 * markers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { startCanon } from '../src/app.ts';
import { DEFAULT_RATE_LIMITS } from '../src/http/rate-limit.ts';
import { createLogger } from '../src/logger.ts';
import { canonMapping } from '../src/modules/onboarding/mappings.ts';
import { systemContext } from '../src/startup.ts';
import { writeDocsBlock } from './docs-block.ts';
import { admin, benchConfig } from './pg.ts';

const SERVER_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';
const ITEMS = Number(process.env.BENCH_ACK_ITEMS ?? 40_000);
const BATCH = 1000;
const CLIENTS = 2;

function itemsCsv(n: number): Readable {
  const lines = ['externalId,code,name,type,uom,tracking'];
  for (let i = 0; i < n; i++) lines.push(`odoo-${i},ACK-${i},Bench part ${i},goods,KGM,none`);
  return Readable.from([Buffer.from(`${lines.join('\n')}\n`)]);
}

async function main(): Promise<void> {
  const scratch = `canon_bench_acks_${randomBytes(4).toString('hex')}`;
  await admin(SERVER_URL, (c) => c.query(`create database "${scratch}"`));
  const url = SERVER_URL.replace(/\/[^/]*$/, `/${scratch}`);
  const adminToken = `bench-admin-${randomBytes(16).toString('hex')}`;
  const app = await startCanon(
    benchConfig(url, adminToken, {
      rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } },
    }),
    { log: createLogger('silent') },
  );
  const gql = async (query: string, variables: Record<string, unknown>, token = adminToken) => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  try {
    const ctx = systemContext('bench-acks');
    for (const [code, kind] of [
      ['odoo', 'ERP'],
      ['mes', 'MES'],
    ] as const)
      await app.services.systems.register(ctx, { code, name: code, kind });
    await app.services.propagation.subscriptions.set(ctx, { system: 'mes', domain: 'item' });
    const token = async (system: string) =>
      (
        await gql(
          'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { ... on CreateApiTokenPayload { token } } }',
          { i: { role: 'CONNECTOR', systemCode: system, name: `${system}-bench` } },
        )
      ).createApiToken.token as string;
    const [odooToken, mesToken] = [await token('odoo'), await token('mes')];
    const t0 = performance.now();
    await app.services.imports.run(
      ctx,
      {
        domain: 'item',
        mode: 'APPLY',
        system: 'odoo',
        mapping: canonMapping(await app.services.imports.schemaOf('item')),
        format: 'csv',
        batchSize: 1000,
        skipInvalid: false,
        resume: false,
        source: 'bench-acks.csv',
        fingerprint: randomUUID(),
      },
      itemsCsv(ITEMS),
    );
    console.log(
      `${ITEMS} items imported (the MES subscribed) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // the items' change events (an import's batches also announce their links and progress)
    const sequences = (
      await app.services.orm.em
        .fork()
        .getConnection()
        .execute<{ s: string }[]>(
          "select sequence::text as s from outbox_event where type = 'RECORD_CHANGED' and domain = 'item' order by sequence",
        )
    ).map((r) => r.s);
    await app.services.orm.em.fork().getConnection().execute('analyze');
    const batches = Math.floor(ITEMS / BATCH);

    /** Runs `calls` requests on CLIENTS clients at once; answers the wall time in ms. */
    const run = async (calls: number, call: (i: number) => Promise<void>) => {
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let i = next++; i < calls; i = next++) await call(i);
        }),
      );
      return performance.now() - start;
    };
    // warm up both paths (plans, caches, JIT) on a slice the measurements do not reuse
    const warm = Math.min(2, batches - 1);
    const resolveCall = async (i: number) => {
      const ids = Array.from({ length: BATCH }, (_, j) => `odoo-${(i * BATCH + j) % ITEMS}`);
      const data = await gql(
        'query($ids: [String!]!) { resolveXrefs(system: "odoo", domain: "item", externalIds: $ids) { ... on ResolveXrefsPayload { resolutions { recordId } } } }',
        { ids },
        odooToken,
      );
      if (data.resolveXrefs.resolutions.length !== BATCH) throw new Error('short resolve');
    };
    const ackCall = async (i: number) => {
      const changes = Array.from({ length: BATCH }, (_, j) => {
        const sequence = sequences[i * BATCH + j];
        return j % 10 === 9
          ? { sequence, status: 'REFUSED', code: 'BENCH_REFUSAL', message: 'refused by the bench' }
          : { sequence, status: 'APPLIED' };
      });
      const data = await gql(
        'mutation($i: AcknowledgeChangesInput!) { acknowledgeChanges(input: $i) { ... on AcknowledgeChangesPayload { recorded rejected } ... on Error { code message } } }',
        { i: { changes } },
        mesToken,
      );
      const r = data.acknowledgeChanges;
      if (r.recorded !== BATCH) throw new Error(`batch ${i}: ${JSON.stringify(r)}`);
    };
    for (let i = 0; i < warm; i++) {
      await resolveCall(batches - 1 - i);
      await ackCall(batches - 1 - i);
    }
    const measured = batches - warm;
    const resolveMs = await run(measured, resolveCall);
    const ackMs = await run(measured, ackCall);
    const resolveRate = (measured * BATCH) / (resolveMs / 1000);
    const ackRate = (measured * BATCH) / (ackMs / 1000);
    const status = await gql(
      '{ system(code: "mes") { syncStatus { acknowledgedSequence behindRecords failedRecords lagSequences } } }',
      {},
    );
    const exceptions = await gql('{ exceptions(system: "mes") { totalCount } }', {});
    const lines = [
      `Measured ${new Date().toISOString().slice(0, 10)} on this machine (2 cores, shared), PostgreSQL server, Canon in production mode, ${CLIENTS} clients at once over loopback HTTP with connector tokens, ${measured} calls of ${BATCH} each way after a warm-up:`,
      '',
      '| Path | Throughput | Per call (mean) |',
      '| --- | --- | --- |',
      `| \`acknowledgeChanges\`, ${BATCH} per call (10 % REFUSED: each files an exception) | **${Math.round(ackRate).toLocaleString('en')} acks/s** | ${((ackMs / measured) * CLIENTS).toFixed(1)} ms |`,
      `| \`resolveXrefs\`, ${BATCH} ids per call (reference, same run) | ${Math.round(resolveRate).toLocaleString('en')} ids/s | ${((resolveMs / measured) * CLIENTS).toFixed(1)} ms |`,
      `| ratio acknowledgements / resolve | **${(ackRate / resolveRate).toFixed(2)}** | |`,
      '',
      `After the run the MES shows ${status.system.syncStatus.failedRecords} failed and ${status.system.syncStatus.behindRecords} behind records and ${exceptions.exceptions.totalCount} exceptions (one per refused record); the acknowledgements write per batch one statement each for the acknowledgements, the pending changes they settle, the records' state, the cursor and the exceptions filed.`,
    ];
    console.log(lines.join('\n'));
    writeDocsBlock('bench:acks', lines);
  } finally {
    await app.close();
    await admin(SERVER_URL, (c) => c.query(`drop database if exists "${scratch}" with (force)`));
  }
}

await main();
