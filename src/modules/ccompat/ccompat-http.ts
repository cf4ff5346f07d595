/**
 * Confluent Schema Registry's REST API under a configurable prefix (`/ccompat` by default): routing,
 * credentials (Canon's API tokens as Bearer, or as the password of Basic auth, as Confluent clients
 * send them), JSON bodies and Confluent's media type and error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Callers } from '../../callers.ts';
import { CanonError } from '../../errors.ts';
import { sendJsonBody } from '../../http/send-json.ts';
import type { Logger } from '../../logger.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { type CcompatService, parseVersion } from './ccompat.service.ts';
import { badRequest, CcompatError, fromCanonError, invalidMode, unauthorized } from './ccompat-errors.ts';

export const CCOMPAT_MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface CcompatDeps {
  callers: Callers;
  ccompat: CcompatService;
  maxBodyBytes: number;
  readBody: (req: IncomingMessage, limit: number) => Promise<Buffer>;
  log: Logger;
}

type Handler = (
  ctx: CallContext,
  m: RegExpMatchArray,
  q: URLSearchParams,
  body: () => Promise<unknown>,
) => Promise<unknown>;

const seg = '([^/]+)';
const flag = (q: URLSearchParams, name: string) => q.get(name) === 'true';

/**
 * `Basic base64(user:token)` becomes `Bearer token` (a key-only client sends the token as the user
 * name); a Bearer header passes as it is.
 */
export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (!basic) return header;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  const token = password || user;
  if (!token)
    throw unauthorized('Basic credentials carry no token: send the Canon API token as the password.');
  return `Bearer ${token}`;
}

function routes(svc: CcompatService): [string, RegExp, Handler][] {
  const subject = (m: RegExpMatchArray, i = 1) => decodeURIComponent(m[i]);
  return [
    ['GET', /^\/?$/, async () => ({})],
    ['GET', /^\/schemas\/types$/, async () => ['JSON']],
    [
      'GET',
      new RegExp(`^/schemas/ids/${seg}$`),
      async (ctx, m, q) => {
        const v = await svc.byId(ctx, idOf(m[1]));
        const { schema, schemaType, references, guid } = await svc.describe(
          ctx,
          q.get('subject') ?? v.contract,
          v,
        );
        return { schema, schemaType, guid, ...(references ? { references } : {}) };
      },
    ],
    [
      'GET',
      new RegExp(`^/schemas/ids/${seg}/schema$`),
      async (ctx, m) => (await svc.byId(ctx, idOf(m[1]))).schema,
    ],
    [
      'GET',
      new RegExp(`^/schemas/ids/${seg}/subjects$`),
      async (ctx, m) => [(await svc.byId(ctx, idOf(m[1]))).contract],
    ],
    [
      'GET',
      new RegExp(`^/schemas/ids/${seg}/versions$`),
      async (ctx, m) => {
        const v = await svc.byId(ctx, idOf(m[1]));
        return [{ subject: v.contract, version: v.sequence }];
      },
    ],
    [
      'GET',
      new RegExp(`^/schemas/guids/${seg}$`),
      async (ctx, m) => {
        const v = await svc.byId(ctx, decodeURIComponent(m[1]));
        const { schema, schemaType, references } = await svc.describe(ctx, v.contract, v);
        return { schema, schemaType, ...(references ? { references } : {}) };
      },
    ],
    [
      'GET',
      /^\/subjects$/,
      (ctx, _m, q) => svc.subjects(ctx, flag(q, 'deleted'), q.get('subjectPrefix') ?? undefined),
    ],
    [
      'GET',
      new RegExp(`^/subjects/${seg}/versions$`),
      async (ctx, m, q) => (await svc.versions(ctx, subject(m), flag(q, 'deleted'))).map((v) => v.sequence),
    ],
    [
      'GET',
      new RegExp(`^/subjects/${seg}/versions/${seg}$`),
      async (ctx, m, q) =>
        svc.describe(
          ctx,
          subject(m),
          await svc.version(ctx, subject(m), parseVersion(m[2]), flag(q, 'deleted')),
        ),
    ],
    [
      'GET',
      new RegExp(`^/subjects/${seg}/versions/${seg}/schema$`),
      async (ctx, m) => (await svc.version(ctx, subject(m), parseVersion(m[2]))).schema,
    ],
    [
      'POST',
      new RegExp(`^/subjects/${seg}/versions$`),
      async (ctx, m, _q, body) => {
        const v = await svc.register(ctx, subject(m), await body());
        return { id: v.registryId, version: v.sequence, guid: v.guid };
      },
    ],
    [
      'POST',
      new RegExp(`^/subjects/${seg}$`),
      async (ctx, m, _q, body) =>
        svc.describe(ctx, subject(m), await svc.lookup(ctx, subject(m), await body())),
    ],
    [
      'DELETE',
      new RegExp(`^/subjects/${seg}$`),
      (ctx, m, q) => svc.deleteSubject(ctx, subject(m), flag(q, 'permanent')),
    ],
    [
      'DELETE',
      new RegExp(`^/subjects/${seg}/versions/${seg}$`),
      (ctx, m, q) => svc.deleteVersion(ctx, subject(m), parseVersion(m[2]), flag(q, 'permanent')),
    ],
    [
      'POST',
      new RegExp(`^/compatibility/subjects/${seg}/versions$`),
      async (ctx, m, q, body) =>
        verbose(q, await svc.compatibility(ctx, subject(m), undefined, await body())),
    ],
    [
      'POST',
      new RegExp(`^/compatibility/subjects/${seg}/versions/${seg}$`),
      async (ctx, m, q, body) =>
        verbose(q, await svc.compatibility(ctx, subject(m), parseVersion(m[2]), await body())),
    ],
    ['GET', /^\/config$/, async (ctx) => ({ compatibilityLevel: await svc.globalCompatibility(ctx) })],
    [
      'PUT',
      /^\/config$/,
      async (ctx, _m, _q, body) => ({ compatibility: await svc.setGlobalCompatibility(ctx, await body()) }),
    ],
    [
      'GET',
      new RegExp(`^/config/${seg}$`),
      async (ctx, m, q) => ({
        compatibilityLevel: await svc.subjectCompatibility(ctx, subject(m), flag(q, 'defaultToGlobal')),
      }),
    ],
    [
      'PUT',
      new RegExp(`^/config/${seg}$`),
      async (ctx, m, _q, body) => ({
        compatibility: await svc.setSubjectCompatibility(ctx, subject(m), await body()),
      }),
    ],
    [
      'DELETE',
      new RegExp(`^/config/${seg}$`),
      async (ctx, m) => ({
        compatibilityLevel: await svc.resetSubjectCompatibility(ctx, subject(m)),
      }),
    ],
    ['GET', /^\/mode(\/[^/]+)?$/, async () => ({ mode: 'READWRITE' })],
    [
      'PUT',
      /^\/mode(\/[^/]+)?$/,
      async (_ctx, _m, _q, body) => {
        const mode = ((await body()) as Record<string, unknown> | null)?.mode;
        if (mode !== 'READWRITE') throw invalidMode(mode);
        return { mode };
      },
    ],
  ];
}

