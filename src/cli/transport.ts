/**
 * How a CLI command reaches Canon: through a running server (`--url` + `--token`, or CANON_URL /
 * CANON_TOKEN) over its GraphQL API, or offline on the database itself, where the same GraphQL
 * documents run in this process as the internal system actor. Commands are written once, against
 * GraphQL, and behave the same both ways (same checks, same audit, same typed errors).
 */
import { CanonError, type ErrorDetail } from '../errors.ts';
import { explainFetchFailure, explainHttpStatus } from './remote-errors.ts';

export interface Transport {
  /** Runs one GraphQL operation; top-level errors become a CanonError with their code. */
  call<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Where the command runs, for messages: the server's URL or "the database". */
  where: string;
  /** The server's base URL (remote only), for the HTTP routes beside /graphql. */
  url?: string;
  token?: string;
  close(): Promise<void>;
}

export interface RemoteOptions {
  url?: string;
  token?: string;
}

/** The --url / --token options every command that can run remotely takes. */
export function remoteTarget(opts: RemoteOptions): { url: string; token: string } | null {
  const url = opts.url ?? process.env.CANON_URL;
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CanonError(
      'BAD_USER_INPUT',
      `"${url}" is not a URL; give the server's address, e.g. http://127.0.0.1:4000.`,
      {
        path: ['url'],
      },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new CanonError('BAD_USER_INPUT', `${url}: use an http:// or https:// address.`, { path: ['url'] });
  const token = opts.token ?? process.env.CANON_TOKEN;
  if (!token)
    throw new CanonError(
      'UNAUTHENTICATED',
      `A token is needed to call ${parsed.origin}: give --token or set CANON_TOKEN (create one with "canon token create" or in the console).`,
    );
  return { url: url.replace(/\/+$/, ''), token };
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown; extensions?: { code?: string; path?: unknown } }[];
}

/** A GraphQL answer's errors as one CanonError (the first error's code; every message kept). */
export function throwIfErrors(answer: GraphQLAnswer): void {
  if (!answer.errors?.length) return;
  const [first] = answer.errors;
  const code = (first.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
  const details: ErrorDetail[] = answer.errors.slice(1).map((e) => ({ path: '', message: e.message }));
  throw new CanonError(code as never, first.message, { details });
}

export function remoteTransport(url: string, token: string, timeoutMs = 120_000): Transport {
  const endpoint = `${url}/graphql`;
  return {
    where: url,
    url,
    token,
    async call(query, variables = {}) {
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw explainFetchFailure(error, url, timeoutMs);
      }
      const text = await res.text();
      // a 404 here is a wrong address (Canon answers /graphql with 200 or a GraphQL error status)
      if (res.status === 404) throw explainHttpStatus(res.status, url, text);
      let answer: GraphQLAnswer;
      try {
        answer = JSON.parse(text) as GraphQLAnswer;
      } catch {
        throw explainHttpStatus(res.status, url, text);
      }
      throwIfErrors(answer);
      if (!answer.data) throw explainHttpStatus(res.status, url, text);
      return answer.data as never;
    },
    async close() {},
  };
}

/** The same GraphQL documents on the database, in this process (src/cli/local-graphql.ts). */
export async function localTransport(purpose: string): Promise<Transport> {
  const { openLocalGraphQL } = await import('./local-graphql.ts');
  return openLocalGraphQL(purpose);
}

/** The transport the options ask for: remote when a URL is given (flag or CANON_URL), else local. */
export async function openTransport(opts: RemoteOptions, purpose: string): Promise<Transport> {
  const remote = remoteTarget(opts);
  return remote ? remoteTransport(remote.url, remote.token) : localTransport(purpose);
}

/** Runs `run` with a transport, closing it afterwards (the embedded database's lock is released). */
export async function withTransport<T>(
  opts: RemoteOptions,
  purpose: string,
  run: (t: Transport) => Promise<T>,
): Promise<T> {
  const transport = await openTransport(opts, purpose);
  try {
    return await run(transport);
  } finally {
    await transport.close();
  }
}

/**
 * A mutation's or lookup's payload, or its typed error thrown as a CanonError: every Canon result union
 * has `... on Error { code message details { path message } }` selected as in ERROR_FIELDS.
 */
export function payloadOf<T>(result: unknown, what: string): T {
  const r = result as { code?: unknown; message?: unknown; details?: unknown } | null;
  if (!r) throw new CanonError('NOT_FOUND', `${what} was not found.`);
  // an error member: code, message and details together (no payload type has all three)
  if (typeof r.code === 'string' && typeof r.message === 'string' && Array.isArray(r.details))
    throw new CanonError(r.code as never, r.message, { details: r.details as ErrorDetail[] });
  return result as T;
}

/** The selection that turns a typed error member into something payloadOf understands. */
export const ERROR_FIELDS = '... on Error { code message details { path message } }';
