/**
 * The npm registry protocol under /npm/ (read-only): packuments (full, and abbreviated for
 * `Accept: application/vnd.npm.install-v1+json`) and tarballs with immutable caching. Plain npm, pnpm
 * and yarn install from it with a scoped registry line and a token in .npmrc.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import semver from 'semver';
import { CanonError } from '../../errors.ts';
import { sendJsonBody } from '../../http/send-json.ts';
import type { Logger } from '../../logger.ts';
import { defineAbilityFor } from '../auth/ability.ts';
import type { Actor } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { PackageVersion } from './package-version.entity.ts';
import type { PublishingService } from './publishing.service.ts';

export interface NpmRegistryDeps {
  /** Who is calling, from the Authorization header (src/callers.ts). */
  callers: { fromHeader(header: string): Promise<{ actor: Actor } | null> };
  contracts: ContractsService;
  publishing: PublishingService;
  anonymousRead: boolean;
  log: Logger;
}

const ABBREVIATED = 'application/vnd.npm.install-v1+json';

const send = sendJsonBody;

/** Splits `/npm/@scope%2fname[/-/file.tgz]` into the package name and an optional tarball file. */
export function parseNpmPath(path: string): { name: string; file?: string } | undefined {
  let rest: string;
  try {
    rest = decodeURIComponent(path.replace(/^\/npm\/?/, ''));
  } catch {
    return undefined; // bad %-encoding names no package
  }
  const m = /^(@[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*)(?:\/-\/([a-z0-9][a-z0-9._-]*\.tgz))?\/?$/.exec(
    rest,
  );
  return m ? { name: m[1], file: m[2] } : undefined;
}

function baseUrl(req: IncomingMessage): string {
  const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0]?.trim() || 'http';
  return `${proto}://${req.headers.host ?? 'localhost'}`;
}

export async function handleNpmRequest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: NpmRegistryDeps,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, {
      error:
        'Canon builds and publishes packages itself when a contract version is published; this registry is read-only.',
    });
    return;
  }
  let actor: Actor | null = null;
  const header = req.headers.authorization;
  if (header) {
    try {
      actor = (await deps.callers.fromHeader(header))?.actor ?? null;
    } catch (error) {
      if (!(error instanceof CanonError)) throw error;
      send(res, 401, { error: error.message }, { 'www-authenticate': 'Bearer realm="canon"' });
      return;
    }
  } else if (!deps.anonymousRead) {
    send(
      res,
      401,
      { error: 'Authentication required: add //<host>/npm/:_authToken=<token> to .npmrc.' },
      { 'www-authenticate': 'Bearer realm="canon"' },
    );
    return;
  }
  // anonymous reads (when switched on) act as a viewer
  const ability = defineAbilityFor(
    actor ?? { id: 'anonymous', name: 'anonymous', role: 'viewer', systemCode: null, tokenId: null },
  );
  const ctx = {
    actor: actor ?? {
      id: 'anonymous',
      name: 'anonymous',
      role: 'viewer' as const,
      systemCode: null,
      tokenId: null,
    },
    ability,
    requestId: String(res.getHeader('x-request-id') ?? ''),
  };

  const parsed = parseNpmPath(path);
  if (!parsed?.name.startsWith(`${deps.publishing.scope}/`)) {
    send(res, 404, { error: 'Not found' });
    return;
  }
  try {
    if (parsed.file) await sendTarball(req, res, parsed.name, parsed.file, ctx, deps);
    else await sendPackument(req, res, parsed.name, ctx, deps);
  } catch (error) {
    if (error instanceof CanonError && (error.code === 'FORBIDDEN' || error.code === 'UNAUTHENTICATED')) {
      send(res, error.code === 'FORBIDDEN' ? 403 : 401, { error: error.message });
      return;
    }
    throw error;
  }
}

async function sendTarball(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  file: string,
  ctx: Parameters<PublishingService['tarball']>[0],
  deps: NpmRegistryDeps,
): Promise<void> {
  const bare = name.split('/')[1];
  const version = file.startsWith(`${bare}-`) ? file.slice(bare.length + 1, -'.tgz'.length) : '';
  const row = version ? await deps.publishing.tarball(ctx, name, version) : null;
  if (!row) {
    send(res, 404, { error: 'Not found' });
    return;
  }
  const etag = `"${row.integrity}"`;
  const headers = { etag, 'cache-control': 'public, max-age=31536000, immutable' };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const body = Buffer.from(row.tarball as Uint8Array);
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/octet-stream',
    'content-length': String(body.length),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function sendPackument(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  ctx: Parameters<PublishingService['versions']>[0],
  deps: NpmRegistryDeps,
): Promise<void> {
  const rows = await deps.publishing.versions(ctx, name);
  if (rows.length === 0) {
    send(res, 404, { error: 'Not found' });
    return;
  }
  const contract = rows[0].contract;
  const states = contract ? await deps.contracts.versionStates(ctx, contract) : new Map();
  const base = baseUrl(req);
  const bare = name.split('/')[1];
  const deprecationOf = (row: PackageVersion): string | undefined => {
    const state = states.get(row.version);
    if (!state) return undefined;
    if (state.status === 'RETIRED')
      return `Retired contract version${state.deprecationReason ? `: ${state.deprecationReason}` : '.'}`;
    if (state.status === 'DEPRECATED')
      return state.deprecationReason
        ? `Deprecated: ${state.deprecationReason}`
        : 'Deprecated contract version.';
    return undefined;
  };
  const dist = (row: PackageVersion) => ({
    tarball: `${base}/npm/${name}/-/${bare}-${row.version}.tgz`,
    integrity: row.integrity,
    shasum: row.shasum,
  });
  // latest: the highest version that is not deprecated or retired (the highest of all otherwise)
  const byVersion = [...rows].sort((a, b) => semver.compare(a.version, b.version));
  const current = byVersion.filter((r) => !deprecationOf(r));
  const latest = (current.length > 0 ? current : byVersion).at(-1)!.version;
  const modified = new Date(Math.max(...rows.map((r) => r.updatedAt.getTime()))).toISOString();
  const accept = String(req.headers.accept ?? '');

  if (accept.includes(ABBREVIATED)) {
    const versions = Object.fromEntries(
      byVersion.map((r) => {
        const deprecated = deprecationOf(r);
        return [
          r.version,
          {
            name,
            version: r.version,
            dependencies: (r.manifest.dependencies ?? {}) as Record<string, string>,
            dist: dist(r),
            ...(deprecated ? { deprecated } : {}),
          },
        ];
      }),
    );
    send(res, 200, { name, modified, 'dist-tags': { latest }, versions }, { 'content-type': ABBREVIATED });
    return;
  }
  const versions = Object.fromEntries(
    byVersion.map((r) => {
      const deprecated = deprecationOf(r);
      return [
        r.version,
        { ...r.manifest, _id: `${name}@${r.version}`, dist: dist(r), ...(deprecated ? { deprecated } : {}) },
      ];
    }),
  );
  const time: Record<string, string> = {
    created: byVersion[0].createdAt.toISOString(),
    modified,
  };
  for (const r of byVersion)
    time[r.version] = (states.get(r.version)?.publishedAt ?? r.createdAt).toISOString();
  const latestRow = byVersion.find((r) => r.version === latest)!;
  send(res, 200, {
    _id: name,
    name,
    description: latestRow.manifest.description,
    'dist-tags': { latest },
    versions,
    time,
    license: latestRow.manifest.license,
    keywords: latestRow.manifest.keywords,
  });
}
