/**
 * The typed errors an operation answered (union members such as NOT_FOUND or VERSION_CONFLICT: the
 * request succeeded, the business call did not). The errors plugin reports each one it turns into a
 * result (builder.ts `onResolvedError`); the operation runs inside `collectAnsweredErrors`, so the
 * metrics count them by operation and code instead of calling every answered mutation `ok`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CanonError } from '../errors.ts';

const answered = new AsyncLocalStorage<string[]>();

/** Called by the errors plugin for every error it answers as a typed result. */
export function noteAnsweredError(error: Error): void {
  answered.getStore()?.push(error instanceof CanonError ? error.code : 'INTERNAL');
}

/** Runs an operation and hands back the codes of the typed errors it answered. */
export async function collectAnsweredErrors<T>(
  run: () => T | Promise<T>,
): Promise<{ result: T; codes: string[] }> {
  const codes: string[] = [];
  const result = await answered.run(codes, run);
  return { result, codes };
}
