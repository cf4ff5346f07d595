/** `canon serve` and `canon migrate`. */
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openCanonDatabase } from '../startup.ts';

export function addServerCommands(program: Command): void {
  program
    .command('serve')
    .description('start the server (same as npm start)')
    .action(async () => {
      const { serve } = await import('../server.ts');
      await serve();
    });

  program
    .command('migrate')
    .description('apply pending database migrations (also done on every start)')
    .action(async () => {
      const config = loadConfig();
      const db = await openCanonDatabase(config, 'canon migrate');
      await db.close();
      console.log(
        db.applied.length === 0
          ? 'database is up to date'
          : `applied ${db.applied.length} migration(s): ${db.applied.join(', ')}`,
      );
    });
}
