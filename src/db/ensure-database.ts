/**
 * A DATABASE_URL may name a database the server does not have yet (a fresh server, a new CI job):
 * Canon creates it, as `createdb` would, connecting to the server's `postgres` database to do so.
 * Any other failure (server down, wrong password) is reported as it is, with the address.
 */
import pg from 'pg';

/** Why the server cannot be used, in words, with the address (never the password). */
export class DatabaseUnreachableError extends Error {}

const safe = (url: URL) => {
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return shown.toString();
};

/** Creates the database `url` names when the server answers that it does not exist; returns whether it did. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000' || !name)
      throw new DatabaseUnreachableError(
        `The PostgreSQL server at ${safe(url)} does not answer: ${(error as Error).message}`,
      );
  } finally {
    await probe.end().catch(() => {});
  }
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: server.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
    await admin.query(`create database "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (error) {
    // another process created it meanwhile: that is what was wanted
    if ((error as { code?: string }).code === '42P04') return false;
    throw new DatabaseUnreachableError(
      `The database "${name}" does not exist on ${safe(server)} and could not be created: ${(error as Error).message}. Create it (createdb ${name}) or point DATABASE_URL at one that exists.`,
    );
  } finally {
    await admin.end().catch(() => {});
  }
}
