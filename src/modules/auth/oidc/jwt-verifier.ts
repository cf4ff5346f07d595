/**
 * Verifies identity-provider JWTs with jose: the signature against the issuer's JWKS (downloaded on
 * first use, cached, downloaded again when a token names a key it does not hold — that is how key
 * rotation reaches Canon), the algorithm against the pinned list, then `iss`, `aud`, `exp`, `nbf`.
 * Every refusal is UNAUTHENTICATED with a sentence saying which check failed; an identity provider
 * that cannot be reached is SERVICE_UNAVAILABLE (the caller may retry), never a refusal of the token.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { CanonError } from '../../../errors.ts';
import { displayName, groupsIn } from './claims.ts';
import { type IdentityRole, type OidcSettings, roleForGroups } from './oidc-settings.ts';

export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  name: string;
  role: IdentityRole;
  expiresAt: Date | null;
}

const DISCOVERY_TIMEOUT_MS = 5_000;

/** Three base64url parts: a compact JWS. Canon's own API tokens never contain a dot. */
export function looksLikeJwt(bearer: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(bearer);
}

export class OidcVerifier {
  private readonly settings: OidcSettings;
  private keys: Promise<ReturnType<typeof createRemoteJWKSet>> | null = null;

  constructor(settings: OidcSettings) {
    this.settings = settings;
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  async verify(jwt: string): Promise<VerifiedIdentity> {
    const payload = await this.verifySignatureAndClaims(jwt);
    if (typeof payload.sub !== 'string' || !payload.sub)
      throw new CanonError('UNAUTHENTICATED', 'The identity token has no subject (sub).');
    const groups = groupsIn(payload, this.settings.rolesClaim);
    const role = roleForGroups(this.settings, groups);
    if (!role)
      throw new CanonError(
        'FORBIDDEN',
        `The identity is valid but none of its groups (claim "${this.settings.rolesClaim}") maps to a Canon role.`,
      );
    return {
      issuer: this.settings.issuer,
      subject: payload.sub,
      name: displayName(payload, this.settings.nameClaim),
      role,
      expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
    };
  }

  private async verifySignatureAndClaims(jwt: string): Promise<JWTPayload> {
    const keys = await this.keySet();
    try {
      const { payload } = await jwtVerify(jwt, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: this.settings.algorithms,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (error) {
      throw refusal(error);
    }
  }

  /** The key set, built once from the configured URI or the discovery document; retried after a failure. */
  private keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.keys ??= this.discoverJwksUri().then((uri) =>
      createRemoteJWKSet(new URL(uri), {
        cooldownDuration: this.settings.jwksCooldownMs,
        timeoutDuration: DISCOVERY_TIMEOUT_MS,
      }),
    );
    const keys = this.keys;
    keys.catch(() => {
      if (this.keys === keys) this.keys = null;
    });
    return keys.catch((error: unknown) => {
      throw unavailable(error);
    });
  }

  private async discoverJwksUri(): Promise<string> {
    if (this.settings.jwksUri) return this.settings.jwksUri;
    const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const doc = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for
    if (doc.issuer !== this.settings.issuer)
      throw new Error(`${url} names the issuer ${String(doc.issuer)}, not ${this.settings.issuer}`);
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    return doc.jwks_uri;
  }
}

function unavailable(error: unknown): CanonError {
  return new CanonError(
    'SERVICE_UNAVAILABLE',
    `The identity provider's keys could not be fetched (${(error as Error).message}); try again shortly.`,
  );
}

/** jose's error classes → a sentence; the token itself is never echoed. */
function refusal(error: unknown): CanonError {
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
  )
    return unavailable(error);
  if (error instanceof errors.JWTExpired)
    return new CanonError('UNAUTHENTICATED', 'The identity token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const what =
      error.claim === 'iss'
        ? 'was issued by another identity provider'
        : error.claim === 'aud'
          ? 'is meant for another audience'
          : `failed the "${error.claim}" check (${error.reason})`;
    return new CanonError('UNAUTHENTICATED', `The identity token ${what}.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new CanonError(
      'UNAUTHENTICATED',
      'The identity token is signed with an algorithm Canon does not accept.',
    );
  if (error instanceof errors.JWKSNoMatchingKey)
    return new CanonError(
      'UNAUTHENTICATED',
      'The identity token names a key the identity provider does not publish.',
    );
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new CanonError('UNAUTHENTICATED', 'The identity token signature is not valid.');
  if (error instanceof errors.JOSEError)
    return new CanonError('UNAUTHENTICATED', `The identity token is not valid (${error.code}).`);
  if (
    error instanceof TypeError ||
    (error as Error).name === 'AbortError' ||
    (error as Error).name === 'TimeoutError'
  )
    return unavailable(error);
  throw error;
}
