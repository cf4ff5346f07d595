/**
 * A DATABASE_URL naming a database the server lacks: Canon (npm start, the CLI, the test suite's
 * setup) creates it; a server that does not answer is named with the reason, never the password.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DatabaseUnreachableError, ensureDatabase } from '../../src/db/ensure-database.ts';
import { freePort } from '../support/child-canon.ts';

describe('ensureDatabase', () => {
  it('says which server does not answer and why, hiding the password', async () => {
    const port = await freePort();
    const error = await ensureDatabase(`postgres://canon:secret@127.0.0.1:${port}/canon`).catch((e) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(error.message).toContain(`postgres://canon:***@127.0.0.1:${port}/canon does not answer`);
    expect(error.message).not.toContain('secret');
  });

  it('creates a missing database once (on the PostgreSQL server the suite runs against)', async () => {
    const server = process.env.DATABASE_URL;
    if (!server) {
      // on PGlite there is no server to create databases on: the embedded data folder is made instead
      expect(server).toBeUndefined();
      return;
    }
    const url = new URL(server);
    const name = `canon_ensure_${randomBytes(4).toString('hex')}`;
    url.pathname = `/${name}`;
    try {
      expect(await ensureDatabase(url.toString())).toBe(true);
      expect(await ensureDatabase(url.toString())).toBe(false);
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      expect((await c.query('select current_database() as d')).rows[0].d).toBe(name);
      await c.end();
    } finally {
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});
