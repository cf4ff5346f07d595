/**
 * Configuration from the environment, validated once at start with messages that name the variable.
 * DESIGN §10 fixes the variable names; everything has a safe default for a newcomer's first start.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseRateLimits, type RateLimits } from './http/rate-limit.ts';
import { OIDC_ENV, oidcSettingsFrom } from './modules/auth/oidc/oidc-env.ts';
import type { OidcSettings } from './modules/auth/oidc/oidc-settings.ts';
import { NATS_ENV, type NatsSettings, natsSettingsFrom } from './modules/events/relay/nats-env.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  CANON_DATA_DIR: z.string().min(1).default('./.canon/data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  CANON_PACKAGE_SCOPE: z
    .string()
    .regex(/^@[a-z0-9][a-z0-9._-]*$/, 'must look like an npm scope, e.g. @canon')
    .default('@canon'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  CANON_BOOTSTRAP_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters long').optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  CANON_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024),
  CANON_DB_POOL_MAX: z.coerce.number().int().positive().default(10),
  CANON_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  CANON_NPM_ANONYMOUS_READ: z.enum(['true', 'false', '1', '0']).default('false'),
  CANON_CCOMPAT_PATH: z
    .string()
    .regex(
      /^(off|(\/[a-z0-9._-]+)+)$/,
      'a path such as /ccompat or /apis/ccompat/v7 (no trailing slash), or off',
    )
    .default('/ccompat'),
  CANON_EXCEPTIONS_DEFAULT_QUEUE: z.string().min(1).max(200).default('data-stewards'),
  CANON_CREDENTIAL_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
  CANON_ANONYMOUS_INTROSPECTION: z.enum(['true', 'false', '1', '0']).optional(),
  CANON_AUDIT_SIGNING_KEY_FILE: z.string().optional(),
  CANON_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  CANON_QUERY_COST_BUDGET: z.coerce.number().int().min(100).max(10_000_000).default(50_000),
  CANON_READ_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  CANON_AUDIT_CHECKPOINT_MINUTES: z.coerce.number().positive().max(10_080).default(60),
  CANON_RATE_LIMITS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        parseRateLimits(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  ...OIDC_ENV,
  ...NATS_ENV,
});

export interface CanonConfig {
  databaseUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  packageScope: string;
  /** The relay of change events to NATS JetStream (NATS_URL and the NATS_* settings); none: no relay. */
  nats?: NatsSettings;
  logLevel: (typeof LOG_LEVELS)[number];
  bootstrapAdminToken?: string;
  environment: 'development' | 'production' | 'test';
  maxBodyBytes: number;
  poolMax: number;
  statementTimeoutMs: number;
  /** Serve /npm/ without a token (read-only). */
  npmAnonymousRead?: boolean;
  /** Where the Confluent-compatible registry API is served (default /ccompat); null: not served. */
  ccompatPath?: string | null;
  /** How long a token's caller is remembered (src/callers.ts); default 2,000 ms. */
  credentialCacheMs?: number;
  /** Answer introspection without a token; default: yes outside production, no in production. */
  anonymousIntrospection?: boolean;
  /** Ed25519 private key (PEM file) that signs audit checkpoints; none: no periodic checkpoints. */
  auditSigningKeyFile?: string;
  /** Minutes between audit checkpoints when a signing key is set (default 60). */
  auditCheckpointMinutes?: number;
  /** Requests per second and burst by role (src/http/rate-limit.ts); default DEFAULT_RATE_LIMITS. */
  rateLimits?: RateLimits;
  /** Canon's address as browsers reach it (the sign-in's redirect URI); default: from the Host header. */
  publicUrl?: string;
  /** Largest cost of one GraphQL operation (src/graphql/cost.ts); default 50,000. */
  queryCostBudget?: number;
  /** Statement timeout of read-only operations; default: a third of statementTimeoutMs, at most 10 s. */
  readStatementTimeoutMs?: number;
  /** People sign in with the company's identity provider (JWT bearer); none: API tokens only. */
  oidc?: OidcSettings;
  /** The team exceptions go to when no system-of-record rule, system or contract names one. */
  exceptionsDefaultQueue?: string;
  /** Not from the environment: a PGlite dump an in-memory database starts from (the test suite's template). */
  pgliteSnapshot?: Blob;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CanonConfig {
  // empty strings count as unset, as a shell `VAR=` usually means
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.CANON_OIDC_ISSUER && !c.CANON_OIDC_AUDIENCE)
    throw new ConfigError(
      'Invalid configuration:\n  CANON_OIDC_AUDIENCE: required when CANON_OIDC_ISSUER is set (the aud every token must carry)',
    );
  const nats = natsSettingsFrom(c);
  if (typeof nats === 'string') throw new ConfigError(`Invalid configuration:\n  ${nats}`);
  return {
    databaseUrl: c.DATABASE_URL,
    dataDir: c.CANON_DATA_DIR === 'memory://' ? 'memory://' : resolve(c.CANON_DATA_DIR),
    port: c.PORT,
    host: c.HOST,
    packageScope: c.CANON_PACKAGE_SCOPE,
    nats,
    logLevel: c.LOG_LEVEL,
    bootstrapAdminToken: c.CANON_BOOTSTRAP_ADMIN_TOKEN,
    environment: c.NODE_ENV,
    maxBodyBytes: c.CANON_MAX_BODY_BYTES,
    poolMax: c.CANON_DB_POOL_MAX,
    statementTimeoutMs: c.CANON_STATEMENT_TIMEOUT_MS,
    npmAnonymousRead: c.CANON_NPM_ANONYMOUS_READ === 'true' || c.CANON_NPM_ANONYMOUS_READ === '1',
    ccompatPath: c.CANON_CCOMPAT_PATH === 'off' ? null : c.CANON_CCOMPAT_PATH,
    credentialCacheMs: c.CANON_CREDENTIAL_CACHE_MS,
    exceptionsDefaultQueue: c.CANON_EXCEPTIONS_DEFAULT_QUEUE,
    rateLimits: parseRateLimits(c.CANON_RATE_LIMITS),
    oidc: oidcSettingsFrom(c),
    queryCostBudget: c.CANON_QUERY_COST_BUDGET,
    publicUrl: c.CANON_PUBLIC_URL,
    readStatementTimeoutMs: c.CANON_READ_STATEMENT_TIMEOUT_MS,
    auditSigningKeyFile: c.CANON_AUDIT_SIGNING_KEY_FILE,
    auditCheckpointMinutes: c.CANON_AUDIT_CHECKPOINT_MINUTES,
    anonymousIntrospection:
      c.CANON_ANONYMOUS_INTROSPECTION === undefined
        ? undefined
        : c.CANON_ANONYMOUS_INTROSPECTION === 'true' || c.CANON_ANONYMOUS_INTROSPECTION === '1',
  };
}
