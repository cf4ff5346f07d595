/**
 * `canon import` killed with SIGKILL at random moments and run again with `--resume` each time ends
 * exactly as one clean run: every row once, every id linked once, one audit event per batch, no
 * partial batch (the CI-sized version of bench's 100,000-row run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../src/services.ts';
import { openCanonDatabase, systemContext } from '../../src/startup.ts';
import { testConfig } from '../support/app.ts';
import { childDatabase } from '../support/child-canon.ts';
import type { TestDatabase } from '../support/db.ts';

vi.setConfig({ testTimeout: 900_000 });

const CLI = resolve(import.meta.dirname, '../../src/cli.ts');
const ROWS = 1_500;
const BATCH = 20;
const KILLS = 5;

let db: TestDatabase;
let work: string;
let env: Record<string, string>;
let remove: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ db, env, remove, work } = await childDatabase('canon-import-kill-'));
});
afterAll(async () => {
  await remove();
});

function canon(args: string[]): {
  child: ChildProcess;
  progressing: Promise<void>;
  done: Promise<number | null>;
} {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.resume();
  // the first progress line says a batch was committed: the import is under way
  const progressing = new Promise<void>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (/^import: \d+ rows/m.test(chunk.toString())) resolve();
    });
  });
  return { child, progressing, done: new Promise((r) => child.once('exit', (code) => r(code))) };
}

describe('canon import under SIGKILL', () => {
  it(`resumes after ${KILLS} kills with the result of one clean run`, async () => {
    const file = join(work, 'items.csv');
    writeFileSync(
      file,
      [
        'externalId,code,name,type,uom,tracking',
        ...Array.from(
          { length: ROWS },
          (_, i) => `k-${i},KILL-${String(i).padStart(5, '0')},Item ${i},goods,C62,none`,
        ),
      ].join('\n'),
    );
    expect(await canon(['systems', 'add', 'odoo-kill', '--name', 'Odoo', '--kind', 'ERP']).done).toBe(0);
    const args = [
      'import',
      file,
      '--domain',
      'item',
      '--system',
      'odoo-kill',
      '--batch',
      String(BATCH),
      '--mode',
      'apply',
      '--resume',
    ];
    // each run commits at least one batch, then dies at a random moment of the next ones; the run
    // that finishes (exit 0) ends the loop — running again would start a new, no-op import
    let kills = 0;
    let finished = false;
    for (let attempt = 0; attempt < 60 && !finished; attempt++) {
      const run = canon(args);
      const exited = run.done.then((code) => ({ code }));
      const first = await Promise.race([run.progressing.then(() => null), exited]);
      if (first) {
        expect(first.code).toBe(0);
        finished = true;
        break;
      }
      if (kills < KILLS) {
        await new Promise((r) => setTimeout(r, Math.random() * 600));
        if (run.child.exitCode === null && run.child.signalCode === null) {
          run.child.kill('SIGKILL');
          kills++;
        }
      }
      const { code } = await exited;
      if (code === 0) finished = true;
    }
    expect(finished).toBe(true);
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    // the final state, read on the database the CLI used
    const opened = await openCanonDatabase(
      testConfig(db, env.CANON_DATA_DIR ? { dataDir: env.CANON_DATA_DIR } : {}),
      'test',
    );
    try {
      const services = createServices(opened.orm);
      const conn = opened.orm.em.fork().getConnection();
      const n = async (sql: string) => Number((await conn.execute<{ n: string }[]>(sql))[0].n);
      expect(await n("select count(*)::text as n from golden_record where key like 'KILL-%'")).toBe(ROWS);
      expect(
        await n(
          "select count(*)::text as n from record_revision r join golden_record g on g.id = r.record_id where g.key like 'KILL-%'",
        ),
      ).toBe(ROWS);
      expect(
        await n("select count(*)::text as n from xref where system_code = 'odoo-kill' and state = 'ACTIVE'"),
      ).toBe(ROWS);
      const jobs = await conn.execute<
        { id: string; status: string; rows_done: number; rows_created: number; batches_committed: number }[]
      >(
        "select id, status, rows_done, rows_created, batches_committed from import_job where domain = 'item' order by created_at",
      );
      // one job, resumed every time; its counts are those of one clean run
      expect(jobs.map((j) => [j.status, j.rows_done, j.rows_created, j.batches_committed])).toEqual([
        ['COMPLETED', ROWS, ROWS, ROWS / BATCH],
      ]);
      expect(
        await n(
          `select count(*)::text as n from audit_event where action = 'RECORDS_IMPORTED' and subject_id = '${jobs[0].id}'`,
        ),
      ).toBe(ROWS / BATCH);
      const chain = await services.audit.verifyChain(opened.orm.em.fork(), systemContext('test'));
      expect(chain.valid).toBe(true);
      console.log(
        `[import-kills] ${kills} SIGKILLs, resumed each time: ${ROWS} rows, ${ROWS / BATCH} batches, 0 duplicates`,
      );
    } finally {
      await opened.close();
    }
  });
});
