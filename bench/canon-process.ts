/** A Canon on embedded PGlite (in memory) as a child process, for benchmarks that measure it over HTTP. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');

export async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/**
 * Starts `canon serve` with `adminToken` as its bootstrap admin token and `env` on top, and waits
 * until /ready answers; `nodeArgs` go to Node (heap settings).
 */
export async function startCanon(
  adminToken: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      CANON_DATA_DIR: 'memory://',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      CANON_BOOTSTRAP_ADMIN_TOKEN: adminToken,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`canon exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, child };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('canon did not become ready');
}
