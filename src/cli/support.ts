/** What the CLI's command groups share: services on the database, argument parsers, printing rules. */
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createServices, type Services } from '../services.ts';
import { initialiseOnce, openCanonDatabase } from '../startup.ts';

/**
 * Runs `run` with Canon's services on the configured database (migrated on open). The first-start
 * tasks run only on a database that never had them, not on every command.
 */
export async function withServices<T>(purpose: string, run: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openCanonDatabase(config, purpose);
  try {
    const services = createServices(db.orm, { packageScope: config.packageScope });
    await initialiseOnce(services, { ...config, environment: 'production' }, createLogger('warn'));
    return await run(services);
  } finally {
    await db.close();
  }
}

export const list = (v: string) =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export const wholeNumber = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
};

export const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
};
