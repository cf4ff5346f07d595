/**
 * The CANON_OIDC_* variables (docs/operations.md): validated with the rest of the configuration, so
 * a mistyped group table or algorithm stops the start with a message naming the variable.
 */
import { z } from 'zod';
import { IDENTITY_ROLES, type OidcSettings, parseAlgorithms, parseGroupRoles } from './oidc-settings.ts';

const checked =
  (parse: (text: string | undefined) => unknown) => (value: string | undefined, ctx: z.RefinementCtx) => {
    try {
      parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  };

export const OIDC_ENV = {
  CANON_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  CANON_OIDC_AUDIENCE: z.string().min(1).optional(),
  CANON_OIDC_ALGORITHMS: z.string().optional().superRefine(checked(parseAlgorithms)),
  CANON_OIDC_JWKS_URI: z.url({ protocol: /^https?$/ }).optional(),
  CANON_OIDC_ROLES_CLAIM: z.string().min(1).default('groups'),
  CANON_OIDC_NAME_CLAIM: z.string().min(1).default('preferred_username'),
  CANON_OIDC_GROUP_ROLES: z.string().optional().superRefine(checked(parseGroupRoles)),
  CANON_OIDC_DEFAULT_ROLE: z.enum(IDENTITY_ROLES).optional(),
  CANON_OIDC_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  CANON_OIDC_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  CANON_OIDC_CLIENT_ID: z.string().min(1).optional(),
  CANON_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  CANON_OIDC_SCOPES: z.string().min(1).default('openid profile email'),
  CANON_OIDC_DISPLAY_NAME: z.string().min(1).max(60).default('your company account'),
};

type OidcEnv = z.infer<z.ZodObject<typeof OIDC_ENV>>;

/** Settings when an issuer is configured; none without. */
export function oidcSettingsFrom(env: OidcEnv): OidcSettings | undefined {
  if (!env.CANON_OIDC_ISSUER) return undefined;
  if (!env.CANON_OIDC_AUDIENCE)
    throw new Error('CANON_OIDC_AUDIENCE: required when CANON_OIDC_ISSUER is set');
  return {
    issuer: env.CANON_OIDC_ISSUER,
    audience: env.CANON_OIDC_AUDIENCE,
    algorithms: parseAlgorithms(env.CANON_OIDC_ALGORITHMS),
    jwksUri: env.CANON_OIDC_JWKS_URI,
    rolesClaim: env.CANON_OIDC_ROLES_CLAIM,
    nameClaim: env.CANON_OIDC_NAME_CLAIM,
    groupRoles: parseGroupRoles(env.CANON_OIDC_GROUP_ROLES),
    defaultRole: env.CANON_OIDC_DEFAULT_ROLE,
    clockToleranceSeconds: env.CANON_OIDC_CLOCK_TOLERANCE_S,
    jwksCooldownMs: env.CANON_OIDC_JWKS_COOLDOWN_MS,
    console: env.CANON_OIDC_CLIENT_ID
      ? {
          clientId: env.CANON_OIDC_CLIENT_ID,
          clientSecret: env.CANON_OIDC_CLIENT_SECRET,
          scopes: env.CANON_OIDC_SCOPES,
          displayName: env.CANON_OIDC_DISPLAY_NAME,
        }
      : undefined,
  };
}
