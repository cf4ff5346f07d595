/**
 * Canon as a child process (`npm start`'s entry point, src/server.ts) for tests that kill it: a free
 * port, the server started with an admin token and ready, and a stop that waits for the exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, seedDataDir, type TestDatabase } from './db.ts';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Starts Canon on the port with the database settings in `env`; answers once /ready says 200. */
export async function startCanonChild(
  port: number,
  adminToken: string,
  env: Record<string, string>,
  readyWithinMs = 120_000,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/server.ts'], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      CANON_BOOTSTRAP_ADMIN_TOKEN: adminToken,
      CANON_RATE_LIMITS: 'admin=100000/100000',
    },
    stdio: 'ignore',
  });
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Canon exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).status === 200) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('Canon did not become ready');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends a signal and waits for the process to exit. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/**
 * A database for Canon child processes: PostgreSQL's when the suite runs on a server, else an
 * embedded data folder in a scratch directory; `env` points a child at it, `remove` drops both.
 */
export async function childDatabase(prefix: string): Promise<{
  db: TestDatabase;
  work: string;
  env: Record<string, string>;
  remove: () => Promise<void>;
}> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const db = await createTestDatabase();
  const env: Record<string, string> = db.databaseUrl
    ? { DATABASE_URL: db.databaseUrl }
    : { DATABASE_URL: '', CANON_DATA_DIR: join(work, 'data') };
  if (!db.databaseUrl) await seedDataDir(join(work, 'data'));
  return {
    db,
    work,
    env,
    remove: async () => {
      await db.drop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
