/**
 * The HTTP front: routes /health, /ready, /metrics, /graphql and /console/ (DESIGN §10) on node:http, with a
 * request id on every request and a body size limit checked before anything is parsed.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { classifyDatabaseError, DATABASE_ERROR_CODES, DATABASE_ERROR_MESSAGES } from '../db/error-classes.ts';
import { httpStatusOf, UNAVAILABLE_RETRY_AFTER_S } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { sendDocs } from './front-door.ts';
import { GRAPHIQL_CSP } from './graphiql-assets.ts';
import { checkRequestBody } from './input-hygiene.ts';
import { INFO_LOGGED, RATE_LIMITED, routeOf } from './routes.ts';
import { sendJsonBody } from './send-json.ts';

export interface HttpDeps {
  /** graphql-yoga's node adapter (whatwg-node): no copy into a WHATWG Request and back. */
  graphql: {
    requestListener: (
      req: IncomingMessage,
      res: ServerResponse,
      ctx: { requestId: string; log: Logger },
    ) => unknown;
  };
  /** Answers repeated GraphQL queries from compiled documents; false = yoga answers (src/graphql/compiled-lane.ts). */
  compiledLane?: {
    handle: (
      req: IncomingMessage,
      res: ServerResponse,
      body: Buffer,
      requestId: string,
      log: Logger,
    ) => Promise<boolean>;
  };
  ready: () => Promise<{ ready: boolean; reason?: string; details?: Record<string, unknown> }>;
  metrics: Metrics;
  log: Logger;
  maxBodyBytes: number;
  /** The npm registry under /npm/. */
  npm: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
  /** The Confluent-compatible registry API under its prefix (undefined: switched off). */
  ccompat?: {
    prefix: string;
    handle: (
      req: IncomingMessage,
      res: ServerResponse,
      path: string,
      query: URLSearchParams,
    ) => Promise<void>;
  };
  /** Map downloads under /maps/{system}/{domain}. */
  maps: (
    req: IncomingMessage,
    res: ServerResponse,
    system: string,
    domain: string,
    format: string,
  ) => Promise<void>;
  /** File uploads that start an import: POST /imports/{domain}. */
  imports: (
    req: IncomingMessage,
    res: ServerResponse,
    domain: string,
    query: URLSearchParams,
  ) => Promise<void>;
  /** File uploads that start a reconciliation: POST /reconciliations/{domain}. */
  reconciliations: (
    req: IncomingMessage,
    res: ServerResponse,
    domain: string,
    query: URLSearchParams,
  ) => Promise<void>;
  /** Record exports under /exports/{domain}. */
  exports: (
    req: IncomingMessage,
    res: ServerResponse,
    domain: string,
    query: URLSearchParams,
  ) => Promise<void>;
  /** Seconds until the caller may send another request (0: now), per token (rate-limit.ts). */
  rateLimit?: (req: IncomingMessage) => Promise<number>;
  /** The console's sign-in with the identity provider under /auth/ (GET only). */
  auth: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
  /** The steward console's files under /console/. */
  console: (res: ServerResponse, path: string, method: string, requestId: string) => Promise<void>;
  /** GraphiQL's own files under /graphiql/ (absent in production, where GraphiQL is off). */
  graphiql?: (res: ServerResponse, path: string, acceptEncoding: string, requestId: string) => Promise<void>;
  /** GET / (front-door.ts). */
  frontDoor: (res: ServerResponse, accept: string, requestId: string) => void;
  /** GET /asyncapi.json: the AsyncAPI document of the change events on NATS. */
  asyncApi: (req: IncomingMessage, res: ServerResponse, send: (doc: unknown) => void) => Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** How long an idle keep-alive connection stays open. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  sendJsonBody(res, status, body, { 'x-request-id': requestId });
}

