/**
 * /console/ over HTTP: deep links answer the application, hashed assets are cached for good,
 * nothing outside the build can be read (path traversal), every answer carries the CSP, and a
 * missing build is said plainly.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, createConsoleHandler } from '../../src/http/console-assets.ts';

let server: Server;
let url: string;
let missing: Server;
let missingUrl: string;

function serve(dist: string): Promise<[Server, string]> {
  const handle = createConsoleHandler(dist);
  const s = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    handle(res, path, req.method ?? 'GET', 'test').catch((error) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => {
      const address = s.address() as { port: number };
      resolve([s, `http://127.0.0.1:${address.port}`]);
    }),
  );
}

beforeAll(async () => {
  const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(
    join(dist, 'index.html'),
    '<!doctype html><script type="module" src="/console/assets/app-1.js"></script>',
  );
  writeFileSync(join(dist, 'assets/app-1.js'), 'console.log(1)');
  writeFileSync(join(dist, 'secret.txt'), 'not an asset');
  [server, url] = await serve(dist);
  [missing, missingUrl] = await serve(mkdtempSync(join(tmpdir(), 'console-empty-')));
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await new Promise((r) => missing?.close(r));
});

describe('/console/', () => {
  it('answers the application for any screen address (deep links, reloads)', async () => {
    for (const path of ['/console/', '/console/inbox', '/console/records/item/123?asOf=2026-01-01']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(await res.text()).toContain('app-1.js');
    }
  });

  it('redirects /console to /console/', async () => {
    const res = await fetch(`${url}/console`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/console/');
  });

  it('serves hashed assets with long caching, and 404 for an unknown asset', async () => {
    const res = await fetch(`${url}/console/assets/app-1.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/console/assets/nothing.js`)).status).toBe(404);
  });

  it('never reads outside the assets of the build', async () => {
    for (const path of [
      '/console/assets/../secret.txt',
      '/console/assets/%2e%2e/secret.txt',
      '/console/assets/..%2f..%2fpackage.json',
      '/console/secret.txt',
    ]) {
      const res = await fetch(`${url}${path}`);
      const text = await res.text();
      expect(text).not.toContain('not an asset');
      expect(text).not.toContain('"name"');
    }
  });

  it('answers 400 to an address that is not valid percent-encoding', async () => {
    expect((await fetch(`${url}/console/assets/%E0%A4%A`)).status).toBe(400);
  });

  it('refuses writes', async () => {
    const res = await fetch(`${url}/console/inbox`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
  });

  it('says how to build the console when it is not built', async () => {
    const res = await fetch(`${missingUrl}/console/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run console:build');
  });
});
