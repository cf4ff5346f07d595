/**
 * Runs once before the suite. With DATABASE_URL set the suite runs against that PostgreSQL server:
 * each test file creates a database of its own there (see db.ts) and drops it afterwards; this checks
 * the server answers first (creating the database it names when missing) so a missing server fails
 * fast with a clear message.
 */
import { ensureDatabase } from '../../src/db/ensure-database.ts';

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  // a database the server does not have yet is created, as npm start does; a server that does not
  // answer fails the run at once, with the address and the reason
  if (await ensureDatabase(url)) console.log(`created the database of DATABASE_URL`);
}