class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createHttpServer(deps: HttpDeps): Server {
  const { metrics, log } = deps;
  // Idle keep-alive connections stay open longer than load balancers and HTTP clients keep theirs
  // (AWS ALB 60 s, undici 4 s): with Node's 5 s default a client could send a request on a
  // connection the server was closing that moment and get ECONNRESET. Headers must still arrive
  // within a bound, and it is longer than the idle time, as Node requires.
  const server = createServer(
    { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 5_000 },
    async (req, res) => {
      const incoming = req.headers['x-request-id'];
      const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      const path = (req.url ?? '/').split('?')[0];
      const ccompat = deps.ccompat;
      const route = routeOf(path, ccompat?.prefix);
      const requestLog = log.child({ requestId });
      const started = performance.now();
      res.on('finish', () => {
        metrics.httpRequests.inc({ route, status: String(res.statusCode) });
        // probes, scrapes and console assets would drown the access log at info level
        const level = INFO_LOGGED.has(route) ? 'info' : 'debug';
        requestLog[level](
          { method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) },
          'request',
        );
      });
      try {
        if (RATE_LIMITED.has(route) && deps.rateLimit) {
          const retryAfter = await deps.rateLimit(req);
          if (retryAfter > 0) {
            res.setHeader('retry-after', String(retryAfter));
            if (route === 'ccompat') {
              // in the error shape Confluent clients read
              sendJson(
                res,
                429,
                { error_code: 42901, message: `Too many requests for this token; retry in ${retryAfter} s.` },
                requestId,
              );
              req.resume();
              return;
            }
            sendJson(
              res,
              429,
              {
                errors: [
                  {
                    message: `Too many requests for this token; retry in ${retryAfter} s.`,
                    extensions: { code: 'RATE_LIMITED', retryAfter },
                  },
                ],
              },
              requestId,
            );
            req.resume();
            return;
          }
        }
        if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
          deps.frontDoor(res, String(req.headers.accept ?? ''), requestId);
        } else if (route === 'graphiql' && deps.graphiql && req.method === 'GET') {
          await deps.graphiql(res, path, String(req.headers['accept-encoding'] ?? ''), requestId);
        } else if (route === 'docs' && req.method === 'GET') {
          if (path === '/docs') {
            res.writeHead(308, { location: '/docs/', 'x-request-id': requestId });
            res.end();
          } else await sendDocs(res, path, requestId);
        } else if (path === '/asyncapi.json' && req.method === 'GET') {
          await deps.asyncApi(req, res, (doc) => sendJson(res, 200, doc, requestId));
        } else if (path === '/health' && req.method === 'GET') {
          sendJson(res, 200, { status: 'ok' }, requestId);
        } else if (path === '/ready' && req.method === 'GET') {
          const r = await deps.ready();
          sendJson(
            res,
            r.ready ? 200 : 503,
            r.ready ? { status: 'ready', ...r.details } : { status: 'not ready', reason: r.reason },
            requestId,
          );
        } else if (path === '/metrics' && req.method === 'GET') {
          const text = await metrics.registry.metrics();
          res.writeHead(200, { 'content-type': metrics.registry.contentType, 'x-request-id': requestId });
          res.end(text);
        } else if (route === 'maps') {
          const m = /^\/maps\/([a-z0-9-]+)\/([a-z0-9-]+)\/?$/.exec(path);
          if (!m || req.method !== 'GET') {
            sendJson(
              res,
              404,
              {
                errors: [
                  {
                    message: 'Use GET /maps/{system}/{domain}?format=ndjson|csv.',
                    extensions: { code: 'NOT_FOUND' },
                  },
                ],
              },
              requestId,
            );
            return;
          }
          const format = new URL(req.url ?? '/', 'http://x').searchParams.get('format') ?? 'ndjson';
          res.setHeader('x-request-id', requestId);
          await deps.maps(req, res, m[1], m[2], format);
        } else if (route === 'exports') {
          const m = /^\/exports\/([a-z0-9-]+)\/?$/.exec(path);
          if (!m || req.method !== 'GET') {
            sendJson(
              res,
              404,
              {
                errors: [
                  {
                    message: 'Use GET /exports/{domain}?format=ndjson|csv[&asOf=…][&system=…].',
                    extensions: { code: 'NOT_FOUND' },
                  },
                ],
              },
              requestId,
            );
            return;
          }
          res.setHeader('x-request-id', requestId);
          await deps.exports(req, res, m[1], new URL(req.url ?? '/', 'http://x').searchParams);
        } else if (route === 'imports' || route === 'reconciliations') {
          const m = /^\/(?:imports|reconciliations)\/([a-z0-9-]+)\/?$/.exec(path);
          if (!m || req.method !== 'POST') {
            req.resume();
            sendJson(
              res,
              404,
              {
                errors: [
                  {
                    message: `Use POST /${route}/{domain}?system=…&mapping=… with the file as the body.`,
                    extensions: { code: 'NOT_FOUND' },
                  },
                ],
              },
              requestId,
            );
            return;
          }
          res.setHeader('x-request-id', requestId);
          await deps[route](req, res, m[1], new URL(req.url ?? '/', 'http://x').searchParams);
        } else if (route === 'auth') {
          res.setHeader('x-request-id', requestId);
          if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, { allow: 'GET' });
            res.end();
          } else await deps.auth(req, res, path);
        } else if (route === 'console') {
          await deps.console(res, path, req.method ?? 'GET', requestId);
        } else if (route === 'npm') {
          res.setHeader('x-request-id', requestId);
          await deps.npm(req, res, path);
        } else if (route === 'ccompat' && ccompat) {
          res.setHeader('x-request-id', requestId);
          await ccompat.handle(
            req,
            res,
            path.slice(ccompat.prefix.length),
            new URL(req.url ?? '/', 'http://x').searchParams,
          );
        } else if (path === '/graphql') {
          res.setHeader('x-request-id', requestId);
          // the GraphiQL page (GET from a browser) runs no inline script and loads only from here
          if (req.method === 'GET' && /text\/html/.test(String(req.headers.accept ?? '')))
            res.setHeader('content-security-policy', GRAPHIQL_CSP);
          if (req.method !== 'GET' && req.method !== 'HEAD') {
            // read here, under the size limit; the adapter takes a body already read from `req.body`
            const body = await readBody(req, deps.maxBodyBytes);
            const problem = body.length > 0 ? checkRequestBody(body.toString('utf8')) : null;
            if (problem) {
              sendJson(
                res,
                400,
                {
                  errors: [
                    { message: problem.message, extensions: { code: 'BAD_USER_INPUT', path: problem.path } },
                  ],
                },
                requestId,
              );
              return;
            }
            if (body.length > 0) {
              if (await deps.compiledLane?.handle(req, res, body, requestId, requestLog)) return;
              (req as IncomingMessage & { body?: Buffer }).body = body;
            }
          }
          await deps.graphql.requestListener(req, res, { requestId, log: requestLog });
        } else {
          sendJson(
            res,
            404,
            {
              errors: [{ message: `No route for ${req.method} ${path}.`, extensions: { code: 'NOT_FOUND' } }],
            },
            requestId,
          );
        }
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          sendJson(
            res,
            413,
            {
              errors: [
                {
                  message: `The request body exceeds ${deps.maxBodyBytes} bytes.`,
                  extensions: { code: 'PAYLOAD_TOO_LARGE' },
                },
              ],
            },
            requestId,
          );
          req.resume();
          return;
        }
        const kind = classifyDatabaseError(error);
        if (kind && !res.headersSent) {
          const code = DATABASE_ERROR_CODES[kind];
          if (code === 'SERVICE_UNAVAILABLE') res.setHeader('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
          requestLog.warn({ err: error }, 'request refused');
          sendJson(
            res,
            httpStatusOf(code),
            { errors: [{ message: DATABASE_ERROR_MESSAGES[kind], extensions: { code } }] },
            requestId,
          );
          return;
        }
        requestLog.error({ err: error }, 'request failed');
        if (!res.headersSent) {
          sendJson(
            res,
            500,
            { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
            requestId,
          );
        } else res.end();
      }
    },
  );
  return server;
}