/** A global schema id in a path: a positive integer (anything else names no schema). */
function idOf(text: string): number {
  return /^\d{1,10}$/.test(text) ? Number(text) : 0;
}

function verbose(q: URLSearchParams, r: { is_compatible: boolean; messages: string[] }) {
  return flag(q, 'verbose') ? r : { is_compatible: r.is_compatible };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonBody(res, status, body, { 'content-type': CCOMPAT_MEDIA_TYPE, ...headers });
}

export function createCcompatHandler(deps: CcompatDeps) {
  const table = routes(deps.ccompat);
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> => {
    try {
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
      const candidates = table.filter(([, pattern]) => pattern.test(path));
      if (candidates.length === 0)
        throw new CcompatError(404, 404, `No Confluent-compatible endpoint ${path}.`);
      const route = candidates.find(([m]) => m === method);
      if (!route) throw new CcompatError(405, 405, `${method} is not supported on ${path}.`);
      const caller = await deps.callers.fromHeader(bearerOf(req.headers.authorization));
      if (!caller)
        throw unauthorized(
          'A Canon API token is required: Basic auth with the token as password, or Bearer.',
        );
      const ctx: CallContext = {
        actor: caller.actor,
        ability: caller.ability,
        requestId: String(res.getHeader('x-request-id') ?? ''),
      };
      const body = async () => {
        let raw: string;
        try {
          raw = (await deps.readBody(req, deps.maxBodyBytes)).toString('utf8');
        } catch {
          throw new CcompatError(413, 413, `The request body exceeds ${deps.maxBodyBytes} bytes.`);
        }
        if (raw.trim() === '') return {};
        try {
          return JSON.parse(raw) as unknown;
        } catch (error) {
          throw badRequest(`The request body is not JSON: ${(error as Error).message}`);
        }
      };
      const result = await route[2](ctx, path.match(route[1])!, query, body);
      send(res, 200, result);
    } catch (error) {
      if (res.headersSent) throw error;
      const e =
        error instanceof CcompatError
          ? error
          : error instanceof CanonError
            ? fromCanonError(error)
            : error instanceof URIError
              ? badRequest('The path has bad %-encoding.')
              : undefined;
      if (!e) {
        deps.log.error({ err: error }, 'Confluent-compatible request failed');
        send(res, 500, { error_code: 50001, message: 'Error in the backend data store' });
        return;
      }
      const headers: Record<string, string> = {};
      if (e.status === 401) headers['www-authenticate'] = 'Basic realm="canon", Bearer';
      if (e.status === 503) headers['retry-after'] = '5';
      send(res, e.status, { error_code: e.errorCode, message: e.message }, headers);
    }
  };
}
