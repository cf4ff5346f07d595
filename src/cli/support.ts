/** Canon's services on the configured database, for the CLI commands that work on it directly. */
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createServices, type Services } from '../services.ts';
import { initialiseOnce, openCanonDatabase } from '../startup.ts';

export { systemContext } from '../startup.ts';

/**
 * Runs `run` with Canon's services on the configured database (migrated on open). The first-start
 * tasks run only on a database that never had them, not on every command.
 */
export async function withServices<T>(purpose: string, run: (services: Services) => Promise<T>): Promise<T> {
  const { services, close } = await openServices(purpose);
  try {
    return await run(services);
  } finally {
    await close();
  }
}

/** Canon's services on the configured database, and how to close it (releasing the data folder). */
export async function openServices(
  purpose: string,
): Promise<{ services: Services; close: () => Promise<void> }> {
  const config = loadConfig();
  const db = await openCanonDatabase(config, purpose);
  try {
    const services = createServices(db.orm, {
      packageScope: config.packageScope,
      nats: config.nats,
      databaseUrl: config.databaseUrl,
    });
    await initialiseOnce(services, { ...config, environment: 'production' }, createLogger('warn'));
    return {
      services,
      close: async () => {
        await services.relay.stop(); // a replay run offline opened a NATS connection
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
