/**
 * How Canon trusts a company's identity provider: which issuer and audience, which signature
 * algorithms, and how the claims of a verified JWT become a Canon role and an actor name. Parsed
 * once from the environment (src/config.ts) with messages that name the variable.
 */
import type { Role } from '../roles.ts';

/** Roles a person (or a pipeline's workload identity) may get from claims; connectors use API tokens. */
export const IDENTITY_ROLES = ['admin', 'steward', 'viewer', 'pipeline'] as const satisfies readonly Role[];
export type IdentityRole = (typeof IDENTITY_ROLES)[number];

/** Asymmetric JWS algorithms only: a JWKS publishes public keys, and `none` is never a signature. */
export const SUPPORTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export interface OidcSettings {
  /** The `iss` every token must carry, exactly; also where discovery starts. */
  issuer: string;
  /** The `aud` every token must carry (one of them when it is a list). */
  audience: string;
  /** Algorithms accepted in the token header; anything else is refused before a key is looked up. */
  algorithms: string[];
  /** Where the keys are; default: `jwks_uri` of the issuer's discovery document. */
  jwksUri?: string;
  /** Claim holding the groups or roles; a dotted path reaches nested claims (`realm_access.roles`). */
  rolesClaim: string;
  /** Claim naming the person in the audit trail; falls back to `email`, then `sub`. */
  nameClaim: string;
  /** Group → role; a caller with several mapped groups gets the strongest role. */
  groupRoles: Map<string, IdentityRole>;
  /** Role for a verified caller without a mapped group; none: such callers are refused. */
  defaultRole?: IdentityRole;
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. */
  clockToleranceSeconds: number;
  /** Shortest time between two JWKS downloads when a token names an unknown key (jose's cooldown). */
  jwksCooldownMs: number;
  /** The console's client at the provider (authorization code + PKCE); none: the console takes pasted tokens only. */
  console?: {
    clientId: string;
    /** For a confidential client; a public client (PKCE only) has none. */
    clientSecret?: string;
    scopes: string;
    /** Shown on the button: "Sign in with …". */
    displayName: string;
  };
}

/** Strongest first: the order in which several mapped groups decide. */
const ROLE_STRENGTH: readonly IdentityRole[] = ['admin', 'steward', 'pipeline', 'viewer'];

export function isIdentityRole(value: string): value is IdentityRole {
  return (IDENTITY_ROLES as readonly string[]).includes(value);
}

/** "canon-admins=admin,canon-stewards=steward" → a map; throws a sentence naming the bad entry. */
export function parseGroupRoles(text: string | undefined): Map<string, IdentityRole> {
  const map = new Map<string, IdentityRole>();
  if (!text) return map;
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    const group = entry.slice(0, at).trim();
    const role = entry.slice(at + 1).trim();
    if (at <= 0 || !group) throw new Error(`"${entry}" is not group=role`);
    if (!isIdentityRole(role))
      throw new Error(
        `"${entry}": the role must be one of ${IDENTITY_ROLES.join(', ')} (connectors use API tokens)`,
      );
    map.set(group, role);
  }
  return map;
}

export function parseAlgorithms(text: string | undefined): string[] {
  const list = (text ?? 'RS256')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const alg of list)
    if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg))
      throw new Error(`"${alg}" is not accepted; use one or more of ${SUPPORTED_ALGORITHMS.join(', ')}`);
  if (list.length === 0) throw new Error('name at least one algorithm');
  return list;
}

/** The strongest role among the caller's groups, else the default role, else null. */
export function roleForGroups(settings: OidcSettings, groups: readonly string[]): IdentityRole | null {
  const granted = new Set(groups.map((g) => settings.groupRoles.get(g)).filter((r) => r !== undefined));
  return ROLE_STRENGTH.find((r) => granted.has(r)) ?? settings.defaultRole ?? null;
}
