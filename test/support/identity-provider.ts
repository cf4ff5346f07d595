/**
 * A real OpenID Connect provider (npm `oidc-provider`) on loopback for the sign-in tests. People are
 * clients of the client-credentials grant: each gets RFC 9068 JWT access tokens for the requested
 * resource (the audience), carrying the groups and name the test gives them. Its signing keys are
 * the test's, so a test can rotate them by starting the provider again on the same port.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  privateKey: CryptoKey;
}

export async function signingKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, privateJwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' } };
}

export interface Person {
  groups?: string[] | string;
  username?: string;
}

export interface IdentityProvider {
  issuer: string;
  port: number;
  /** People by client id; changing an entry changes the claims of the next token. */
  people: Map<string, Person>;
  token(clientId: string, options?: { resource?: string; ttlSeconds?: number }): Promise<string>;
  close(): Promise<void>;
}

export const CANON_AUDIENCE = 'https://canon.test';

/** Starts a provider; `keys[0]` signs. `port` 0 picks a free one; `issuer` overrides the advertised issuer. */
export async function startIdentityProvider(
  options: {
    keys: SigningKey[];
    port?: number;
    issuer?: string;
    people?: Map<string, Person>;
    /** A public client for a browser sign-in (authorization code + PKCE) with its login form. */
    browserClient?: { clientId: string; redirectUri: string };
  } = { keys: [] },
): Promise<IdentityProvider> {
  const people = options.people ?? new Map<string, Person>();
  let ttlSeconds = 300;
  let issuer = options.issuer ?? '';
  // the issuer must be known before the provider exists; with port 0 the port is known only after
  // listening, so a placeholder server finds a free port first
  let port = options.port ?? 0;
  if (port === 0) {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
  }
  issuer ||= `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    jwks: { keys: options.keys.map((k) => k.privateJwk) as never },
    clients: [
      ...[...people.keys()].map((id) => ({
        client_id: id,
        client_secret: `secret-${id}`,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      })),
      ...(options.browserClient
        ? [
            {
              client_id: options.browserClient.clientId,
              token_endpoint_auth_method: 'none' as const,
              grant_types: ['authorization_code'],
              response_types: ['code' as const],
              redirect_uris: [options.browserClient.redirectUri],
            },
          ]
        : []),
    ],
    // the login form of oidc-provider's development interactions: any login name signs in
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    scopes: ['openid', 'profile', 'canon'],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: Boolean(options.browserClient) },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => CANON_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: 'canon',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttlSeconds,
          jwt: { sign: { alg: options.keys[0].privateJwk.alg as 'RS256' } },
        }),
      },
    },
    ttl: { ClientCredentials: () => ttlSeconds },
    extraTokenClaims: (_ctx, token) => {
      const { accountId, clientId } = token as { accountId?: string; clientId?: string };
      const person = people.get(accountId ?? clientId ?? '') ?? {};
      return { groups: person.groups, preferred_username: person.username };
    },
  });
  const server = provider.listen(port, '127.0.0.1' as never);
  await new Promise<void>((r, reject) => {
    server.once('listening', () => r());
    server.once('error', reject);
  });
  return {
    issuer,
    port,
    people,
    async token(clientId, tokenOptions = {}) {
      ttlSeconds = tokenOptions.ttlSeconds ?? 300;
      const body = await postForm(
        `http://127.0.0.1:${port}/token`,
        {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:secret-${clientId}`).toString('base64')}`,
        },
        new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'canon',
          resource: tokenOptions.resource ?? CANON_AUDIENCE,
        }).toString(),
      );
      if (!body.access_token) throw new Error(`the provider refused a token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

/** A POST on a connection of its own: a pooled one may point at a provider the test has just restarted. */
function postForm(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ access_token?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve(JSON.parse(text) as { access_token?: string }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
