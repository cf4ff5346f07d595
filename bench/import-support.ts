/**
 * What the import benchmarks share: scratch databases on the PostgreSQL server, the item codes, the
 * COPY reference (the same rows straight into the same tables), and the reads measured on a loaded
 * store (a filtered page and a key lookup over HTTP with autocannon, an export of every item).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import autocannon from 'autocannon';
import { from as copyFrom } from 'pg-copy-streams';
import type { CanonApp } from '../src/app.ts';
import { systemContext } from '../src/startup.ts';
import { admin } from './pg.ts';

export const SERVER_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';

export const code = (i: number, prefix = 'BULK') => `${prefix}-${String(i).padStart(7, '0')}`;

export async function scratchDatabase(tag: string): Promise<string> {
  const name = `canon_bench_${tag}_${randomBytes(4).toString('hex')}`;
  await admin(SERVER_URL, (c) => c.query(`create database "${name}"`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export const dropDatabase = (url: string) =>
  admin(SERVER_URL, (c) =>
    c.query(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`),
  );

/** COPY of the rows the import writes, into a migrated Canon database: the loader's ceiling. */
export async function copyReference(url: string, n: number): Promise<number> {
  return admin(url, async (c) => {
    const cv = (
      await c.query(
        `select v.id from contract_version v join contract k on k.id = v.contract_id where k.name = 'item' order by v.published_at desc limit 1`,
      )
    ).rows[0].id;
    const ids = Array.from({ length: n }, () => randomUUID());
    const now = new Date().toISOString();
    const data = (i: number) =>
      JSON.stringify({
        code: code(i),
        name: `Item ${i}`,
        type: 'goods',
        uom: 'C62',
        tracking: i % 10 === 0 ? 'lot' : 'none',
      }).replace(/\\/g, '\\\\');
    const copy = async (sql: string, line: (i: number) => string) => {
      let i = 0;
      const source = new Readable({
        read() {
          const lines: string[] = [];
          for (let k = 0; k < 2_000 && i < n; k++, i++) lines.push(line(i));
          this.push(lines.join(''));
          if (i >= n) this.push(null);
        },
      });
      await pipeline(source, c.query(copyFrom(sql)));
    };
    const t0 = performance.now();
    await c.query('begin');
    await copy(
      'copy golden_record (id, domain, key, site, key_scope, status, latest_revision, created_at, updated_at, lock_version) from stdin',
      (i) => `${ids[i]}\titem\t${code(i)}\t\\N\t\tACTIVE\t1\t${now}\t${now}\t1\n`,
    );
    await copy(
      'copy record_revision (id, record_id, revision, data, status, operation, contract_version, contract_version_id, effective_from, created_at) from stdin',
      (i) => `${randomUUID()}\t${ids[i]}\t1\t${data(i)}\tACTIVE\tCREATE\titem@1.1.0\t${cv}\t${now}\t${now}\n`,
    );
    await copy(
      'copy record_current (record_id, domain, key, key_scope, site, revision, data, status, effective_from, contract_version) from stdin',
      (i) => `${ids[i]}\titem\t${code(i)}\t\t\\N\t1\t${data(i)}\tACTIVE\t${now}\titem@1.1.0\n`,
    );
    for (const system of ['odoo-ref', 'plm-ref'])
      await copy(
        `copy xref (system_code, domain, external_id, record_id, record_key, state, synced_at, created_at, updated_at) from stdin`,
        (i) => `${system}\titem\t${system}-${i}\t${ids[i]}\t${code(i)}\tACTIVE\t${now}\t${now}\t${now}\n`,
      );
    await c.query('commit');
    return performance.now() - t0;
  });
}

/** Reads on a loaded store of items coded BULK-nnnnnnn: a filtered page, a key lookup, an export. */
export async function measureReads(app: CanonApp, token: string, url: string) {
  const ctx = systemContext('bench');
  await admin(url, (c) => c.query('analyze'));
  const gqlBody = (query: string) => JSON.stringify({ query });
  const load = async (query: string) => {
    const r = await autocannon({
      url: `${app.url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: gqlBody(query),
      connections: 8,
      duration: 10,
    });
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${query}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { rps: r.requests.average, p99: r.latency.p99 };
  };
  const page = await load(
    '{ items(first: 100, filter: { keyPrefix: "BULK-00042", dataContains: { tracking: "none" } }) { edges { node { code name } } } }',
  );
  const lookup = await load('{ item(code: "BULK-0031337") { ... on Item { code name revision } } }');
  const t2 = performance.now();
  let bytes = 0;
  const exported = await app.services.exports.export(
    ctx,
    { domain: 'item', format: 'ndjson' },
    {
      write: async (text) => {
        bytes += text.length;
      },
    },
  );
  const exportMs = performance.now() - t2;
  console.log(
    `reads: page ${page.rps.toFixed(0)} req/s p99 ${page.p99} ms; key lookup ${lookup.rps.toFixed(0)} req/s p99 ${lookup.p99} ms; export ${exported} items (${(bytes / 2 ** 20).toFixed(0)} MB) in ${(exportMs / 1000).toFixed(1)} s`,
  );

  return { page, lookup, exportMs, exported, bytes };
}
