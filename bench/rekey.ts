/**
 * `npm run bench:rekey` (part of `npm run bench`): what a rekey costs as the number of records that
 * follow it grows. Canon in production mode on the PostgreSQL server (DATABASE_URL, default
 * postgres://root@127.0.0.1:5432/postgres; a scratch database is created and dropped). A unit is
 * used by N items (loaded by SQL, with their references and one xref each); renaming the unit writes
 * a revision of every item in the same transaction. The reference measured in the same run is the
 * cost of one ordinary item update through the API, so the figures say "a rekey with N followers
 * costs about as much as k updates" on this shared, noisy machine. Results go into
 * docs/benchmarks.md between the bench:rekey markers.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startCanon } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { admin, benchConfig } from './pg.ts';

const DOCS = resolve(import.meta.dirname, '../docs/benchmarks.md');
const SERVER_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';
const SIZES = (process.env.BENCH_REKEY_SIZES ?? '10,100,1000').split(',').map(Number);
const UPDATES = 30;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** N items using the unit `unit`, shaped as the API writes them, with references and xrefs. */
async function seedItems(
  url: string,
  unit: { id: string; code: string },
  n: number,
  tag: string,
): Promise<void> {
  await admin(url, async (c) => {
    const cv = (
      await c.query(
        `select v.id from contract_version v join contract k on k.id = v.contract_id where k.name = 'item' and v.version = '1.1.0'`,
      )
    ).rows[0].id;
    await c.query(
      `create temporary table n as select i, gen_random_uuid() as id, $1 || '-' || lpad(i::text, 6, '0') as code from generate_series(1, $2::int) i`,
      [tag, n],
    );
    await c.query(`insert into golden_record (id, domain, key, site, key_scope, status, latest_revision, created_at, updated_at)
      select id, 'item', code, null, '', 'ACTIVE', 1, now(), now() from n`);
    await c.query(
      `insert into record_revision (id, record_id, revision, data, status, operation, contract_version, contract_version_id, effective_from, created_by_name, created_at)
      select gen_random_uuid(), id, 1,
        jsonb_build_object('code', code, 'name', 'Item ' || i, 'type', 'goods', 'uom', $2::text, 'tracking', 'none'),
        'ACTIVE', 'CREATE', 'item@1.1.0', $1, now() - interval '1 day', 'bench', now() from n`,
      [cv, unit.code],
    );
    await c.query(
      `insert into record_reference (from_record, field, to_record) select id, '/uom', $1 from n`,
      [unit.id],
    );
    await c.query(
      `insert into xref (system_code, domain, external_id, external_key, record_id, record_key, state, synced_at, created_at, updated_at)
      select 'odoo-bench', 'item', $1 || i, null, id, code, 'ACTIVE', now(), now(), now() from n`,
      [tag],
    );
    await c.query('analyze');
  });
}

async function main(): Promise<void> {
  const scratch = `canon_bench_rekey_${randomBytes(4).toString('hex')}`;
  await admin(SERVER_URL, (c) => c.query(`create database "${scratch}"`));
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${scratch}`;
  const token = `bench-admin-${randomBytes(16).toString('hex')}`;
  const app = await startCanon(benchConfig(dbUrl.toString(), token, { statementTimeoutMs: 600_000 }), {
    log: createLogger('silent'),
  });
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const propose = async (input: Record<string, unknown>) => {
    const r = await gql(
      'mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { ... on ProposeChangePayload { changeRequest { status recordId } } ... on Error { code message } } }',
      { i: input },
    );
    const cr = r.proposeChange.changeRequest;
    if (cr?.status !== 'APPLIED') throw new Error(JSON.stringify(r.proposeChange));
    return cr.recordId as string;
  };
  const timed = async (run: () => Promise<unknown>) => {
    const t0 = performance.now();
    await run();
    return performance.now() - t0;
  };
  try {
    for (const domain of ['uom', 'item'])
      await gql(
        `mutation { setApprovalPolicy(input: { domain: "${domain}", requiredApprovals: 0 }) { __typename } }`,
      );
    await gql(
      'mutation { registerSystem(input: { code: "odoo-bench", name: "Odoo", kind: ERP }) { __typename } }',
    );

    // the reference: one ordinary update of an item, through the API
    const unit0 = await propose({
      domain: 'uom',
      data: { code: 'BXR', name: 'Box', dimension: 'count', ratio: '10', rounding: '1' },
    });
    await seedItems(dbUrl.toString(), { id: unit0, code: 'BXR' }, 1, 'REF');
    const refItem = (await gql('{ item(code: "REF-000001") { ... on Item { id } } }')).item.id as string;
    const updates: number[] = [];
    for (let i = 0; i < UPDATES; i++)
      updates.push(
        await timed(() => propose({ domain: 'item', recordId: refItem, patch: { name: `Reference ${i}` } })),
      );
    const update = median(updates);
    console.log(`reference: one item update ${update.toFixed(1)} ms (median of ${UPDATES})`);

    const rows: string[] = [];
    for (const [i, n] of SIZES.entries()) {
      const code = `U${i}A`;
      const unit = await propose({
        domain: 'uom',
        data: { code, name: `Unit ${i}`, dimension: 'count', ratio: String(i + 2), rounding: '1' },
      });
      await seedItems(dbUrl.toString(), { id: unit, code }, n, `RK${i}`);
      const ms = await timed(() => propose({ domain: 'uom', recordId: unit, patch: { code: `U${i}B` } }));
      const followed = (await gql(`{ items(filter: { dataContains: { uom: "U${i}B" } }) { totalCount } }`))
        .items.totalCount;
      if (followed !== n) throw new Error(`expected ${n} items to follow the rekey, got ${followed}`);
      console.log(`rekey with ${n} followers: ${ms.toFixed(0)} ms`);
      rows.push(
        `| ${n.toLocaleString('en')} | ${Math.round(ms).toLocaleString('en')} | ${(ms / n).toFixed(1)} | ${(ms / n / update).toFixed(2)} |`,
      );
    }
    const block = [
      `Measured ${new Date().toISOString().slice(0, 10)} on this machine (PostgreSQL server, Canon in production mode). Reference in the same run: one item update through the API, ${update.toFixed(1)} ms (median of ${UPDATES}).`,
      '',
      '| items following the renamed unit | rekey (ms, one transaction) | per follower (ms) | per follower ÷ one update |',
      '| --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    const doc = readFileSync(DOCS, 'utf8');
    writeFileSync(
      DOCS,
      doc.replace(
        /<!-- bench:rekey:start -->[\s\S]*<!-- bench:rekey:end -->/,
        `<!-- bench:rekey:start -->\n${block}\n<!-- bench:rekey:end -->`,
      ),
    );
  } finally {
    await app.close();
    await admin(SERVER_URL, (c) => c.query(`drop database if exists "${scratch}" with (force)`));
  }
}

await main();
