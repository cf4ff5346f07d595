/**
 * `npm run bench:import-reads` (not part of `npm run bench`: it loads 1,000,000 items): the reads of
 * the import bench on a large store — BENCH_READS_ROWS items (default 1,000,000) loaded with
 * PostgreSQL's COPY into a migrated scratch database (records, revisions, current rows, two systems'
 * xrefs, as an import leaves them), then a filtered `items(first: 100)` page and an `item(code:)`
 * lookup over HTTP (autocannon, 8 connections, 10 s each) and an export of every item. The import
 * itself at this size is `BENCH_IMPORT_ROWS=1000000 npm run bench:import`. Results go into
 * docs/benchmarks.md between the bench:import-reads markers.
 */
import { randomBytes } from 'node:crypto';
import { startCanon } from '../src/app.ts';
import { DEFAULT_RATE_LIMITS } from '../src/http/rate-limit.ts';
import { createLogger } from '../src/logger.ts';
import { writeDocsBlock } from './docs-block.ts';
import { copyReference, dropDatabase, measureReads, scratchDatabase } from './import-support.ts';
import { admin, benchConfig } from './pg.ts';

const ROWS = Number(process.env.BENCH_READS_ROWS ?? 1_000_000);

async function main(): Promise<void> {
  const url = await scratchDatabase('reads');
  const token = `bench-admin-${randomBytes(16).toString('hex')}`;
  const lines: string[] = [];
  try {
    // migrate, then load the rows with COPY while Canon is down
    await (await startCanon(benchConfig(url, token), { log: createLogger('silent') })).close();
    const copyMs = await copyReference(url, ROWS);
    await admin(url, (c) => c.query('vacuum analyze'));
    console.log(`loaded ${ROWS} items with COPY in ${(copyMs / 1000).toFixed(1)} s`);
    const app = await startCanon(
      benchConfig(url, token, {
        rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } },
      }),
      { log: createLogger('silent') },
    );
    try {
      const { page, lookup, exportMs, exported, bytes } = await measureReads(app, token, url);
      lines.push(
        `Measured ${new Date().toISOString().slice(0, 10)} on this machine (PostgreSQL server, Canon in-process, autocannon in the same process, 8 connections, 10 s each) on ${ROWS.toLocaleString('en-US')} items loaded with COPY.`,
        '',
        '| measure | result | goal |',
        '| --- | --- | --- |',
        `| \`items(first: 100)\` with a key prefix and a payload filter | ${page.rps.toFixed(0)} req/s, p99 ${page.p99} ms | ≥ 1,000 req/s, p99 ≤ 50 ms |`,
        `| \`item(code:)\` key lookup | ${lookup.rps.toFixed(0)} req/s, p99 ${lookup.p99} ms | ≥ 3,000 req/s |`,
        `| export of every item (NDJSON, one snapshot; ${exported.toLocaleString('en-US')} records, ${(bytes / 2 ** 20).toFixed(0)} MB) | ${(exportMs / 1000).toFixed(1)} s | ≤ 10 s |`,
      );
    } finally {
      await app.close();
    }
  } finally {
    await dropDatabase(url);
  }
  writeDocsBlock('bench:import-reads', lines);
  console.log(lines.join('\n'));
}

await main();
