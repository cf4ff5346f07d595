/**
 * Transactions that lost a race. When the same call arrives several times at once, one transaction
 * may fail on what the others committed meanwhile: a unique key they inserted first, a row version
 * they bumped, a deadlock or serialization failure. Such a transaction rolled back whole, so running
 * it again is safe — and then it sees what the others did (an existing system, a changed version)
 * and answers as a later call would: the same result, or a typed error.
 */
import { DeadlockException, OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';

export const TRANSIENT_ATTEMPTS = 3;

export function isTransient(error: unknown): boolean {
  if (
    error instanceof UniqueConstraintViolationException ||
    error instanceof DeadlockException ||
    error instanceof OptimisticLockError
  )
    return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01' || code === '23505';
}

/** Runs a whole transaction again when it lost a race, up to TRANSIENT_ATTEMPTS times. */
export async function retryTransient<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= TRANSIENT_ATTEMPTS || !isTransient(error)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
    }
  }
}
