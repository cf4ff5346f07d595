/**
 * The database: PostgreSQL when DATABASE_URL is set, otherwise an embedded PGlite (real PostgreSQL in
 * WASM) in CANON_DATA_DIR, owned and closed by MikroORM. Both use the same entities and migrations.
 */

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { LoggerOptions } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig as definePgliteConfig, MikroORM as PgliteORM } from '@mikro-orm/pglite';
import { defineConfig as definePgConfig, MikroORM as PgORM } from '@mikro-orm/postgresql';
import { entities } from './entities.ts';
import { ReleasingPostgreSqlDriver } from './releasing-driver.ts';
import { TracingLogger } from './tracing-logger.ts';

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** Both drivers share the PostgreSQL dialect and entity manager; the PGlite one is typed as its sibling. */
export type Orm = PgORM;
export type Em = Orm['em'];

export interface DatabaseOptions {
  /** PostgreSQL URL; absent = embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** PGlite data folder, or `memory://` for a throw-away database. */
  dataDir: string;
  poolMax?: number;
  statementTimeoutMs?: number;
  /** Statement timeout of reads outside transactions (a pool of their own); default readTimeoutFor(). */
  readStatementTimeoutMs?: number;
  debug?: boolean;
  /** Sees every SQL statement (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /**
   * A dump of a PGlite data folder (PGlite's dumpDataDir) an in-memory database starts from instead of
   * an empty one: the test suite migrates one template and starts each file's database from it.
   */
  pgliteSnapshot?: Blob;
  /** Only `npm run db:migration:create` keeps the schema snapshot in migrations/; a running Canon never writes there. */
  migrationSnapshot?: boolean;
}

const migrations = {
  path: MIGRATIONS_DIR,
  pathTs: MIGRATIONS_DIR,
  glob: '!(*.d).{js,ts}',
  emit: 'ts' as const,
  // one fixed name: MikroORM otherwise names the file after the database it runs on
  snapshotName: '.snapshot-postgres',
  silent: true,
  transactional: true,
  allOrNothing: true,
};

export function ormConfig(options: DatabaseOptions) {
  const common = {
    entities,
    extensions: [Migrator],
    migrations: { ...migrations, snapshot: options.migrationSnapshot ?? false },
    debug: options.debug ?? false,
    loggerFactory: (o: LoggerOptions) => new TracingLogger(o),
    // services fork an EntityManager per unit of work; the global one must never collect state
    allowGlobalContext: false,
    // JSON columns hold schemas and payloads as given: never reorder or coerce them
    forceUtcTimezone: true,
    onQuery: (sql: string) => {
      options.onQuery?.(sql);
      return sql;
    },
  };
  if (options.databaseUrl) {
    const pool = { min: 0, max: options.poolMax ?? 10, idleTimeoutMillis: 30_000 };
    const statementTimeout = options.statementTimeoutMs ?? 30_000;
    return definePgConfig({
      ...common,
      driver: ReleasingPostgreSqlDriver,
      clientUrl: options.databaseUrl,
      pool,
      driverOptions: {
        connectionTimeoutMillis: 5_000,
        statement_timeout: statementTimeout,
        application_name: 'canon',
      },
      // Reads outside a transaction (what GraphQL queries run) go to a second pool on the same
      // server whose statements time out sooner: a slow read gives its connection back before it
      // can starve the writers. Transactions and raw statements keep the main pool.
      replicas: [
        {
          name: 'reads',
          clientUrl: options.databaseUrl,
          pool,
          driverOptions: {
            connectionTimeoutMillis: 5_000,
            statement_timeout: options.readStatementTimeoutMs ?? readTimeoutFor(statementTimeout),
            application_name: 'canon-reads',
          },
        },
      ],
    });
  }
  if (options.dataDir !== 'memory://') mkdirSync(dirname(options.dataDir), { recursive: true });
  // pg_trgm backs the record search (migrations create the extension on both databases)
  return definePgliteConfig({
    ...common,
    dbName: 'postgres',
    // a factory when a snapshot is given: MikroORM copies option objects, and a copied Blob is unreadable
    driverOptions:
      options.pgliteSnapshot && options.dataDir === 'memory://'
        ? () => ({ dataDir: 'memory://', extensions: { pg_trgm }, loadDataDir: options.pgliteSnapshot })
        : { dataDir: options.dataDir, extensions: { pg_trgm } },
  });
}

/** The default read timeout: a third of the statement timeout, at most 10 s, at least 1 s. */
export function readTimeoutFor(statementTimeoutMs: number): number {
  return Math.max(1_000, Math.min(10_000, Math.round(statementTimeoutMs / 3)));
}

export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
  const config = ormConfig(options);
  if (options.databaseUrl) return PgORM.init(config as never);
  return (await PgliteORM.init(config as never)) as unknown as Orm;
}

/** The whole embedded database as a tarball (what `pgliteSnapshot` starts from); PGlite only. */
export async function dumpPglite(orm: Orm): Promise<Blob> {
  const connection = orm.em.getConnection() as unknown as {
    getNativeClient(): Promise<{ dumpDataDir(compression: 'none'): Promise<Blob> }>;
  };
  return (await connection.getNativeClient()).dumpDataDir('none');
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

export function isEmbedded(options: DatabaseOptions): boolean {
  return !options.databaseUrl;
}
