import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/db/orm.ts';
import { createTestDatabase } from '../support/db.ts';

const MIGRATIONS = resolve(import.meta.dirname, '../../migrations');
const listing = () =>
  readdirSync(MIGRATIONS)
    .sort()
    .map((f) => `${f}@${statSync(resolve(MIGRATIONS, f)).mtimeMs}`);

it('migrating a database writes nothing into migrations/ (no schema snapshot per database)', async () => {
  const before = listing();
  const db = await createTestDatabase();
  const orm = await openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
  try {
    expect((await migrate(orm)).length).toBeGreaterThan(0);
  } finally {
    await orm.close();
    await db.drop();
  }
  expect(listing()).toEqual(before);
  expect(readdirSync(MIGRATIONS).filter((f) => f.startsWith('.snapshot-'))).toEqual([
    '.snapshot-postgres.json',
  ]);
});
