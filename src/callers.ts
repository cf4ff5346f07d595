/**
 * Who is calling, from an `Authorization: Bearer <token>` header — one place for GraphQL, the map
 * download and the npm registry. A connector comes with its system's system-of-record rules. Answers
 * go through the credential cache (src/modules/auth/credential-cache.ts), which the auth and
 * systems services empty whenever a token, a system or a rule changes.
 */

import { CanonError } from './errors.ts';
import { type AppAbility, defineAbilityFor } from './modules/auth/ability.ts';
import type { Actor } from './modules/auth/actor-context.ts';
import type { AuthService } from './modules/auth/auth.service.ts';
import { CredentialCache } from './modules/auth/credential-cache.ts';
import type { CredentialChanges } from './modules/auth/credential-changes.ts';
import type { IdentityActors } from './modules/auth/oidc/identity-actors.ts';
import { looksLikeJwt, type OidcVerifier } from './modules/auth/oidc/jwt-verifier.ts';
import { hashToken } from './modules/auth/token-format.ts';
import type { OwnershipRule } from './modules/systems/ownership.ts';
import type { SystemsService } from './modules/systems/systems.service.ts';

/**
 * How long a caller is remembered. Changes anywhere empty every replica's cache at once (NOTIFY);
 * should a notification be lost, this bounds how long another replica may accept a revoked token.
 */
export const CREDENTIAL_CACHE_MS = 2_000;

export interface Caller {
  actor: Actor;
  ownership: OwnershipRule[];
  /** The caller's CASL ability, built once per cached lookup (abilities are immutable once built). */
  ability: AppAbility;
}

/** The ability of a request without a token: built once. */
export const ANONYMOUS_ABILITY = defineAbilityFor(null);

export interface CallersOptions {
  /** Entry lifetime; default CREDENTIAL_CACHE_MS. */
  cacheMs?: number;
  /** Tells the other replicas (PostgreSQL NOTIFY on CREDENTIALS_CHANNEL); they forget too. */
  broadcast?: () => Promise<void>;
  /** Identity-provider JWTs accepted beside API tokens (people signing in); none: tokens only. */
  identities?: { verifier: OidcVerifier; actors: IdentityActors };
}

export class Callers {
  private readonly cache: CredentialCache<Caller>;
  private readonly auth: AuthService;
  private readonly systems: SystemsService;
  private readonly identities: CallersOptions['identities'];

  constructor(
    auth: AuthService,
    systems: SystemsService,
    changes: CredentialChanges,
    options: CallersOptions = {},
  ) {
    this.auth = auth;
    this.systems = systems;
    this.identities = options.identities;
    this.cache = new CredentialCache<Caller>(options.cacheMs ?? CREDENTIAL_CACHE_MS);
    changes.onChange(async () => {
      this.cache.invalidate();
      // a lost notification leaves other replicas with the TTL as their bound
      await options.broadcast?.().catch(() => {});
    });
  }

  /** While the change listener is down, callers are not cached (other replicas' revocations could be missed). */
  setListenerDown(down: boolean): void {
    this.cache.setBypass(down);
  }

  get cacheBypassed(): boolean {
    return this.cache.bypassed;
  }

  /** Forgets every cached caller (another replica changed credentials). */
  forgetAll(): void {
    this.cache.invalidate();
  }

  /**
   * null without a header; UNAUTHENTICATED for a header that is not "Bearer <token>" or a token
   * that is unknown, expired or revoked. With an identity provider configured, a JWT is verified
   * against it instead (src/modules/auth/oidc/).
   */
  async fromHeader(header: string | null | undefined): Promise<Caller | null> {
    if (!header) return null;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new CanonError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
    const token = m[1];
    if (this.identities && looksLikeJwt(token)) return this.fromIdentityToken(token, this.identities);
    return this.cache.get(hashToken(token), async () => {
      const { tokenExpiresAt, ...actor } = await this.auth.authenticate(token);
      // a deactivated system's connector tokens are disabled with it (and work again when it is
      // reactivated); the cache is emptied whenever a system changes
      if (actor.role === 'connector' && actor.systemCode && !(await this.systems.isActive(actor.systemCode)))
        throw new CanonError(
          'UNAUTHENTICATED',
          `The system ${actor.systemCode} this token acts for is deactivated: its connector tokens are disabled.`,
        );
      const ownership =
        actor.role === 'connector' && actor.systemCode
          ? await this.systems.ownershipOf(actor.systemCode)
          : [];
      return {
        value: { actor, ownership, ability: defineAbilityFor(actor, ownership) },
        expiresAt: tokenExpiresAt,
      };
    });
  }

  /** A person's JWT: verified, its actor found or created; remembered until it expires (or the TTL). */
  private fromIdentityToken(
    jwt: string,
    identities: NonNullable<CallersOptions['identities']>,
  ): Promise<Caller> {
    return this.cache.get(hashToken(jwt), async () => {
      const identity = await identities.verifier.verify(jwt);
      const actor = await identities.actors.actorFor(identity);
      return {
        value: { actor, ownership: [], ability: defineAbilityFor(actor) },
        expiresAt: identity.expiresAt,
      };
    });
  }
}
