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
  const db = await createTestDatabase({ fresh: true });
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

it('the record-key migration fills the key of xrefs linked before it', async () => {
  const db = await createTestDatabase({ fresh: true });
  const orm = await openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
  try {
    await orm.migrator.up({ to: 'Migration20261123121000' });
    const conn = orm.em.getConnection();
    const id = '01900000-0000-7000-8000-0000000000a1';
    await conn.execute(
      `insert into golden_record (id, domain, key, status, latest_revision, created_at, updated_at)
       values (?, 'item', 'OLD-1', 'ACTIVE', 1, now(), now())`,
      [id],
    );
    await conn.execute(
      `insert into xref (system_code, domain, external_id, record_id, state, synced_at, created_at, updated_at)
       values ('odoo-main', 'item', '42', ?, 'ACTIVE', now(), now(), now())`,
      [id],
    );
    // only up to that migration: later ones may change the table again
    const applied = await orm.migrator.up({ to: 'Migration20261123134917' });
    expect(applied.map((m) => m.name)).toEqual(['Migration20261123134917']);
    const rows = await conn.execute<{ record_key: string }[]>(
      `select record_key from xref where external_id = '42'`,
    );
    expect(rows).toEqual([{ record_key: 'OLD-1' }]);
  } finally {
    await orm.close();
    await db.drop();
  }
});
