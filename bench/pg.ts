/** The benchmarks' one-off connections to the PostgreSQL server (creating, seeding and dropping scratch databases). */
import pg from 'pg';

export async function admin<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}
