/**
 * The composition root: opens the database (PostgreSQL or embedded PGlite), applies migrations,
 * registers the built-in contracts, accepts the bootstrap admin token, wires the services and the
 * HTTP server. No DI container: everything is constructed here, explicitly.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { registerBusinessMetrics } from './business-metrics.ts';
import type { Caller } from './callers.ts';
import type { CanonConfig } from './config.ts';
import { classifyDatabaseError } from './db/error-classes.ts';
import type { Orm } from './db/orm.ts';
import { CanonError } from './errors.ts';
import { CompiledLane } from './graphql/compiled-lane.ts';
import { DEFAULT_QUERY_BUDGET } from './graphql/cost.ts';
import { LiveSchema, registerSchemaMetrics } from './graphql/live-schema.ts';
import { schema } from './graphql/schema.ts';
import { contextFor, createGraphQLHandler } from './graphql/yoga.ts';
import { callerRoute } from './http/caller-route.ts';
import { CONSOLE_DIST, createConsoleHandler } from './http/console-assets.ts';
import { frontDoorLinks, sendFrontDoor } from './http/front-door.ts';
import { createGraphiQLAssetHandler } from './http/graphiql-assets.ts';
import { DEFAULT_RATE_LIMITS, RateLimiter } from './http/rate-limit.ts';
import { createHttpServer, readBody } from './http/server.ts';
import { createLogger, type Logger } from './logger.ts';
import { Metrics, type PoolStats } from './metrics.ts';
import { loadAuditSigningKey, startAuditCheckpoints } from './modules/audit/checkpoint-schedule.ts';
import { withoutIdentityProvider } from './modules/auth/oidc/sign-in-flow.ts';
import { bearerOf, createCcompatHandler } from './modules/ccompat/ccompat-http.ts';
import { asyncApiDocument, asyncApiOptionsOf } from './modules/events/asyncapi.ts';
import { registerRelayMetrics } from './modules/events/relay/relay-metrics.ts';
import { handleImportUpload } from './modules/onboarding/import-upload.ts';
import { handleReconcileUpload } from './modules/onboarding/reconcile-upload.ts';
import { handleNpmRequest } from './modules/publishing/npm-registry.ts';
import { streamMap } from './modules/xref/map-download.ts';
import { registerPropagationMetrics } from './propagation-metrics.ts';
import { createServices, type Services } from './services.ts';
import { initialise, openCanonDatabase } from './startup.ts';
import { CANON_VERSION } from './version.ts';

export interface CanonApp {
  url: string;
  services: Services;
  orm: Orm;
  log: Logger;
  /** A development admin token created on this start (first start of an empty database), or null. */
  devAdminToken: string | null;
  /** The GraphQL schema as the published contracts make it (swapped when they change). */
  liveSchema: LiveSchema;
  close(): Promise<void>;
}

/** How long /ready waits for the database before it answers 503 (probes time out at 2 s and more). */
export const READY_PROBE_TIMEOUT_MS = 1_500;

