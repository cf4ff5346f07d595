import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, parseRateLimits, RateLimiter } from '../../src/http/rate-limit.ts';

describe('RateLimiter', () => {
  it('lets a burst through, then the sustained rate, and says when to come back', () => {
    const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, viewer: { perSecond: 2, burst: 3 } });
    const at = (ms: number) => limiter.take('v', 'viewer', ms);
    expect([at(0), at(0), at(0)]).toEqual([0, 0, 0]);
    expect(at(0)).toBe(1);
    expect(at(499)).toBe(1); // 0.998 tokens: not yet
    expect(at(501)).toBe(0); // half a second refills one at 2 per second
    expect(at(501)).toBe(1);
    expect(at(10_000)).toBe(0); // a quiet spell refills up to the burst, no more
    expect([at(10_000), at(10_000), at(10_000)]).toEqual([0, 0, 1]);
  });

  it('keeps callers apart', () => {
    const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, viewer: { perSecond: 1, burst: 1 } });
    expect(limiter.take('a', 'viewer', 0)).toBe(0);
    expect(limiter.take('a', 'viewer', 0)).toBe(1);
    expect(limiter.take('b', 'viewer', 0)).toBe(0);
  });

  it('reads CANON_RATE_LIMITS, keeping defaults for roles it does not name', () => {
    const limits = parseRateLimits('viewer=5/10, anonymous=0.5/2');
    expect(limits.viewer).toEqual({ perSecond: 5, burst: 10 });
    expect(limits.anonymous).toEqual({ perSecond: 0.5, burst: 2 });
    expect(limits.connector).toEqual(DEFAULT_RATE_LIMITS.connector);
    expect(() => parseRateLimits('root=1/1')).toThrow(/role=perSecond\/burst/);
    expect(() => parseRateLimits('viewer=fast')).toThrow();
  });
});
