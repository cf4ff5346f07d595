/**
 * `npm run bench:import` (part of `npm run bench`): bulk onboarding on the PostgreSQL server
 * (DATABASE_URL, default postgres://root@127.0.0.1:5432/postgres; scratch databases are created and
 * dropped). N items (BENCH_IMPORT_ROWS, default 100,000) are imported in apply mode from a CSV
 * generated on the fly (validation, rules, revisions, current rows, change events, audit, one xref
 * each), then a second system's ids are linked by key (`xrefs import`: N more xrefs). The reference,
 * measured in the same run on the same server, is PostgreSQL's own COPY of the same rows into the
 * same tables (records, revisions, current rows, 2N xrefs) — the ceiling of any loader. Then reads on
 * the loaded store: a filtered page of `items(first: 100)`, a key lookup, and an export of every
 * item. Results go into docs/benchmarks.md between the bench:import markers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { startCanon } from '../src/app.ts';
import { DEFAULT_RATE_LIMITS } from '../src/http/rate-limit.ts';
import { createLogger } from '../src/logger.ts';
import { canonMapping } from '../src/modules/onboarding/mappings.ts';
import { importXrefs } from '../src/modules/onboarding/xref-import.ts';
import { systemContext } from '../src/startup.ts';
import { writeDocsBlock } from './docs-block.ts';
import { code, copyReference, dropDatabase, measureReads, scratchDatabase } from './import-support.ts';
import { benchConfig } from './pg.ts';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
/** The CSV an onboarding would load, produced as it is read (constant memory for any N). */
function itemsCsv(n: number, prefix = 'BULK'): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i === 0) this.push('externalId,code,name,type,uom,tracking,barcode\n');
      const lines: string[] = [];
      for (let k = 0; k < 2_000 && i < n; k++, i++)
        lines.push(
          `${prefix.toLowerCase()}-${i},${code(i, prefix)},Item ${i},goods,C62,${i % 10 === 0 ? 'lot' : 'none'},\n`,
        );
      this.push(lines.join(''));
      if (i >= n) this.push(null);
    },
  });
}

function xrefsCsv(n: number): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i === 0) this.push('externalId,key\n');
      const lines: string[] = [];
      for (let k = 0; k < 5_000 && i < n; k++, i++) lines.push(`plm-${i},${code(i)}\n`);
      this.push(lines.join(''));
      if (i >= n) this.push(null);
    },
  });
}

async function gqlAs(url: string, bearer: string, query: string): Promise<{ data: any }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data: any };
}

const peakRss = () => {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
};

