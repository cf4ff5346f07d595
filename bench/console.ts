/**
 * `npm run bench` (third part): the steward console in Debian's Chromium against Canon on the
 * PostgreSQL server (DATABASE_URL, default postgres://root@127.0.0.1:5432/postgres; scratch
 * databases are created and dropped). Two databases in the same run: a large one — 100,000 items and
 * 10,000 pending change requests — and a small reference (100 items, 10 proposals), so the figures
 * say what the data volume costs on this shared, noisy machine rather than what the machine costs.
 * Measured: time from navigation to the first page of the inbox and of the records list on screen
 * (the console already loaded and signed in, as a steward moving between screens), the same after a
 * full reload, and the GraphQL query behind each screen alone. The first-load size comes from the
 * console build. Results are written into docs/benchmarks.md between the bench:console markers.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startCanon } from '../src/app.ts';
import { CONSOLE_DIST } from '../src/http/console-assets.ts';
import { createLogger } from '../src/logger.ts';
import { ensureConsoleBuilt, launchBrowser, newSession, signIn } from '../test/support/browser.ts';
import { admin, benchConfig } from './pg.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DOCS = resolve(ROOT, 'docs/benchmarks.md');
const SERVER_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 7);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs: number[]) => Math.max(...xs);

/** Items and pending proposals by SQL, shaped as the API writes them (revision 1, contract item@1.0.0). */
async function seed(url: string, items: number, proposals: number): Promise<void> {
  await admin(url, async (c) => {
    const cv = (
      await c.query(
        `select v.id from contract_version v join contract k on k.id = v.contract_id where k.name = 'item' and v.version = '1.0.0'`,
      )
    ).rows[0].id;
    await c.query(
      `create temporary table n as select i, gen_random_uuid() as id from generate_series(1, $1::int) i`,
      [items],
    );
    await c.query(`insert into golden_record (id, domain, key, site, key_scope, status, latest_revision, created_at, updated_at)
      select id, 'item', 'ITEM-' || lpad(i::text, 7, '0'), null, '', 'ACTIVE', 1, now(), now() from n`);
    await c.query(
      `insert into record_revision (id, record_id, revision, data, status, operation, contract_version, contract_version_id, effective_from, created_by_name, created_at)
      select gen_random_uuid(), id, 1,
        jsonb_build_object('code', 'ITEM-' || lpad(i::text, 7, '0'), 'name', 'Item ' || i, 'type', 'goods', 'uom', 'KGM', 'tracking', 'none'),
        'ACTIVE', 'CREATE', 'item@1.0.0', $1, now() - interval '1 day', 'bench', now() from n`,
      [cv],
    );
    await c.query(
      `insert into change_request (id, domain, operation, mode, input, proposed, diff, status, proposed_by_name, required_approvals, approvals, effective_from, contract_version, warnings, created_at, updated_at)
      select gen_random_uuid(), 'item', 'CREATE', 'FULL', d, d,
        (select jsonb_agg(jsonb_build_object('path', '/' || k, 'op', 'add', 'before', null, 'after', v)) from jsonb_each(d) e(k, v)),
        'PENDING', 'bench proposer', 1, '[]', now(), 'item@1.0.0', '[]', now() - (i || ' seconds')::interval, now()
      from (select i, jsonb_build_object('code', 'NEW-' || lpad(i::text, 6, '0'), 'name', 'New item ' || i, 'type', 'goods', 'uom', 'KGM', 'tracking', 'none') d
              from generate_series(1, $1::int) i) p`,
      [proposals],
    );
    await c.query('vacuum analyze golden_record');
    await c.query('vacuum analyze record_revision');
    await c.query('vacuum analyze change_request');
  });
}

