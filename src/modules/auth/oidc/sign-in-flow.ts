/**
 * The console's sign-in with the identity provider: the OAuth 2.0 authorization-code flow with PKCE
 * (RFC 7636), run by Canon itself so the browser never talks to the provider's token endpoint (no
 * CORS, and the console's CSP stays `connect-src 'self'`).
 *
 *   GET /auth/options   → whether the console offers "Sign in with <provider>"
 *   GET /auth/sign-in   → 302 to the provider's authorization endpoint; state and the PKCE verifier
 *                         travel in an HttpOnly cookie scoped to /auth, good for ten minutes
 *   GET /auth/callback  → checks the state, exchanges the code (with the verifier) for tokens,
 *                         verifies the access token exactly as every API call does (issuer,
 *                         audience, algorithm, groups → role), then 302 to the console with the
 *                         token in the URL fragment (never sent to a server, never logged), which
 *                         the console moves into the tab's sessionStorage at once
 *
 * Every failure lands on the console's sign-in page with a sentence (`#error=`), never a stack.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CanonError } from '../../../errors.ts';
import type { OidcVerifier } from './jwt-verifier.ts';
import type { OidcSettings } from './oidc-settings.ts';

const COOKIE = 'canon_oidc';
const FLOW_SECONDS = 600;

interface ProviderEndpoints {
  authorization_endpoint: string;
  token_endpoint: string;
}

export interface SignInFlowOptions {
  settings: OidcSettings;
  verifier: OidcVerifier;
  /** Canon's address as browsers reach it; default: from the request's Host header. */
  publicUrl?: string;
}

export class SignInFlow {
  private readonly options: SignInFlowOptions;
  private endpoints: Promise<ProviderEndpoints> | null = null;

  constructor(options: SignInFlowOptions) {
    this.options = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const client = this.options.settings.console;
    if (path === '/auth/options') {
      send(
        res,
        200,
        client ? { identityProvider: { name: client.displayName } } : { identityProvider: null },
      );
      return;
    }
    if (!client || (path !== '/auth/sign-in' && path !== '/auth/callback')) {
      send(res, 404, { errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    try {
      if (path === '/auth/sign-in') await this.start(req, res, client);
      else await this.finish(req, res, client);
    } catch (error) {
      const message = error instanceof CanonError ? error.message : 'Signing in failed; try again.';
      redirect(res, `/console/sign-in#error=${encodeURIComponent(message)}`, clearCookie());
    }
  }

  private async start(req: IncomingMessage, res: ServerResponse, client: ConsoleClient): Promise<void> {
    const { authorization_endpoint } = await this.providerEndpoints();
    const state = randomBytes(24).toString('base64url');
    const verifier = randomBytes(48).toString('base64url');
    const url = new URL(authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: this.callbackUrl(req),
      scope: client.scopes,
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      // RFC 8707: ask for a token meant for Canon (providers that do not know it ignore it)
      resource: this.options.settings.audience,
    }).toString();
    redirect(
      res,
      url.toString(),
      `${COOKIE}=${state}.${verifier}; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=${FLOW_SECONDS}${secure(req)}`,
    );
  }

  private async finish(req: IncomingMessage, res: ServerResponse, client: ConsoleClient): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://canon').searchParams;
    const providerError = query.get('error');
    if (providerError)
      throw new CanonError(
        'UNAUTHENTICATED',
        `The identity provider refused the sign-in (${providerError}${query.get('error_description') ? `: ${query.get('error_description')}` : ''}).`,
      );
    const [state, verifier] = (cookieOf(req, COOKIE) ?? '').split('.');
    if (!state || !verifier || query.get('state') !== state)
      throw new CanonError('UNAUTHENTICATED', 'The sign-in expired or was started elsewhere; sign in again.');
    const code = query.get('code');
    if (!code) throw new CanonError('UNAUTHENTICATED', 'The identity provider sent no authorization code.');
    const token = await this.exchange(req, client, code, verifier);
    await this.options.verifier.verify(token); // refuse here what every API call would refuse
    redirect(res, `/console/sign-in#token=${encodeURIComponent(token)}`, clearCookie());
  }

  private async exchange(req: IncomingMessage, client: ConsoleClient, code: string, verifier: string) {
    const { token_endpoint } = await this.providerEndpoints();
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.callbackUrl(req),
      code_verifier: verifier,
      client_id: client.clientId,
    });
    if (client.clientSecret)
      headers.authorization = `Basic ${Buffer.from(
        `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
      ).toString('base64')}`;
    const response = await fetch(token_endpoint, {
      method: 'POST',
      headers,
      body: form,
      signal: AbortSignal.timeout(10_000),
    }).catch(() => {
      throw new CanonError('SERVICE_UNAVAILABLE', 'The identity provider could not be reached; try again.');
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string };
    if (!response.ok || typeof body.access_token !== 'string')
      throw new CanonError(
        'UNAUTHENTICATED',
        `The identity provider did not issue a token (${body.error ?? `HTTP ${response.status}`}).`,
      );
    return body.access_token;
  }

  private callbackUrl(req: IncomingMessage): string {
    const base = this.options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
    return `${base.replace(/\/$/, '')}/auth/callback`;
  }

  private providerEndpoints(): Promise<ProviderEndpoints> {
    this.endpoints ??= discover(this.options.settings.issuer);
    const pending = this.endpoints;
    pending.catch(() => {
      if (this.endpoints === pending) this.endpoints = null;
    });
    return pending.catch(() => {
      throw new CanonError('SERVICE_UNAVAILABLE', 'The identity provider could not be reached; try again.');
    });
  }
}

type ConsoleClient = NonNullable<OidcSettings['console']>;

async function discover(issuer: string): Promise<ProviderEndpoints> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const doc = (await response.json()) as Partial<ProviderEndpoints> & { issuer?: string };
  if (doc.issuer !== issuer || !doc.authorization_endpoint || !doc.token_endpoint)
    throw new Error(`${url} is not the discovery document of ${issuer}`);
  return { authorization_endpoint: doc.authorization_endpoint, token_endpoint: doc.token_endpoint };
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

const secure = (req: IncomingMessage) =>
  (req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'] === 'https'
    ? '; Secure'
    : '';
const clearCookie = () => `${COOKIE}=; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=0`;

function redirect(res: ServerResponse, location: string, cookie: string): void {
  res.writeHead(302, {
    location,
    'set-cookie': cookie,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end();
}

/** /auth/ when no identity provider is configured: the console offers the token form only. */
export async function withoutIdentityProvider(res: ServerResponse, path: string): Promise<void> {
  if (path === '/auth/options') send(res, 200, { identityProvider: null });
  else send(res, 404, { errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}
