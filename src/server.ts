/** `npm start` / `canon serve`: starts Canon and stops it cleanly on SIGTERM or SIGINT. */
import { startCanon } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DataDirBusyError } from './db/data-dir-lock.ts';
import { DatabaseUnreachableError } from './db/ensure-database.ts';
import { createLogger } from './logger.ts';
import { exporterFromEnv, startTracing } from './telemetry/tracing.ts';

export async function serve(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  // before the database opens, so its statements are traced from the first one (OTEL_* variables)
  const tracing = await startTracing();
  if (tracing) log.info({ exporter: exporterFromEnv() }, 'OpenTelemetry tracing on');
  let app: Awaited<ReturnType<typeof startCanon>>;
  try {
    app = await startCanon(config, { log });
  } catch (error) {
    if (error instanceof DataDirBusyError || error instanceof DatabaseUnreachableError) {
      console.error(error.message);
      process.exit(1);
    }
    log.fatal({ err: error }, 'Canon could not start');
    process.exit(1);
  }
  const database = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  log.info({ url: app.url, database }, 'Canon is listening');
  const banner = [
    '',
    `  Canon is running on ${database}`,
    `  GraphQL:  ${app.url}/graphql${config.environment === 'production' ? '' : '   (GraphiQL: open it in a browser)'}`,
    `  Console:  ${app.url}/console/   (steward console: sign in with an API token)`,
    `  Health:   ${app.url}/health   Ready: ${app.url}/ready   Metrics: ${app.url}/metrics`,
  ];
  if (app.devAdminToken) {
    banner.push(
      '',
      '  A development admin token was created (shown this once; Canon stores only its hash):',
      `    ${app.devAdminToken}`,
      '  Send it as the header   Authorization: Bearer <token>',
    );
  }
  process.stdout.write(`${banner.join('\n')}\n\n`);

  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    app
      .close()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (error) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (import.meta.main) await serve();
