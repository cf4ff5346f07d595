/**
 * Rate limits per token: a token bucket per caller (per actor for tokens, per address for anonymous
 * requests), refilled continuously at the role's rate up to its burst. Over the limit a request is
 * answered at once with RATE_LIMITED (HTTP 429) and `Retry-After`, before any work. The defaults are
 * far above what the connectors' benchmark sends (docs/benchmarks.md), so they stop a runaway loop,
 * not a busy connector. Per instance: N replicas allow N times the rate.
 */
import type { Role } from '../modules/auth/roles.ts';

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests that may arrive at once after a quiet spell. */
  burst: number;
}

export type RateLimitKey = Role | 'anonymous';
export type RateLimits = Record<RateLimitKey, RateLimit>;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  connector: { perSecond: 20_000, burst: 40_000 },
  pipeline: { perSecond: 200, burst: 1_000 },
  admin: { perSecond: 200, burst: 1_000 },
  steward: { perSecond: 100, burst: 500 },
  viewer: { perSecond: 100, burst: 500 },
  anonymous: { perSecond: 20, burst: 100 },
};

/** `connector=5000/10000,steward=50/200`: role = per second / burst; unnamed roles keep defaults. */
export function parseRateLimits(text: string | undefined): RateLimits {
  const limits = { ...DEFAULT_RATE_LIMITS };
  if (!text) return limits;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+)=(\d+(?:\.\d+)?)\/(\d+)$/.exec(part);
    if (!m || !(m[1] in limits))
      throw new Error(
        `CANON_RATE_LIMITS: "${part}" is not role=perSecond/burst (roles: ${Object.keys(limits).join(', ')})`,
      );
    limits[m[1] as RateLimitKey] = { perSecond: Number(m[2]), burst: Number(m[3]) };
  }
  return limits;
}

const MAX_BUCKETS = 100_000;

export class RateLimiter {
  private readonly limits: RateLimits;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(limits: RateLimits = DEFAULT_RATE_LIMITS) {
    this.limits = limits;
  }

  /** Takes one request from the caller's bucket: 0 when allowed, else seconds until one is. */
  take(key: string, kind: RateLimitKey, now = performance.now()): number {
    const limit = this.limits[kind];
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear(); // callers are few; a flood just resets
      bucket = { tokens: limit.burst, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
  }
}
