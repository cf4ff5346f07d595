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
import { hashToken } from './modules/auth/token-format.ts';
import type { OwnershipRule, SystemsService } from './modules/systems/systems.service.ts';

/** How long another replica may keep accepting a token revoked elsewhere (docs/authorization.md). */
export const CREDENTIAL_CACHE_MS = 2_000;

export interface Caller {
  actor: Actor;
  ownership: OwnershipRule[];
  /** The caller's CASL ability, built once per cached lookup (abilities are immutable once built). */
  ability: AppAbility;
}

/** The ability of a request without a token: built once. */
export const ANONYMOUS_ABILITY = defineAbilityFor(null);

export class Callers {
  private readonly cache = new CredentialCache<Caller>(CREDENTIAL_CACHE_MS);
  private readonly auth: AuthService;
  private readonly systems: SystemsService;

  constructor(auth: AuthService, systems: SystemsService) {
    this.auth = auth;
    this.systems = systems;
    auth.credentialsChanged = () => this.cache.invalidate();
    systems.credentialsChanged = () => this.cache.invalidate();
  }

  /**
   * null without a header; UNAUTHENTICATED for a header that is not "Bearer <token>" or a token
   * that is unknown, expired or revoked.
   */
  async fromHeader(header: string | null | undefined): Promise<Caller | null> {
    if (!header) return null;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new CanonError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
    const token = m[1];
    return this.cache.get(hashToken(token), async () => {
      const { tokenExpiresAt, ...actor } = await this.auth.authenticate(token);
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
}
