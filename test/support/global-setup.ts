/**
 * Runs once before the suite. With DATABASE_URL set the suite runs against that PostgreSQL server:
 * each test file creates a database of its own there (see db.ts) and drops it afterwards; this checks
 * the server answers first so a missing server fails fast with a clear message.
 */
import pg from 'pg';

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`DATABASE_URL is set but the server does not answer (${(error as Error).message})`);
  } finally {
    await client.end().catch(() => {});
  }
}
