/**
 * `npm run bench:match` (part of `npm run bench`): duplicate detection over a whole domain. 100,000
 * items (BENCH_MATCH_ITEMS) with 2 % planted duplicates are loaded by SQL into a scratch database on
 * the PostgreSQL server, then into the embedded PGlite (BENCH_MATCH_PGLITE=0 skips it); Canon in
 * production mode runs `startMatchJob` with the default item rules, then once more with the numbers
 * check of the name rule off (what it buys). Parts come in series: 40 % are another size of the part
 * before them, so different parts have names that differ in a number only. A planted duplicate is the
 * same part entered again under another code: its name retyped (case, word order, a dropped or
 * doubled word, one letter mistyped, punctuation — never a digit), the same unit, category and type,
 * and for half of the parts that have a barcode, the barcode too. Reported: time, pairs compared,
 * precision and recall of the suggested pairs against the planted ones, and as the reference of the
 * same run the time of one full read of the domain's payloads. Results go into docs/benchmarks.md
 * between the bench:match markers.
 */
import { randomBytes } from 'node:crypto';
import type { CanonApp } from '../src/app.ts';
import { startCanon } from '../src/app.ts';
import { toPgArray } from '../src/db/pg-array.ts';
import { createLogger } from '../src/logger.ts';
import { systemContext } from '../src/startup.ts';
import { writeDocsBlock } from './docs-block.ts';
import { admin, benchConfig } from './pg.ts';

const SERVER_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';
const ITEMS = Number(process.env.BENCH_MATCH_ITEMS ?? 100_000);
const SHARE = 0.02;

/** A small deterministic generator (mulberry32): the same data every run. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILIES = [
  'Hex bolt',
  'Socket cap screw',
  'Flat washer',
  'Hex nut',
  'Ball bearing',
  'O-ring',
  'Gasket',
  'Pipe elbow',
  'Power cable',
  'Gear motor',
  'Centrifugal pump',
  'Ball valve',
  'Proximity sensor',
  'Mounting bracket',
  'Steel plate',
  'Round bar',
  'Square tube',
  'Spring pin',
  'Threaded rod',
  'Hose clamp',
  'Cable gland',
  'Terminal block',
  'Circuit breaker',
  'Relay',
  'Fuse',
  'Filter cartridge',
  'V-belt',
  'Chain sprocket',
  'Coupling',
  'Shaft seal',
];
const MATERIALS = [
  'steel',
  'stainless A2',
  'stainless A4',
  'brass',
  'aluminium',
  'PVC',
  'nylon',
  'galvanised',
  'copper',
  'cast iron',
  'EPDM',
  'NBR',
  'PTFE',
];
const FINISHES = [
  'DIN 933',
  'ISO 4017',
  'zinc plated',
  'black oxide',
  'DIN 125',
  'ISO 7089',
  'food grade',
  'ATEX',
  'IP67',
  'heavy duty',
  '',
];
const CATEGORIES = [
  'Fasteners',
  'Bearings',
  'Seals',
  'Piping',
  'Electrical',
  'Drives',
  'Pumps',
  'Valves',
  'Sensors',
  'Raw materials',
];
const UOMS = ['C62', 'KGM', 'MTR'];

interface Item {
  code: string;
  name: string;
  uom: string;
  category: string;
  barcode?: string;
}

function gtin13(twelve: string): string {
  const sum = [...twelve].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${twelve}${(10 - (sum % 10)) % 10}`;
}

/** The same name as a person would type it again: never a digit changed. */
function retyped(name: string, r: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  let words = name.split(' ');
  const edits = 1 + Math.floor(r() * 2);
  for (let e = 0; e < edits; e++) {
    const kind = pick(['case', 'swap', 'drop', 'typo', 'punct', 'double']);
    const i = Math.floor(r() * words.length);
    if (kind === 'case') words = words.map((w) => (r() < 0.5 ? w.toUpperCase() : w.toLowerCase()));
    else if (kind === 'swap' && i + 1 < words.length) [words[i], words[i + 1]] = [words[i + 1], words[i]];
    else if (kind === 'drop' && words.length > 4 && !/\d/.test(words[i])) words.splice(i, 1);
    else if (kind === 'double' && !/\d/.test(words[i])) words.splice(i, 0, words[i]);
    else if (kind === 'typo') {
      const w = words[i];
      const letters = [...w].map((c, k) => (/[a-z]/i.test(c) ? k : -1)).filter((k) => k >= 0);
      if (letters.length > 2) {
        const k = pick(letters);
        words[i] =
          r() < 0.5
            ? w.slice(0, k) + w.slice(k + 1)
            : w.slice(0, k) + pick([...'aeiourstln']) + w.slice(k + 1);
      }
    } else if (kind === 'punct') words[i] = words[i].replace('-', ' ').replace(/^(\w)/, '$1');
  }
  return words.join(r() < 0.3 ? '  ' : ' ');
}