async function main(): Promise<void> {
  const url = await scratchDatabase('import');
  const token = `bench-admin-${randomBytes(16).toString('hex')}`;
  const app = await startCanon(
    benchConfig(url, token, {
      statementTimeoutMs: 600_000,
      // the reads are measured as a connector's would be: far above the admin role's default rate
      rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } },
    }),
    {
      log: createLogger('silent'),
    },
  );
  const ctx = systemContext('bench');
  const lines: string[] = [];
  try {
    for (const s of [
      ['odoo-bench', 'ERP'],
      ['plm-bench', 'PLM'],
      ['odoo-ref', 'ERP'],
      ['plm-ref', 'PLM'],
    ] as const)
      await app.services.systems.register(ctx, { code: s[0], name: s[0], kind: s[1] });
    const mapping = canonMapping(await app.services.imports.schemaOf('item'));

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    const rss = peakRss();
    const t0 = performance.now();
    const job = await app.services.imports.run(
      ctx,
      {
        domain: 'item',
        mode: 'APPLY',
        system: 'odoo-bench',
        mapping,
        format: 'csv',
        batchSize: 1000,
        skipInvalid: false,
        resume: false,
        source: 'bench.csv',
        fingerprint: randomUUID(),
      },
      itemsCsv(ROWS),
    );
    const importMs = performance.now() - t0;
    const t1 = performance.now();
    const linked = await importXrefs(
      app.services,
      ctx,
      { system: 'plm-bench', domain: 'item', format: 'csv' },
      xrefsCsv(ROWS),
    );
    const xrefMs = performance.now() - t1;
    const peak = rss.stop();
    if (job.rowsCreated !== ROWS || linked.linked !== ROWS)
      throw new Error(`import incomplete: ${JSON.stringify({ job, linked: linked.linked })}`);
    console.log(
      `import: ${ROWS} items in ${(importMs / 1000).toFixed(1)} s, xrefs of a second system in ${(xrefMs / 1000).toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`,
    );

    // propose mode: the same number of new items as change requests for stewards, a bulk per batch
    const t3 = performance.now();
    const proposed = await app.services.imports.run(
      ctx,
      {
        domain: 'item',
        mode: 'PROPOSE',
        system: 'odoo-bench',
        mapping,
        format: 'csv',
        batchSize: 1000,
        skipInvalid: false,
        resume: false,
        source: 'bench-propose.csv',
        fingerprint: randomUUID(),
      },
      itemsCsv(ROWS, 'PROP'),
    );
    const proposeMs = performance.now() - t3;
    if (proposed.rowsProposed !== ROWS) throw new Error(`propose incomplete: ${JSON.stringify(proposed)}`);
    // a steward approves one bulk (1,000 change requests) as a whole
    const steward = await gqlAs(
      app.url,
      token,
      'mutation { createApiToken(input: { role: STEWARD, name: "bench steward" }) { ... on CreateApiTokenPayload { token } } }',
    );
    const [bulk] = (
      await app.services.records.bulkChangeRequestList(ctx, { importJobId: proposed.id }, { limit: 1 })
    ).slice(0, 1);
    const t4 = performance.now();
    const decided = await gqlAs(
      app.url,
      steward.data.createApiToken.token,
      `mutation { approveBulkChange(input: { id: "${bulk.id}" }) { ... on ApproveBulkChangePayload { decidedCount failed { sourceRow } } } }`,
    );
    const approveMs = performance.now() - t4;
    if (decided.data.approveBulkChange.decidedCount !== bulk.rowCount)
      throw new Error(`bulk approval incomplete: ${JSON.stringify(decided)}`);
    console.log(
      `propose: ${ROWS} items as change requests in ${(proposeMs / 1000).toFixed(1)} s; one bulk of ${bulk.rowCount} approved in ${(approveMs / 1000).toFixed(1)} s`,
    );

    // the reference: COPY of the same rows, on a fresh migrated database of the same server
    const refUrl = await scratchDatabase('copy');
    const ref = await startCanon(benchConfig(refUrl, token), { log: createLogger('silent') });
    await ref.close();
    let copyMs: number;
    try {
      copyMs = await copyReference(refUrl, ROWS);
    } finally {
      await dropDatabase(refUrl);
    }
    console.log(
      `COPY reference: ${ROWS} records (+ revisions, current rows, ${2 * ROWS} xrefs) in ${(copyMs / 1000).toFixed(1)} s`,
    );

    // reads on the loaded store
    const { page, lookup, exportMs } = await measureReads(app, token, url);

    const importRate = ROWS / (importMs / 1000);
    const copyRate = ROWS / (copyMs / 1000);
    const withXrefs = ROWS / ((importMs + xrefMs) / 1000);
    const proposeRate = ROWS / (proposeMs / 1000);
    lines.push(
      `Measured ${new Date().toISOString().slice(0, 10)} on this machine (PostgreSQL server, Canon's services in-process, batches of 1,000). Reference in the same run: PostgreSQL's COPY of the same ${ROWS.toLocaleString('en-US')} records with their revisions, current rows and ${(2 * ROWS).toLocaleString('en-US')} xrefs, ${(copyMs / 1000).toFixed(1)} s (${copyRate.toFixed(0)} records/s).`,
      '',
      '| measure | result | ratio to COPY | goal |',
      '| --- | --- | --- | --- |',
      `| import, apply mode (validation, rules, revisions, audit, events, 1 xref each) | ${importRate.toFixed(0)} rows/s | ${(importRate / copyRate).toFixed(3)} | ≥ 0.5 |`,
      `| … and a second system's ids linked by key (${(2 * ROWS).toLocaleString('en-US')} xrefs in all) | ${withXrefs.toFixed(0)} rows/s | ${(withXrefs / copyRate).toFixed(3)} | ≥ 0.5 |`,
      `| import, propose mode (the same checks; a change request per row, a bulk per batch, 1 xref kept each) | ${proposeRate.toFixed(0)} rows/s | ${(proposeRate / copyRate).toFixed(3)} | ≥ 0.25 |`,
      `| approving one bulk of ${bulk.rowCount.toLocaleString('en-US')} proposals as a whole (\`approveBulkChange\`, set-based, 500 per transaction) | ${(approveMs / 1000).toFixed(1)} s (${(bulk.rowCount / (approveMs / 1000)).toFixed(0)} proposals/s) | | |`,
      `| peak RSS of the process during the import (Canon's whole process; before it: ${(baseline / 2 ** 20).toFixed(0)} MB) | ${(peak / 2 ** 20).toFixed(0)} MB | | ≤ 300 MB |`,
      `| \`items(first: 100)\` with a key prefix and a payload filter, on ${ROWS.toLocaleString('en-US')} items (8 connections) | ${page.rps.toFixed(0)} req/s, p99 ${page.p99} ms | | ≥ 1,000 req/s, p99 ≤ 50 ms |`,
      `| \`item(code:)\` key lookup (8 connections) | ${lookup.rps.toFixed(0)} req/s, p99 ${lookup.p99} ms | | ≥ 3,000 req/s |`,
      `| export of every item (NDJSON, one snapshot) | ${(exportMs / 1000).toFixed(1)} s | | ≤ 10 s for 1,000,000 |`,
    );
  } finally {
    await app.close();
    await dropDatabase(url);
  }
  // the default size and a run at another size (say 1,000,000) keep a block each
  writeDocsBlock(ROWS === 100_000 ? 'bench:import' : `bench:import-${ROWS}`, lines);
  console.log(lines.join('\n'));
}

await main();