export async function startCanon(
  config: CanonConfig,
  options: { log?: Logger; onQuery?: (sql: string) => void } = {},
): Promise<CanonApp> {
  const log = options.log ?? createLogger(config.logLevel);
  const signingKey = loadAuditSigningKey(config);
  const db = await openCanonDatabase(config, `canon serve on ${config.host}:${config.port}`, options.onQuery);
  const { orm } = db;
  let open = true;
  const services = createServices(orm, {
    packageScope: config.packageScope,
    credentialCacheMs: config.credentialCacheMs,
    oidc: config.oidc,
    publicUrl: config.publicUrl,
    nats: config.nats,
    databaseUrl: config.databaseUrl,
    exceptionsDefaultQueue: config.exceptionsDefaultQueue,
  });
  let devAdminToken: string | null = null;
  try {
    devAdminToken = await initialise(services, config, log);
  } catch (error) {
    await db.close();
    throw error;
  }

  let lastSeen = await services.changeFeed.latestSequence();
  await services.changeFeed.notifier.start({
    databaseUrl: config.databaseUrl,
    log,
    poll: async () => {
      const latest = await services.changeFeed.latestSequence();
      const news = latest !== lastSeen;
      lastSeen = latest;
      return news;
    },
  });
  services.records.effectiveEvents.start(log);
  services.imports.startReaper(log);
  services.relay.start(log);
  // the schema follows the published contracts: built now, rebuilt after a publication here and,
  // through the change notification, after one on any other replica
  const liveSchema = new LiveSchema(schema, services.contracts.live, log);
  await liveSchema.refresh();
  services.contracts.live.onChanged(() => liveSchema.refresh());
  services.changeFeed.notifier.onChange(() => liveSchema.notified());
  const checkpoints = startAuditCheckpoints(signingKey, config, orm, log);
  const pool = config.databaseUrl
    ? ((await (
        orm.em.getConnection() as unknown as { getNativeClient(): Promise<PoolStats> }
      ).getNativeClient()) as PoolStats)
    : undefined;
  const metrics = new Metrics(
    () => pool,
    () => services.changeFeed.notifier.health(),
  );
  const business = registerBusinessMetrics(metrics.registry, services);
  registerRelayMetrics(metrics.registry, services.relay);
  registerPropagationMetrics(metrics.registry, services);
  registerSchemaMetrics(metrics.registry, liveSchema);
  services.records.onDecided(async (_em, _ctx, crs) => {
    for (const cr of crs) {
      business.decisions.inc({ domain: cr.domain, status: cr.status });
      if (cr.status === 'APPLIED' && (cr.operation === 'MERGE' || cr.operation === 'UNMERGE'))
        business.merges.inc({ domain: cr.domain, operation: cr.operation });
    }
  });
  services.xref.observeLookups((system, domain, kind, ids) =>
    business.xrefResolves.inc({ system, domain, kind }, ids),
  );
  let asyncApi: Record<string, unknown> | undefined;
  const graphql = createGraphQLHandler(config, services, metrics, log, () => liveSchema.schema);
  const compiledLane = new CompiledLane({
    schema: () => liveSchema.schema,
    costBudget: config.queryCostBudget ?? DEFAULT_QUERY_BUDGET,
    callers: services.callers,
    metrics,
    contextFor: (caller, requestId, requestLog) => contextFor(services, caller, requestId, requestLog),
  });
  const limiter = new RateLimiter(config.rateLimits ?? DEFAULT_RATE_LIMITS);
  const asCaller = callerRoute(services.callers);
  const server = createHttpServer({
    rateLimit: async (req) => {
      let caller: Caller | null = null;
      try {
        // Basic credentials carry the token too (the Confluent-compatible API takes them)
        caller = await services.callers.fromHeader(bearerOf(req.headers.authorization));
      } catch (error) {
        // a bad token is answered UNAUTHENTICATED by the route; it is limited like anonymous calls.
        // A caller that could not be checked (the database or the identity provider is down) is
        // not an anonymous one: the route answers SERVICE_UNAVAILABLE, not RATE_LIMITED.
        if (error instanceof CanonError && error.code === 'SERVICE_UNAVAILABLE') return 0;
        if (!(error instanceof CanonError) && classifyDatabaseError(error)) return 0;
      }
      return caller
        ? limiter.take(`actor:${caller.actor.id}`, caller.actor.role)
        : limiter.take(`address:${req.socket.remoteAddress ?? '?'}`, 'anonymous');
    },
    console: createConsoleHandler(),
    graphiql: config.environment === 'production' ? undefined : createGraphiQLAssetHandler(),
    // an API description like introspection: open outside production, a token needed in it (it
    // names the NATS servers), unless CANON_ANONYMOUS_INTROSPECTION says otherwise
    asyncApi: async (req, res, send) => {
      asyncApi ??= asyncApiDocument(asyncApiOptionsOf(config.nats));
      const doc = asyncApi;
      if (config.anonymousIntrospection ?? config.environment !== 'production') return send(doc);
      await asCaller(req, res, async () => send(doc));
    },
    frontDoor: (res, accept, requestId) =>
      sendFrontDoor(
        res,
        accept,
        CANON_VERSION,
        frontDoorLinks({
          console: existsSync(join(CONSOLE_DIST, 'index.html')),
          graphiql: config.environment !== 'production',
        }),
        requestId,
      ),
    auth: (req, res, path) =>
      services.signInFlow ? services.signInFlow.handle(req, res, path) : withoutIdentityProvider(res, path),
    graphql,
    compiledLane,
    metrics,
    log,
    maxBodyBytes: config.maxBodyBytes,
    ccompat:
      config.ccompatPath === null
        ? undefined
        : {
            prefix: config.ccompatPath ?? '/ccompat',
            handle: createCcompatHandler({
              callers: services.callers,
              ccompat: services.ccompat,
              maxBodyBytes: config.maxBodyBytes,
              readBody,
              log,
            }),
          },
    npm: (req, res, path) =>
      handleNpmRequest(req, res, path, {
        callers: services.callers,
        contracts: services.contracts,
        publishing: services.publishing,
        anonymousRead: config.npmAnonymousRead ?? false,
        log,
      }),
    maps: (req, res, system, domain, format) =>
      asCaller(req, res, async (ctx) => {
        await services.xref.requireMapNames(ctx, system, domain);
        await streamMap(req, res, ctx, orm, system, domain, format);
      }),
    imports: (req, res, domain, query) =>
      asCaller(req, res, (ctx) => handleImportUpload(services.imports, ctx, req, res, domain, query)),
    reconciliations: (req, res, domain, query) =>
      asCaller(req, res, (ctx) =>
        handleReconcileUpload(
          { jobs: services.reconcileJobs, imports: services.imports, xref: services.xref },
          ctx,
          req,
          res,
          domain,
          query,
        ),
      ),
    exports: (req, res, domain, query) =>
      asCaller(req, res, async (ctx) => {
        const format = query.get('format') ?? 'ndjson';
        if (format !== 'ndjson' && format !== 'csv')
          throw new CanonError('BAD_USER_INPUT', 'format is ndjson or csv.', { path: ['format'] });
        const asOfText = query.get('asOf');
        const asOf = asOfText ? new Date(asOfText) : undefined;
        if (asOf && Number.isNaN(asOf.getTime()))
          throw new CanonError('BAD_USER_INPUT', 'asOf is an ISO 8601 date and time.', { path: ['asOf'] });
        await services.exports.export(
          ctx,
          {
            domain,
            format,
            asOf,
            system: query.get('system') ?? undefined,
            allStatuses: query.get('status') === 'ALL',
          },
          {
            start: (sequence) =>
              res.writeHead(200, {
                'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
                'x-canon-sequence': sequence,
              }),
            write: async (text) => {
              if (!res.write(text)) await once(res, 'drain');
            },
          },
        );
        res.end();
      }),
    ready: async () => {
      const readyDetails = () => ({
        listener: services.changeFeed.notifier.health(),
        credentialCache: services.callers.cacheBypassed ? 'bypassed while the listener is down' : 'on',
        // informative only: the outbox keeps every event while NATS is away, the relay catches up
        relay: services.relay.summary(),
      });
      if (!open) return { ready: false, reason: 'shutting down' };
      try {
        // another replica's newer code may have migrated past us, or a restore rolled back: ask the
        // database which of this build's migrations it has, every time
        // bounded: a frozen database must not freeze the probe (the orchestrator waits on it)
        let timer: NodeJS.Timeout | undefined;
        const pending = await Promise.race([
          orm.migrator.getPending(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${READY_PROBE_TIMEOUT_MS} ms`)),
              READY_PROBE_TIMEOUT_MS,
            );
          }),
        ]).finally(() => clearTimeout(timer));
        if (pending.length > 0)
          return { ready: false, reason: `migrations not applied: ${pending.map((m) => m.name).join(', ')}` };
        return { ready: true, details: readyDetails() };
      } catch (error) {
        return { ready: false, reason: `database unreachable: ${(error as Error).message}` };
      }
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      open = false;
      await services.records.effectiveEvents.stop();
      // background imports stop after their batch in flight (CANCELLED: resumable)
      await services.imports.stopAll();
      await services.reconcileJobs.stopAll();
      await services.matching.jobs.stopAll();
      await services.consumers.usage.close();
      checkpoints?.stop();
      await services.relay.stop();
      // followers of the change feed end first, so their streams close and the server can stop
      liveSchema.close();
      await services.changeFeed.notifier.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // long-lived subscriptions would hold the close forever
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      await graphql.dispose();
      await db.close();
    })();
    return closing;
  };
  return { url, services, orm, log, devAdminToken, liveSchema, close };
}