export function dataset(n: number): { items: Item[]; planted: [string, string][] } {
  const r = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const dim = () =>
    pick([
      () => `M${pick([4, 5, 6, 8, 10, 12, 16, 20])}x${pick([10, 16, 20, 25, 30, 40, 50, 60, 80, 100])}`,
      () => `DN${pick([15, 20, 25, 32, 40, 50, 65, 80])}`,
      () => `${1 + Math.floor(r() * 400)} mm`,
      () => `${pick([230, 400, 690])} V ${pick([0.37, 0.75, 1.5, 2.2, 4, 7.5, 11])} kW`,
    ])();
  const dups = Math.round(n * SHARE);
  const items: Item[] = [];
  // a catalogue comes in series: 40 % of the parts are another size of the part before them (the same
  // family, material, finish and series number): different parts whose names differ only in a number
  let previous = { family: '', material: '', finish: '', series: 0 };
  for (let i = 0; i < n - dups; i++) {
    const part =
      i > 0 && r() < 0.4
        ? previous
        : {
            family: pick(FAMILIES),
            material: pick(MATERIALS),
            finish: pick(FINISHES),
            series: 100 + Math.floor(r() * 9900),
          };
    previous = part;
    const name = `${part.family} ${part.material} ${dim()} ${part.finish} type ${part.series}`
      .replace(/ {2}/g, ' ')
      .trim();
    items.push({
      code: `P-${String(i).padStart(6, '0')}`,
      name,
      uom: pick(UOMS),
      category: pick(CATEGORIES),
      ...(r() < 0.3 ? { barcode: gtin13(`40${String(i).padStart(10, '0')}`) } : {}),
    });
  }
  const planted: [string, string][] = [];
  for (let d = 0; d < dups; d++) {
    const original = items[Math.floor(r() * (n - dups))];
    if (planted.some(([o]) => o === original.code)) {
      d--;
      continue;
    }
    const copy: Item = {
      code: `PLM-${String(d).padStart(6, '0')}`,
      name: retyped(original.name, r),
      uom: original.uom,
      category: original.category,
      ...(original.barcode && r() < 0.5 ? { barcode: original.barcode } : {}),
    };
    // the barcode is unique among live items: only one of the two keeps it
    if (copy.barcode) delete original.barcode;
    items.push(copy);
    planted.push([original.code, copy.code]);
  }
  return { items, planted };
}

type Exec = (sql: string, params?: unknown[]) => Promise<Record<string, any>[]>;

async function seed(exec: Exec, items: Item[]): Promise<void> {
  const [cv] = await exec(
    `select v.id, v.version from contract_version v join contract k on k.id = v.contract_id where k.name = 'item' and v.status = 'PUBLISHED' order by v.published_at desc limit 1`,
  );
  for (let i = 0; i < items.length; i += 10_000) {
    const docs = items.slice(i, i + 10_000).map((it) =>
      JSON.stringify({
        code: it.code,
        name: it.name,
        type: 'goods',
        uom: it.uom,
        tracking: 'none',
        categoryPath: ['All', it.category],
        ...(it.barcode ? { barcode: it.barcode } : {}),
      }),
    );
    await exec(
      `with n as (select gen_random_uuid() as id, d::jsonb as data from unnest(?::text[]) d),
            g as (insert into golden_record (id, domain, key, site, key_scope, status, latest_revision, created_at, updated_at)
                  select id, 'item', data->>'code', null, '', 'ACTIVE', 1, now(), now() from n returning id),
            v as (insert into record_revision (id, record_id, revision, data, status, operation, contract_version, contract_version_id, effective_from, created_by_name, created_at)
                  select gen_random_uuid(), id, 1, data, 'ACTIVE', 'CREATE', ?, ?, now() - interval '1 day', 'bench', now() from n returning 1)
       insert into record_current (record_id, domain, key, key_scope, site, revision, data, status, effective_from, contract_version)
       select id, 'item', data->>'code', '', null, 1, data, 'ACTIVE', now() - interval '1 day', ? from n`,
      [toPgArray(docs), `item@${cv.version}`, cv.id, `item@${cv.version}`],
    );
  }
  await exec('analyze');
}

interface Result {
  label: string;
  ms: number;
  read: number;
  compared: number;
  suggested: number;
  precision: number;
  recall: number;
}

