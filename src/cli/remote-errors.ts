/**
 * What to tell a user whose `--url` did not answer as a Canon: the address, the reason in words
 * (refused, unknown host, timed out, TLS) and what to check, never a bare "fetch failed".
 */
import { CanonError } from '../errors.ts';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening there (is Canon running, on this port?)',
  ENOTFOUND: 'the host name is unknown (check the spelling, or DNS)',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS)',
  ECONNRESET: 'the connection was reset (a proxy or a server restarting?)',
  EHOSTUNREACH: 'the host is unreachable from here (network or firewall)',
  ENETUNREACH: 'the network is unreachable from here',
  ETIMEDOUT: 'the connection timed out (network or firewall)',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out (network or firewall)',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed (set NODE_EXTRA_CA_CERTS to trust it)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is not trusted (set NODE_EXTRA_CA_CERTS)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate could not be verified (set NODE_EXTRA_CA_CERTS)',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
};

function causeCode(error: unknown): string | undefined {
  let e = error as { code?: string; cause?: unknown } | undefined;
  for (let i = 0; e && i < 5; i++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

export function explainFetchFailure(error: unknown, url: string, timeoutMs: number): CanonError {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new CanonError(
      'SERVICE_UNAVAILABLE',
      `Canon at ${url} did not answer within ${Math.round(timeoutMs / 1000)} s; check that it is up (${url}/ready).`,
    );
  const code = causeCode(error);
  const reason = (code && REASONS[code]) ?? `${code ?? (error as Error).message}`;
  return new CanonError(
    'SERVICE_UNAVAILABLE',
    `Cannot reach Canon at ${url}: ${reason}. Check --url or CANON_URL.`,
  );
}

/** An answer that is not GraphQL: a proxy's page, a wrong path, a server error. */
export function explainHttpStatus(status: number, url: string, body: string): CanonError {
  const excerpt = body.replace(/\s+/g, ' ').slice(0, 120);
  if (status === 401)
    return new CanonError(
      'UNAUTHENTICATED',
      `Canon at ${url} refused the token (401); check --token or CANON_TOKEN.`,
    );
  if (status === 404)
    return new CanonError(
      'NOT_FOUND',
      `${url}/graphql does not exist (404): is ${url} a Canon server? Give its base address, without /graphql.`,
    );
  if (status === 429)
    return new CanonError('RATE_LIMITED', `Canon at ${url} is rate limiting this token; retry later.`);
  if (status >= 500)
    return new CanonError('SERVICE_UNAVAILABLE', `Canon at ${url} failed (${status}): ${excerpt}`);
  return new CanonError('BAD_USER_INPUT', `${url} did not answer as Canon (HTTP ${status}): ${excerpt}`);
}
