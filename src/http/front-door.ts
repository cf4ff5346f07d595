/**
 * What `GET /` answers: a small page of links to what this Canon serves (console, GraphiQL, health,
 * metrics, the npm registry, the docs), or the same list as JSON for a client that asks for JSON.
 * And /docs/, the project's own documentation (docs/*.md and the printed schema) as plain text, so
 * the page's links work offline too.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOCS_DIR = resolve(fileURLToPath(import.meta.url), '../../../docs');

export interface FrontDoorLink {
  href: string;
  title: string;
  what: string;
}

export function frontDoorLinks(options: { console: boolean; graphiql: boolean }): FrontDoorLink[] {
  return [
    ...(options.console
      ? [{ href: '/console/', title: 'Steward console', what: 'inbox, records, contracts, systems, audit' }]
      : []),
    {
      href: '/graphql',
      title: options.graphiql ? 'GraphiQL' : 'GraphQL',
      what: options.graphiql
        ? 'the API in the browser (put your token in the Headers tab)'
        : 'the API (POST; GraphiQL is off in production)',
    },
    { href: '/health', title: 'Health', what: 'the process is up' },
    { href: '/ready', title: 'Ready', what: 'database reachable, migrations applied' },
    { href: '/metrics', title: 'Metrics', what: 'Prometheus text format' },
    { href: '/npm/', title: 'npm registry', what: 'type packages of the published contracts' },
    {
      href: '/docs/ccompat.md',
      title: 'Schema registry',
      what: 'Confluent-compatible API under /ccompat (Kafka tools)',
    },
    { href: '/asyncapi.json', title: 'AsyncAPI', what: 'the change events on NATS JetStream (AsyncAPI 3)' },
    { href: '/docs/', title: 'Docs', what: 'API, contracts, operations, errors' },
  ];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function frontDoorHtml(version: string, links: FrontDoorLink[]): string {
  const items = links
    .map((l) => `<li><a href="${l.href}">${escapeHtml(l.title)}</a> — ${escapeHtml(l.what)}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Canon</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style>
</head>
<body>
<h1>Canon <small>${escapeHtml(version)}</small></h1>
<p>Canonical data contracts and governed master data.</p>
<ul>
${items}
</ul>
</body>
</html>
`;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

export function sendFrontDoor(
  res: ServerResponse,
  accept: string,
  version: string,
  links: FrontDoorLink[],
  requestId: string,
): void {
  const json = /application\/json/.test(accept) && !/text\/html/.test(accept);
  const body = json ? JSON.stringify({ name: 'canon', version, links }) : frontDoorHtml(version, links);
  res.writeHead(200, {
    'content-type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...SECURITY_HEADERS,
  });
  res.end(body);
}

/** /docs/ lists the documentation; /docs/<name>.md (or schema.graphql) answers one file as text. */
export async function sendDocs(res: ServerResponse, path: string, requestId: string): Promise<void> {
  const files = existsSync(DOCS_DIR)
    ? readdirSync(DOCS_DIR).filter((f) => /^[a-z0-9-]+\.(md|graphql|json)$/.test(f))
    : [];
  const name = path.slice('/docs/'.length);
  const headers = { 'x-request-id': requestId, ...SECURITY_HEADERS };
  if (name === '') {
    const body = frontDoorHtml(
      'docs',
      files.sort().map((f) => ({ href: `/docs/${f}`, title: f, what: '' })),
    ).replace(/ — <\/li>/g, '</li>');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(body);
    return;
  }
  // only names from the listing: nothing outside docs/ can be asked for
  if (!files.includes(name)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(`No document ${name}; see /docs/ for the list.`);
    return;
  }
  const type = name.endsWith('.json') ? 'application/json' : 'text/plain';
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, ...headers });
  res.end(await readFile(resolve(DOCS_DIR, name)));
}
