/**
 * The `canon` command as tests run it: a Node process per command (as users and pipelines run it),
 * and a workspace per test file — a scratch folder and a database of its own (an embedded data folder
 * on PGlite, a fresh database on the PostgreSQL server) that the commands share.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, seedDataDir, type TestDatabase } from './db.ts';

const run = promisify(execFile);

export const CLI = resolve(import.meta.dirname, '../../src/cli.ts');

/** Runs `canon …` with the given environment (DATABASE_URL unset unless given); never throws. */
export async function runCanon(args: string[], env: Record<string, string | undefined>) {
  try {
    const r = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, DATABASE_URL: '', ...env },
      // an import of a few thousand rows on a loaded machine: minutes, not seconds
      timeout: 180_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export interface CliWorkspace {
  work: string;
  db: TestDatabase;
  /** What the commands need to find the file's database. */
  env: Record<string, string | undefined>;
}

/** A scratch folder and a database for this test file's commands, made before and removed after. */
export function cliWorkspace(prefix: string): CliWorkspace {
  const ws = {} as CliWorkspace;
  beforeAll(async () => {
    ws.work = mkdtempSync(join(tmpdir(), `${prefix}-`));
    ws.db = await createTestDatabase();
    // on the PostgreSQL server the CLI uses its own database; otherwise an embedded data folder
    ws.env = ws.db.databaseUrl
      ? { DATABASE_URL: ws.db.databaseUrl }
      : { CANON_DATA_DIR: join(ws.work, 'data') };
    if (!ws.db.databaseUrl) await seedDataDir(join(ws.work, 'data'));
  });
  afterAll(async () => {
    await ws.db?.drop();
    rmSync(ws.work, { recursive: true, force: true });
  });
  return ws;
}
