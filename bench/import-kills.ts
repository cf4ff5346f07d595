/**
 * `npm run bench:import-kills` (part of `npm run bench`): `canon import` of N items
 * (BENCH_KILL_ROWS, default 100,000) killed with SIGKILL at KILLS (BENCH_KILLS, default 20) random
 * moments and run again with `--resume` each time, on a scratch database of the PostgreSQL server
 * (DATABASE_URL, default postgres://root@127.0.0.1:5432/postgres). The final state must equal one
 * clean run: N records, N revisions, N xrefs, one job COMPLETED with N rows, one RECORDS_IMPORTED
 * audit event per batch, the audit chain valid. The CI-sized version is
 * test/integration/import-kills.test.ts. Results go into docs/benchmarks.md between the
 * bench:import-kills markers.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { createServices } from '../src/services.ts';
import { openCanonDatabase, systemContext } from '../src/startup.ts';
import { writeDocsBlock } from './docs-block.ts';
import { admin, benchConfig } from './pg.ts';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const SERVER_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_KILL_ROWS ?? 100_000);
const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const BATCH = 1000;

async function writeFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('externalId,code,name,type,uom,tracking\n');
  for (let i = 0; i < ROWS; i++)
    out.write(`k-${i},KILL-${String(i).padStart(7, '0')},Item ${i},goods,C62,none\n`);
  out.end();
  await finished(out);
}

/** Runs the CLI; answers its exit code, or null when killed after `killAfterMs`. */
function runImport(
  env: NodeJS.ProcessEnv,
  args: string[],
  killAfterMs: number | null,
): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
  const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((r) =>
    child.once('exit', (code) => {
      if (timer) clearTimeout(timer);
      r(code);
    }),
  );
}

async function main(): Promise<void> {
  const name = `canon_bench_kills_${randomBytes(4).toString('hex')}`;
  await admin(SERVER_URL, (c) => c.query(`create database "${name}"`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const work = mkdtempSync(join(tmpdir(), 'canon-bench-kills-'));
  const env = { ...process.env, DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' };
  const lines: string[] = [];
  try {
    const file = join(work, 'items.csv');
    await writeFile(file);
    if (
      (await runImport(env, ['systems', 'add', 'odoo-kill', '--name', 'Odoo', '--kind', 'ERP'], null)) !== 0
    )
      throw new Error('could not register the system');
    const args = ['import', file, '--domain', 'item', '--system', 'odoo-kill', '--mode', 'apply'];
    args.push('--batch', String(BATCH), '--resume');
    // kill moments uniform in 1–2.5 s after each start: before the first batch, between batches
    // and mid-batch (a start takes about 1.5 s, a batch a fraction of a second), so that the twenty
    // kills land within one import; then one run finishes
    const t0 = performance.now();
    let kills = 0;
    let runs = 0;
    let code: number | null = null;
    while (code !== 0 && runs < KILLS * 3) {
      runs++;
      const killAt = kills < KILLS ? 1_000 + Math.random() * 1_500 : null;
      code = await runImport(env, args, killAt);
      if (code === null) kills++;
      else if (code !== 0) throw new Error(`canon import exited with ${code}`);
    }
    const totalMs = performance.now() - t0;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const n = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0].n);
    const records = await n("select count(*)::text as n from golden_record where key like 'KILL-%'");
    const revisions = await n(
      "select count(*)::text as n from record_revision r join golden_record g on g.id = r.record_id where g.key like 'KILL-%'",
    );
    const xrefs = await n("select count(*)::text as n from xref where system_code = 'odoo-kill'");
    const jobs = (
      await client.query<{ id: string; status: string; rows_done: number; batches_committed: number }>(
        'select id, status, rows_done, batches_committed from import_job',
      )
    ).rows;
    const audits = await n(
      `select count(*)::text as n from audit_event where action = 'RECORDS_IMPORTED' and subject_id = '${jobs[0]?.id}'`,
    );
    await client.end();
    const opened = await openCanonDatabase(benchConfig(url.toString(), 'x'.repeat(40)), 'bench');
    let chainValid = false;
    try {
      chainValid = (
        await createServices(opened.orm).audit.verifyChain(opened.orm.em.fork(), systemContext('bench'))
      ).valid;
    } finally {
      await opened.close();
    }
    const batches = Math.ceil(ROWS / BATCH);
    const clean =
      records === ROWS &&
      revisions === ROWS &&
      xrefs === ROWS &&
      jobs.length === 1 &&
      jobs[0].status === 'COMPLETED' &&
      jobs[0].rows_done === ROWS &&
      jobs[0].batches_committed === batches &&
      audits === batches &&
      chainValid;
    console.log(
      JSON.stringify({
        kills,
        runs,
        records,
        revisions,
        xrefs,
        jobs,
        audits,
        chainValid,
        totalMs: Math.round(totalMs),
      }),
    );
    if (!clean) throw new Error('the final state differs from one clean run');
    lines.push(
      `Measured ${new Date().toISOString().slice(0, 10)} on this machine (PostgreSQL server; \`canon import --mode apply --resume\` as a child process, batches of ${BATCH.toLocaleString('en-US')}).`,
      '',
      '| measure | result |',
      '| --- | --- |',
      `| SIGKILLs at random moments of a ${ROWS.toLocaleString('en-US')}-row import, resumed each time | ${kills} kills, ${runs} runs, ${(totalMs / 1000).toFixed(0)} s in all |`,
      `| final state | ${records.toLocaleString('en-US')} records, ${revisions.toLocaleString('en-US')} revisions, ${xrefs.toLocaleString('en-US')} xrefs; one job COMPLETED with ${ROWS.toLocaleString('en-US')} rows in ${batches} batches; ${audits} RECORDS_IMPORTED audit events; audit chain valid — equal to one clean run, 0 duplicates, 0 partial batches |`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await admin(SERVER_URL, (c) => c.query(`drop database if exists "${name}" with (force)`));
  }
  writeDocsBlock('bench:import-kills', lines);
  console.log(lines.join('\n'));
}

await main();
