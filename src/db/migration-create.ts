/**
 * `npm run db:migration:create`: diffs the entities against the migration snapshot and writes a new
 * migration into migrations/. Runs on a throw-away in-memory PGlite, so no server is needed.
 */
import { migrate, openDatabase } from './orm.ts';

const orm = await openDatabase({ dataDir: 'memory://', migrationSnapshot: true });
try {
  await migrate(orm);
  const result = await orm.migrator.create(undefined, false, process.argv[2] === '--initial');
  console.log(
    result.fileName
      ? `created migrations/${result.fileName}`
      : 'no changes: the entities match the last migration',
  );
} finally {
  await orm.close();
}
