/**
 * Start-up steps shared by the server and the CLI, kept apart from the HTTP and GraphQL layers so a
 * CLI command loads only what it uses: open and migrate the database (holding the embedded data
 * folder's lock), and the idempotent first-start tasks.
 */

import type { CanonConfig } from './config.ts';
import { lockDataDir } from './db/data-dir-lock.ts';
import { ensureDatabase } from './db/ensure-database.ts';
import { migrate, type Orm, openDatabase } from './db/orm.ts';
import type { Logger } from './logger.ts';
import { defineAbilityFor } from './modules/auth/ability.ts';
import { type CallContext, SYSTEM_ACTOR } from './modules/auth/actor-context.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from './modules/contracts/contracts-folder.ts';
import { STANDARD_UNITS } from './modules/records/uom/standard-units.ts';
import type { Services } from './services.ts';

export function systemContext(requestId = 'startup'): CallContext {
  return { actor: SYSTEM_ACTOR, ability: defineAbilityFor(SYSTEM_ACTOR), requestId };
}

/** Opens and migrates the database (holding the embedded data folder's lock while open). */
export async function openCanonDatabase(
  config: CanonConfig,
  purpose: string,
  onQuery?: (sql: string) => void,
): Promise<{ orm: Orm; applied: string[]; close: () => Promise<void> }> {
  const inMemory = config.dataDir === 'memory://';
  const release = config.databaseUrl || inMemory ? () => {} : lockDataDir(config.dataDir, purpose);
  try {
    if (config.databaseUrl) await ensureDatabase(config.databaseUrl);
    const orm = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolMax: config.poolMax,
      statementTimeoutMs: config.statementTimeoutMs,
      readStatementTimeoutMs: config.readStatementTimeoutMs,
      pgliteSnapshot: config.pgliteSnapshot,
      onQuery,
    });
    const applied = await migrate(orm);
    return {
      orm,
      applied,
      close: async () => {
        await orm.close(true);
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** First-start tasks, all idempotent: built-in contracts, standard units, the bootstrap admin token. */
export async function initialise(
  services: Services,
  config: CanonConfig,
  log: Logger,
): Promise<string | null> {
  const ctx = systemContext();
  await loadCatalogue(services, log);
  if (config.bootstrapAdminToken) await services.auth.ensureBootstrapAdmin(ctx, config.bootstrapAdminToken);
  // a newcomer's first start: nobody could sign in otherwise
  if (
    !config.bootstrapAdminToken &&
    config.environment !== 'production' &&
    (await services.auth.hasNoAdmin())
  ) {
    const created = await services.auth.createToken(ctx, {
      role: 'admin',
      actorName: 'dev-admin',
      name: 'development admin token',
    });
    return created.token;
  }
  return null;
}

/** What every database starts with, idempotent: the built-in contracts and the standard units of measure. */
export async function loadCatalogue(services: Services, log: Logger): Promise<void> {
  const ctx = systemContext();
  const results = await services.contracts.registerBuiltIns(ctx, readContractsFolder(BUILT_IN_CONTRACTS_DIR));
  const published = results.filter((r) => r.outcome === 'PUBLISHED');
  if (published.length > 0)
    log.info(
      { contracts: published.map((r) => `${r.contract}@${r.version}`) },
      'registered built-in contracts',
    );
  const units = await services.records.seed(
    ctx,
    'uom',
    STANDARD_UNITS.map(({ odoo: _odoo, ...unit }) => ({ ...unit, active: true })),
  );
  if (units > 0) log.info({ units }, 'loaded the standard units of measure');
}

/**
 * The first-start tasks, only when they never ran on this database (no built-in contract yet): what
 * the CLI calls, so a command on an initialised database does not repeat them.
 */
export async function initialiseOnce(services: Services, config: CanonConfig, log: Logger): Promise<void> {
  const [row] = await services.orm.em
    .getConnection()
    .execute<{ n: string }[]>('select count(*)::text as n from contract where built_in');
  if (Number(row.n) === 0) await initialise(services, config, log);
}
