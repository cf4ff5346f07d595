/**
 * GraphiQL served by Canon itself, so the IDE works on a plant network without internet. graphql-yoga's
 * default page loads GraphiQL from a public CDN; the files here come from the npm package
 * @graphql-yoga/render-graphiql (installed with the project, version pinned), split into cacheable
 * files under /graphiql/<version>/ instead of one 9 MB page. The page itself carries no inline script:
 * its options travel as JSON in a data element that boot.js reads.
 */

import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { GraphiQLOptions } from 'graphql-yoga';

const PACKAGE = '@graphql-yoga/render-graphiql';
const VERSION = (createRequire(import.meta.url)(`${PACKAGE}/package.json`) as { version: string }).version;

export const GRAPHIQL_ASSETS = `/graphiql/${VERSION}/`;

/** Monaco runs its language services in workers; they load from this origin like the rest. */
const BOOT_SCRIPT = `(function () {
  var base = ${JSON.stringify(GRAPHIQL_ASSETS)};
  var workers = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) { return base + (workers[label] || workers.editorWorkerService); },
  };
  var options = JSON.parse(document.getElementById('graphiql-options').textContent);
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
})();
`;

/** Scripts and workers from this origin only; GraphiQL's theme sets inline styles. */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page yoga answers on GET /graphql from a browser (its `renderGraphiQL` hook). */
export function renderGraphiQLPage(options: GraphiQLOptions = {}): string {
  // `<` is escaped so no option value can close the data element
  const json = JSON.stringify(options).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
<link rel="icon" href="${GRAPHIQL_ASSETS}favicon.ico">
<link rel="stylesheet" href="${GRAPHIQL_ASSETS}graphiql.css">
</head>
<body class="no-focus-outline">
<noscript>GraphiQL needs JavaScript.</noscript>
<div id="root"></div>
<script type="application/json" id="graphiql-options">${json}</script>
<script src="${GRAPHIQL_ASSETS}graphiql.js"></script>
<script src="${GRAPHIQL_ASSETS}boot.js"></script>
</body>
</html>
`;
}

interface Asset {
  type: string;
  body: Buffer;
  gzip?: Buffer;
}

type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql');

/** The bundle is 9 MB of strings: loaded when GraphiQL is first opened, never in production. */
async function loadAssets(): Promise<Map<string, Asset>> {
  const b: Bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const js = 'text/javascript; charset=utf-8';
  const text = (type: string, s: string): Asset => ({ type, body: Buffer.from(s) });
  return new Map([
    ['graphiql.js', text(js, b.js)],
    ['graphiql.css', text('text/css; charset=utf-8', b.css)],
    ['boot.js', text(js, BOOT_SCRIPT)],
    ['editor.worker.js', text(js, b.editorWorkerService)],
    ['json.worker.js', text(js, b.jsonWorker)],
    ['graphql.worker.js', text(js, b.graphqlWorker)],
    ['favicon.ico', { type: 'image/x-icon', body: Buffer.from(b.favicon.split(',')[1] ?? '', 'base64') }],
  ]);
}

/** Serves /graphiql/<version>/<file>: immutable (the version is in the path), gzipped when accepted. */
export function createGraphiQLAssetHandler() {
  let assets: Promise<Map<string, Asset>> | null = null;
  return async (
    res: ServerResponse,
    path: string,
    acceptEncoding: string,
    requestId: string,
  ): Promise<void> => {
    assets ??= loadAssets();
    const asset = path.startsWith(GRAPHIQL_ASSETS)
      ? (await assets).get(path.slice(GRAPHIQL_ASSETS.length))
      : undefined;
    if (!asset) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': requestId });
      res.end(`No GraphiQL file at ${path}; this Canon serves ${GRAPHIQL_ASSETS}.`);
      return;
    }
    const gzip = /\bgzip\b/.test(acceptEncoding) && asset.type !== 'image/x-icon';
    if (gzip) asset.gzip ??= gzipSync(asset.body);
    const body = gzip ? (asset.gzip as Buffer) : asset.body;
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': body.length,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'x-request-id': requestId,
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    });
    res.end(body);
  };
}
