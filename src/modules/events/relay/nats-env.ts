/**
 * The relay's settings from the environment: where NATS is, how to sign in, and the stream Canon
 * creates or updates at start (docs/events.md lists them with their defaults).
 */
import { z } from 'zod';

export interface StreamSettings {
  /** The JetStream stream's name (CANON). */
  name: string;
  /** Subjects are `<prefix>.<domain>.<event>`; the stream captures `<prefix>.>`. */
  subjectPrefix: string;
  /** Messages older than this are dropped (ms; 0 = kept until maxBytes). */
  maxAgeMs: number;
  /**
   * The stream drops its oldest messages beyond this size (bytes; -1 = no limit, the default): JetStream
   * reserves the whole limit on the server when the stream is created.
   */
  maxBytes: number;
  /** How long JetStream remembers a Nats-Msg-Id to drop a re-published event (ms). */
  duplicateWindowMs: number;
  /** Copies kept in a JetStream cluster (1 on a single server). */
  replicas: number;
  storage: 'file' | 'memory';
}

export interface NatsSettings {
  /** One or more nats:// URLs. */
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  /** A NATS credentials file (JWT + NKey seed), as `nsc` writes it. */
  credsFile?: string;
  stream: StreamSettings;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `2m`, `12h`, `30d`, `500ms`, or plain milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  return m ? Number(m[1]) * UNITS[m[2] ?? 'ms'] : undefined;
}

const SIZES: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `8GiB`, `512M`, `1048576`, or -1 for no limit. */
export function parseSize(text: string): number | undefined {
  if (text.trim() === '-1') return -1;
  const m = /^(\d+)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  return m ? Number(m[1]) * SIZES[m[2].toLowerCase()] : undefined;
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => parseDuration(v) !== undefined, 'must be a duration such as 90s, 2m, 12h or 30d');

export const NATS_ENV = {
  NATS_URL: z
    .string()
    .refine(
      (v) => v.split(',').every((u) => /^(nats|tls):\/\/[^\s,]+$/.test(u.trim())),
      'must be a nats:// URL (or several, separated by commas)',
    )
    .optional(),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_TOKEN: z.string().optional(),
  NATS_CREDS_FILE: z.string().optional(),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a stream name: letters, digits, _ and -')
    .default('CANON'),
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(
      /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/,
      'must be subject tokens: lowercase letters, digits, _ and -, dot-separated',
    )
    .default('canon'),
  NATS_STREAM_MAX_AGE: duration('30d'),
  NATS_STREAM_MAX_BYTES: z
    .string()
    .default('-1')
    .refine((v) => parseSize(v) !== undefined, 'must be a size such as 8GiB, 512MiB or -1 (no limit)'),
  NATS_DUPLICATE_WINDOW: duration('2m'),
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  NATS_STREAM_STORAGE: z.enum(['file', 'memory']).default('file'),
};

type NatsEnv = z.infer<z.ZodObject<typeof NATS_ENV>>;

/** The settings, or undefined without NATS_URL; a problem is returned as a message for ConfigError. */
export function natsSettingsFrom(c: NatsEnv): NatsSettings | string | undefined {
  if (!c.NATS_URL) return undefined;
  const maxAgeMs = parseDuration(c.NATS_STREAM_MAX_AGE)!;
  const duplicateWindowMs = parseDuration(c.NATS_DUPLICATE_WINDOW)!;
  if (maxAgeMs > 0 && duplicateWindowMs > maxAgeMs)
    return 'NATS_DUPLICATE_WINDOW: must not be longer than NATS_STREAM_MAX_AGE';
  if (c.NATS_TOKEN && c.NATS_USER)
    return 'NATS_TOKEN: set either a token or NATS_USER/NATS_PASSWORD, not both';
  return {
    servers: c.NATS_URL.split(',').map((u) => u.trim()),
    user: c.NATS_USER,
    password: c.NATS_PASSWORD,
    token: c.NATS_TOKEN,
    credsFile: c.NATS_CREDS_FILE,
    stream: {
      name: c.NATS_STREAM,
      subjectPrefix: c.NATS_SUBJECT_PREFIX,
      maxAgeMs,
      maxBytes: parseSize(c.NATS_STREAM_MAX_BYTES)!,
      duplicateWindowMs,
      replicas: c.NATS_STREAM_REPLICAS,
      storage: c.NATS_STREAM_STORAGE,
    },
  };
}

/** The stream settings a test or a tool uses when it has no environment: Canon's defaults. */
export function defaultStreamSettings(overrides: Partial<StreamSettings> = {}): StreamSettings {
  return {
    name: 'CANON',
    subjectPrefix: 'canon',
    maxAgeMs: parseDuration('30d')!,
    maxBytes: -1,
    duplicateWindowMs: parseDuration('2m')!,
    replicas: 1,
    storage: 'file',
    ...overrides,
  };
}
