import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../../src/modules/auth/credential-cache.ts';

const counting = () => {
  let loads = 0;
  return {
    loads: () => loads,
    load:
      (expiresAt: Date | null = null) =>
      async () => ({ value: ++loads, expiresAt }),
  };
};

describe('CredentialCache', () => {
  it('answers from memory within its time to live and asks again after it', async () => {
    const cache = new CredentialCache<number>(50);
    const c = counting();
    expect(await cache.get('a', c.load())).toBe(1);
    expect(await cache.get('a', c.load())).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(await cache.get('a', c.load())).toBe(2);
  });

  it('remembers nothing while bypassed (the change listener is down), and again after', async () => {
    const cache = new CredentialCache<number>(60_000);
    const c = counting();
    await cache.get('a', c.load());
    cache.setBypass(true);
    expect(await cache.get('a', c.load())).toBe(2);
    expect(await cache.get('a', c.load())).toBe(3);
    cache.setBypass(false);
    expect(await cache.get('a', c.load())).toBe(4);
    expect(await cache.get('a', c.load())).toBe(4);
  });

  it('never outlives the token it remembers', async () => {
    const cache = new CredentialCache<number>(60_000);
    const c = counting();
    await cache.get('a', c.load(new Date(Date.now() + 20)));
    await new Promise((r) => setTimeout(r, 30));
    await cache.get('a', c.load());
    expect(c.loads()).toBe(2);
  });

  it('forgets everything on invalidate, and does not store a lookup that started before it', async () => {
    const cache = new CredentialCache<string>(60_000);
    await cache.get('a', async () => ({ value: 'old', expiresAt: null }));
    cache.invalidate();
    let release: () => void = () => {};
    const slow = cache.get('b', async () => {
      await new Promise<void>((r) => {
        release = r;
      });
      return { value: 'read before the revocation', expiresAt: null };
    });
    await new Promise((r) => setTimeout(r, 5));
    cache.invalidate(); // e.g. the token was revoked while the slow lookup ran
    release();
    expect(await slow).toBe('read before the revocation');
    expect(await cache.get('b', async () => ({ value: 'fresh', expiresAt: null }))).toBe('fresh');
    expect(await cache.get('a', async () => ({ value: 'new', expiresAt: null }))).toBe('new');
  });

  it('does not remember failures', async () => {
    const cache = new CredentialCache<number>(60_000);
    await expect(cache.get('a', async () => Promise.reject(new Error('unknown token')))).rejects.toThrow();
    expect(await cache.get('a', async () => ({ value: 7, expiresAt: null }))).toBe(7);
  });
});
