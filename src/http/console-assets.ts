/**
 * Serves the steward console's built files (src/console/dist) under /console/: hashed assets with
 * long caching, every other path the single-page application's index.html (deep links and reloads
 * land on the right screen), all with a Content-Security-Policy that allows no inline script. The
 * console is an ordinary client of /graphql on the same origin; nothing here knows its screens.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_DIST = resolve(fileURLToPath(import.meta.url), '../../console/dist');

/**
 * Scripts only from this origin (no inline script, no eval); Mantine writes its theme variables in
 * a style element, so inline styles are allowed. Nothing may frame the console (clickjacking).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function createConsoleHandler(dist = CONSOLE_DIST) {
  // index.html names the hashed assets of its build: re-read when a rebuild replaces it
  let index: { body: Buffer; mtimeMs: number } | null = null;
  const readIndex = async (): Promise<Buffer | null> => {
    const file = join(dist, 'index.html');
    const info = await stat(file).catch(() => null);
    if (!info) return null;
    if (!index || index.mtimeMs !== info.mtimeMs)
      index = { body: await readFile(file), mtimeMs: info.mtimeMs };
    return index.body;
  };
  return async (res: ServerResponse, path: string, method: string, requestId: string): Promise<void> => {
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'x-request-id': requestId });
      res.end();
      return;
    }
    if (path === '/console') {
      res.writeHead(308, { location: '/console/', 'x-request-id': requestId });
      res.end();
      return;
    }
    let relative: string;
    try {
      relative = normalize(decodeURIComponent(path.slice('/console/'.length)));
    } catch {
      res.writeHead(400, { 'x-request-id': requestId });
      res.end();
      return;
    }
    const file = join(dist, relative);
    if (relative.startsWith('assets/') && file.startsWith(`${dist}/assets/`) && extname(file)) {
      const info = await stat(file).catch(() => null);
      if (info?.isFile()) {
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': info.size,
          // file names carry a content hash: a new build is a new name
          'cache-control': 'public, max-age=31536000, immutable',
          'x-request-id': requestId,
        });
        if (method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
        return;
      }
      res.writeHead(404, { ...SECURITY_HEADERS, 'x-request-id': requestId });
      res.end();
      return;
    }
    const body = await readIndex();
    if (!body) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': requestId });
      res.end(
        'The steward console is not built: run `npm run console:build` (npm install and npm start do).\n',
      );
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': TYPES['.html'],
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-request-id': requestId,
    });
    res.end(method === 'HEAD' ? undefined : body);
  };
}