/** One match of the item domain with the rules as they are; the pairs it suggests scored against the planted ones. */
async function matchOnce(app: CanonApp, label: string, planted: [string, string][]): Promise<Result> {
  const exec: Exec = (sql, params = []) =>
    app.services.orm.em
      .fork()
      .getConnection()
      .execute(sql, params as never);
  await exec(`delete from match_candidate where domain = 'item'`);
  const t0 = performance.now();
  await exec(`select count(*) from record_current where domain = 'item' and data->>'name' is not null`);
  const read = performance.now() - t0;
  const ctx = systemContext('bench-match');
  const t1 = performance.now();
  const job = await app.services.matching.jobs.start(ctx, 'item');
  await app.services.matching.jobs.wait(job.id);
  const ms = performance.now() - t1;
  const done = await app.services.matching.jobs.job(ctx, job.id);
  if (done?.status !== 'COMPLETED') throw new Error(`the match ended ${done?.status}: ${done?.error}`);
  const pairs = await exec(
    `select ga.key as a, gb.key as b from match_candidate m join golden_record ga on ga.id = m.record_a
       join golden_record gb on gb.id = m.record_b where m.domain = 'item' and m.status = 'OPEN'`,
  );
  const truth = new Set(planted.map(([a, b]) => [a, b].sort().join('|')));
  const found = new Set(pairs.map((p) => [p.a, p.b].sort().join('|')));
  const hits = [...found].filter((p) => truth.has(p)).length;
  const r = {
    label,
    ms,
    read,
    compared: done.compared,
    suggested: found.size,
    precision: found.size ? hits / found.size : 1,
    recall: hits / truth.size,
  };
  console.log(
    `${label}: ${(ms / 1000).toFixed(1)} s, ${r.compared} pairs compared, ${r.suggested} suggested, precision ${r.precision.toFixed(3)}, recall ${r.recall.toFixed(3)} (reference: one read of the domain ${read.toFixed(0)} ms)`,
  );
  return r;
}

/** The default rules, then the same without the numbers check on the name (what it buys). */
async function measure(
  database: string,
  url: string | undefined,
  items: Item[],
  planted: [string, string][],
) {
  const token = `bench-admin-${randomBytes(16).toString('hex')}`;
  const config = benchConfig(url ?? '', token, { statementTimeoutMs: 600_000 });
  const app = await startCanon(url ? config : { ...config, databaseUrl: undefined, dataDir: 'memory://' }, {
    log: createLogger('silent'),
  });
  try {
    const exec: Exec = (sql, params = []) =>
      app.services.orm.em
        .fork()
        .getConnection()
        .execute(sql, params as never);
    const t0 = performance.now();
    await seed(exec, items);
    console.log(
      `${database}: ${items.length} items loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    const results = [await matchOnce(app, `${database}, default rules`, planted)];
    const ctx = systemContext('bench-match');
    const [rule] = (await app.services.matching.rules.list(ctx, 'item')).filter(
      (r) => r.name === 'similar-name',
    );
    await app.services.matching.rules.set(ctx, {
      ...rule,
      agree: rule.agree,
      minSimilarity: rule.minSimilarity ?? null,
      autoMergeAt: rule.autoMergeAt ?? null,
      numbersAgree: false,
    });
    results.push(await matchOnce(app, `${database}, similar-name without numbersAgree`, planted));
    return results;
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const { items, planted } = dataset(ITEMS);
  const scratch = `canon_bench_match_${randomBytes(4).toString('hex')}`;
  await admin(SERVER_URL, (c) => c.query(`create database "${scratch}"`));
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${scratch}`;
  const results: Result[] = [];
  try {
    results.push(...(await measure('PostgreSQL server', dbUrl.toString(), items, planted)));
  } finally {
    await admin(SERVER_URL, (c) => c.query(`drop database if exists "${scratch}" with (force)`));
  }
  if (process.env.BENCH_MATCH_PGLITE !== '0')
    results.push(...(await measure('embedded PGlite', undefined, items, planted)));
  const goal = (r: Result) => (r.recall >= 0.95 && r.precision >= 0.9 && r.ms < 60_000 ? 'met' : 'not met');
  writeDocsBlock('bench:match', [
    `Measured ${new Date().toISOString().slice(0, 10)} on this machine (2 cores, shared), Canon in production mode, ${items.length.toLocaleString('en')} items with ${planted.length.toLocaleString('en')} planted duplicates. Reference in the same run: one full read of the domain's payloads.`,
    '',
    '| database, rules | match time | reference read | × reference | pairs compared by similarity | pairs suggested | precision | recall | goal (recall ≥ 0.95, precision ≥ 0.9, < 60 s) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.label} | ${(r.ms / 1000).toFixed(1)} s | ${r.read.toFixed(0)} ms | ${(r.ms / r.read).toFixed(0)} | ${r.compared.toLocaleString('en')} | ${r.suggested.toLocaleString('en')} | ${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.label.endsWith('default rules') ? goal(r) : '—'} |`,
    ),
  ]);
}

await main();
