/**
 * A database of its own for each test file: an in-memory PGlite by default, or a fresh database on
 * the PostgreSQL server named by DATABASE_URL (created here, dropped at the end).
 *
 * Both start from the template global-setup.ts migrated and loaded with the built-in contracts once
 * per run (a PGlite dump, or a PostgreSQL template database): migrating every file's database
 * again took most of a test file's start. `fresh: true` asks for an empty database instead.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  databaseUrl?: string;
  dataDir: string;
  kind: 'pglite' | 'postgresql';
  /** The migrated template an in-memory PGlite starts from (absent: an empty database). */
  pgliteSnapshot?: Blob;
  drop(): Promise<void>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PGlite template's dump file, or the PostgreSQL template database's name. */
    canonTemplate: string;
  }
}

let snapshotBytes: Uint8Array<ArrayBuffer> | undefined;

/**
 * On the PGlite pass, makes `dir` an embedded data folder holding the template (for Canon child
 * processes and CLI commands, which open a folder): their first start then skips creating and
 * migrating a database. Nothing on the PostgreSQL pass, where they get a database of their own.
 */
export async function seedDataDir(dir: string): Promise<void> {
  const template = process.env.DATABASE_URL ? '' : inject('canonTemplate');
  if (!template) return;
  snapshotBytes ??= new Uint8Array(readFileSync(template));
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const db = await PGlite.create({
    dataDir: dir,
    loadDataDir: new Blob([snapshotBytes]),
    extensions: { pg_trgm },
  });
  await db.close();
}

export async function createTestDatabase(options: { fresh?: boolean } = {}): Promise<TestDatabase> {
  const server = process.env.DATABASE_URL;
  const template = options.fresh ? '' : inject('canonTemplate');
  if (!server) {
    if (template) snapshotBytes ??= new Uint8Array(readFileSync(template));
    return {
      dataDir: 'memory://',
      kind: 'pglite',
      ...(template && snapshotBytes ? { pgliteSnapshot: new Blob([snapshotBytes]) } : {}),
      drop: async () => {},
    };
  }
  const name = `canon_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir: 'memory://',
    kind: 'postgresql',
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
