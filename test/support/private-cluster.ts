/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl from the machine's PostgreSQL binaries, on
 * a free loopback port, in a temporary folder), so a test can restart it, kill it or freeze it
 * under load without touching the shared server. As root, the binaries run as the `postgres` user
 * (PostgreSQL refuses to run as root).
 */
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestDatabase } from './db.ts';

const execFile = promisify(execFileCb);

export interface PrivateCluster {
  /** URL of the `canon` database. */
  url: string;
  database: TestDatabase;
  port: number;
  /** `pg_ctl stop -m fast`: sessions are terminated, transactions rolled back, a clean shutdown. */
  stopFast(): Promise<void>;
  /** `pg_ctl stop -m immediate`: every process killed, crash recovery on the next start. */
  killImmediately(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: connections stay open, nothing answers. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Resolves when the server accepts a connection and answers a query. */
  waitUntilAccepting(timeoutMs?: number): Promise<void>;
  remove(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no initdb under /usr/lib/postgresql/*/bin');
  return join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'canon-pg-'));
  const data = join(dir, 'data');
  if (asRoot)
    chownSync(
      dir,
      Number((await execFile('id', ['-u', 'postgres'])).stdout),
      Number((await execFile('id', ['-g', 'postgres'])).stdout),
    );
  const run = (tool: string, args: string[]) =>
    asRoot
      ? execFile('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { cwd: dir })
      : execFile(join(bin, tool), args, { cwd: dir });
  const port = await freePort();
  await run('initdb', [
    '-D',
    data,
    '-U',
    'root',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), ...args]);
  const serverUrl = `postgresql://root@127.0.0.1:${port}`;
  const url = `${serverUrl}/canon`;

  const waitUntilAccepting = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({
        connectionString: `${serverUrl}/postgres`,
        connectionTimeoutMillis: 1_000,
      });
      try {
        await client.connect();
        await client.query('select 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        await client.end().catch(() => {});
      }
    }
  };
  const pids = () => {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return execFile('pgrep', ['-P', String(postmaster)])
      .then(({ stdout }) => [postmaster, ...stdout.split('\n').filter(Boolean).map(Number)])
      .catch(() => [postmaster]);
  };
  const signal = async (sig: NodeJS.Signals) => {
    for (const pid of await pids()) {
      try {
        process.kill(pid, sig);
      } catch {
        // a backend that just ended
      }
    }
  };

  await ctl('-w', '-o', options, 'start');
  // a test process that ends without its afterAll (a timeout, Ctrl-C) must not leave a server running
  const stopOnExit = () => {
    try {
      const stop = [join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'];
      if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', ...stop], { stdio: 'ignore' });
      else execFileSync(stop[0], stop.slice(1), { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // already stopped
    }
  };
  process.once('exit', stopOnExit);
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  await admin.query('create database canon');
  await admin.end();

  return {
    url,
    port,
    database: { databaseUrl: url, dataDir: 'memory://', kind: 'postgresql', drop: async () => {} },
    stopFast: async () => {
      await ctl('-w', '-m', 'fast', 'stop');
    },
    killImmediately: async () => {
      await ctl('-w', '-m', 'immediate', 'stop');
    },
    start: async () => {
      await ctl('-w', '-o', options, 'start');
    },
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    waitUntilAccepting,
    remove: async () => {
      process.removeListener('exit', stopOnExit);
      await signal('SIGCONT').catch(() => {});
      await ctl('-w', '-m', 'immediate', 'stop').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
