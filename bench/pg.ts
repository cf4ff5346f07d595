/** The benchmarks' one-off connections to the PostgreSQL server (creating, seeding and dropping scratch databases). */
import pg from 'pg';
import type { CanonConfig } from '../src/config.ts';

export async function admin<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

/** Canon's configuration for a benchmark: production mode on `databaseUrl`, silent, a bootstrap admin token. */
export function benchConfig(
  databaseUrl: string,
  bootstrapAdminToken: string,
  overrides: Partial<CanonConfig> = {},
): CanonConfig {
  return {
    databaseUrl,
    dataDir: 'memory://',
    port: 0,
    host: '127.0.0.1',
    packageScope: '@canon',
    logLevel: 'silent',
    bootstrapAdminToken,
    environment: 'production',
    maxBodyBytes: 2 * 1024 * 1024,
    poolMax: 10,
    statementTimeoutMs: 30_000,
    ...overrides,
  };
}
