/**
 * Runs once before the suite. With DATABASE_URL set the suite runs against that PostgreSQL server:
 * each test file creates a database of its own there (see db.ts) and drops it afterwards; this checks
 * the server answers first (creating the database it names when missing) so a missing server fails
 * fast with a clear message.
 *
 * Then it builds the template every test database starts from: migrated, with the built-in
 * contracts and the standard units (what every Canon start loads), and no token. On PGlite a dump
 * of the data folder; on PostgreSQL a template database, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDatabase } from '../../src/db/ensure-database.ts';
import { dumpPglite, migrate, openDatabase } from '../../src/db/orm.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services.ts';
import { loadCatalogue } from '../../src/startup.ts';
import { removeStaleTestStreams } from './nats.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (url && (await ensureDatabase(url))) console.log(`created the database of DATABASE_URL`);
  await removeStaleTestStreams();
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  if (!url) {
    const file = join(tmpdir(), `canon-test-template-${suffix}.tar`);
    const orm = await openDatabase({ dataDir: 'memory://' });
    try {
      await migrate(orm);
      await loadCatalogue(createServices(orm), createLogger('silent'));
      writeFileSync(file, Buffer.from(await (await dumpPglite(orm)).arrayBuffer()));
    } finally {
      await orm.close(true);
    }
    project.provide('canonTemplate', file);
    return async () => rmSync(file, { force: true });
  }
  const name = `canon_template_${suffix}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database "${name}"`);
  const templateUrl = new URL(url);
  templateUrl.pathname = `/${name}`;
  const orm = await openDatabase({ databaseUrl: templateUrl.toString(), dataDir: 'memory://' });
  try {
    await migrate(orm);
    await loadCatalogue(createServices(orm), createLogger('silent'));
  } finally {
    await orm.close(true);
  }
  project.provide('canonTemplate', name);
  return async () => admin(`drop database if exists "${name}" with (force)`);
}
