/**
 * Which route a request path belongs to: the label of its metrics and access log, and what decides
 * whether it is rate limited and logged at info level.
 */

/** The route of a path; `ccompatPrefix` is where the Confluent-compatible API is served, if anywhere. */
export function routeOf(path: string, ccompatPrefix?: string): string {
  if (path === '/graphql') return 'graphql';
  if (ccompatPrefix && (path === ccompatPrefix || path.startsWith(`${ccompatPrefix}/`))) return 'ccompat';
  const prefixes: [string, string][] = [
    ['/npm/', 'npm'],
    ['/maps/', 'maps'],
    ['/exports/', 'exports'],
    ['/imports/', 'imports'],
    ['/reconciliations/', 'reconciliations'],
    ['/console/', 'console'],
    ['/auth/', 'auth'],
    ['/graphiql/', 'graphiql'],
    ['/docs/', 'docs'],
  ];
  for (const [prefix, route] of prefixes) if (path.startsWith(prefix)) return route;
  if (path === '/console') return 'console';
  if (path === '/docs') return 'docs';
  if (path === '/asyncapi.json') return 'asyncapi';
  if (['/health', '/ready', '/metrics'].includes(path)) return path.slice(1);
  return path === '/' ? 'index' : 'other';
}

/** Routes that act for a caller: each request takes from the caller's rate limit. */
export const RATE_LIMITED = new Set([
  'graphql',
  'maps',
  'exports',
  'imports',
  'reconciliations',
  'npm',
  'ccompat',
]);

/** Routes whose requests are logged at info level (probes, scrapes and assets would drown the log). */
export const INFO_LOGGED = new Set(['graphql', 'npm', 'ccompat', 'maps', 'exports', 'other']);