interface Measured {
  inboxNavigate: number[];
  inboxReload: number[];
  recordsNavigate: number[];
  recordsReload: number[];
  inboxQuery: number[];
  recordsQuery: number[];
  recordCountQuery: number[];
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/** In-app navigation (the console loaded, as a steward moves between screens). */
async function navigate(page: Page, path: string, row: string): Promise<number> {
  await page.evaluate(() => window.history.pushState({}, '', '/console/tokens'));
  await page.evaluate(() => window.dispatchEvent(new PopStateEvent('popstate')));
  await page.getByTestId('tokens-table').waitFor();
  return timed(async () => {
    await page.evaluate((p) => {
      window.history.pushState({}, '', p);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }, path);
    await page.getByTestId(row).first().waitFor();
  });
}

async function measure(label: string, items: number, proposals: number): Promise<Measured> {
  const scratch = `canon_bench_console_${randomBytes(4).toString('hex')}`;
  await admin(SERVER_URL, (c) => c.query(`create database "${scratch}"`));
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${scratch}`;
  const adminToken = `bench-admin-${randomBytes(16).toString('hex')}`;
  const app = await startCanon(benchConfig(dbUrl.toString(), adminToken), { log: createLogger('silent') });
  const browser = await launchBrowser();
  try {
    const s0 = performance.now();
    await seed(dbUrl.toString(), items, proposals);
    console.log(
      `${label}: ${items} items and ${proposals} proposals loaded in ${((performance.now() - s0) / 1000).toFixed(1)} s`,
    );
    const gql = async (token: string, query: string) => {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const created = await gql(
      adminToken,
      'mutation { createApiToken(input: { role: STEWARD, actorName: "bench steward" }) { ... on CreateApiTokenPayload { token } } }',
    );
    const steward = created.createApiToken.token as string;
    const { page } = await newSession(browser, app.url);
    await signIn(page, steward);
    const m: Measured = {
      inboxNavigate: [],
      inboxReload: [],
      recordsNavigate: [],
      recordsReload: [],
      inboxQuery: [],
      recordsQuery: [],
      recordCountQuery: [],
    };
    // the queries the two screens send, alone (server and network only)
    const inbox =
      '{ changeRequests(status: PENDING, first: 25, orderBy: NEWEST_FIRST) { totalCount edges { node { id domain operation createdAt proposedByName proposed approvals { actorName } requiredApprovals record { key } } } } changeRequestCounts(status: PENDING) { domain count } }';
    const records =
      '{ records(domain: "item", first: 50) { pageInfo { hasNextPage endCursor } edges { node { id key site status revision updatedAt data } } } }';
    const recordCount = '{ records(domain: "item", first: 1) { totalCount } }';
    for (let i = 0; i < RUNS; i++) {
      m.inboxQuery.push(await timed(() => gql(steward, inbox)));
      m.recordsQuery.push(await timed(() => gql(steward, records)));
      m.recordCountQuery.push(await timed(() => gql(steward, recordCount)));
      m.inboxNavigate.push(await navigate(page, '/console/inbox', 'inbox-row'));
      m.recordsNavigate.push(await navigate(page, '/console/records/item', 'record-row'));
      m.inboxReload.push(
        await timed(async () => {
          await page.goto('/console/inbox');
          await page.getByTestId('inbox-row').first().waitFor();
        }),
      );
      m.recordsReload.push(
        await timed(async () => {
          await page.goto('/console/records/item');
          await page.getByTestId('record-row').first().waitFor();
        }),
      );
    }
    return m;
  } finally {
    await browser.close();
    await app.close();
    await admin(SERVER_URL, (c) => c.query(`drop database if exists "${scratch}" with (force)`));
  }
}

ensureConsoleBuilt();
const report = JSON.parse(readFileSync(resolve(CONSOLE_DIST, 'build-report.json'), 'utf8')) as {
  firstLoadJsGzipKb: number;
  firstLoadCssGzipKb: number;
  budgetKb: number;
};
const small = await measure('reference', 100, 10);
const large = await measure('large', 100_000, 10_000);

const ms = (xs: number[]) => `${Math.round(median(xs))} (max ${Math.round(max(xs))})`;
const row = (name: string, pick: (m: Measured) => number[]) =>
  `| ${name} | ${ms(pick(small))} | ${ms(pick(large))} |`;
const block = [
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (PostgreSQL server, Canon in production mode, Debian Chromium headless; ${RUNS} runs each, median and worst in ms):`,
  '',
  '| What | reference: 100 items, 10 pending | 100,000 items, 10,000 pending |',
  '| --- | --- | --- |',
  row('Inbox: first page on screen, navigating from another screen', (m) => m.inboxNavigate),
  row('Inbox: first page on screen after a full reload', (m) => m.inboxReload),
  row('Inbox: its GraphQL query alone', (m) => m.inboxQuery),
  row('Records (item): first page on screen, navigating', (m) => m.recordsNavigate),
  row('Records (item): first page on screen after a full reload', (m) => m.recordsReload),
  row('Records (item): its GraphQL query alone', (m) => m.recordsQuery),
  row(
    'Records (item): the count it shows (a query of its own, not holding up the page)',
    (m) => m.recordCountQuery,
  ),
  '',
  `First load of the console: ${report.firstLoadJsGzipKb} KB JavaScript + ${report.firstLoadCssGzipKb} KB CSS, gzipped (budget ${report.budgetKb} KB JavaScript, checked by \`npm run console:build\`).`,
].join('\n');
console.log(block);
const docs = readFileSync(DOCS, 'utf8');
const start = '<!-- bench:console:start -->';
const end = '<!-- bench:console:end -->';
const next = docs.includes(start)
  ? docs.replace(new RegExp(`${start}[\\s\\S]*?${end}`), `${start}\n${block}\n${end}`)
  : `${docs.trimEnd()}\n\n## Steward console\n\n${start}\n${block}\n${end}\n`;
writeFileSync(DOCS, next);
