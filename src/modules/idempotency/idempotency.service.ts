/**
 * Idempotent mutations. Inside the mutation's transaction the key is claimed first: a new key runs
 * the mutation and stores the id of its result; a key seen before with the same operation and input
 * returns that id (the caller answers with the current state of that object); with other input it is
 * IDEMPOTENCY_KEY_REUSED. A concurrent retry waits on the key's row until the first commits.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Em } from '../../db/orm.ts';
import { retryTransient } from '../../db/transient.ts';
import { CanonError } from '../../errors.ts';

export interface Replayable<T> {
  /** The id stored for the result, to find it again on a replay. */
  idOf(result: T): string;
  /** The answer to a replay: the current state of what the first request produced. */
  replay(id: string): Promise<T>;
}

export class IdempotencyService {
  /** `run` for a call context: the key belongs to the calling actor. */
  within<T>(
    em: Em,
    ctx: { actor: { id: string } | null },
    key: string | null | undefined,
    operation: string,
    input: unknown,
    execute: () => Promise<T>,
    replayable: Replayable<T>,
  ): Promise<T> {
    return this.run(
      em,
      ctx.actor?.id,
      key ?? undefined,
      operation,
      input,
      execute,
      replayable.idOf,
      replayable.replay,
    );
  }

  async run<T>(
    em: Em,
    actorId: string | undefined,
    key: string | undefined,
    operation: string,
    input: unknown,
    execute: () => Promise<T>,
    idOf: (result: T) => string,
    replay: (id: string) => Promise<T>,
  ): Promise<T> {
    if (!key || !actorId) return execute();
    if (key.length > 200)
      throw new CanonError('BAD_USER_INPUT', 'An idempotency key is at most 200 characters.', {
        path: ['idempotencyKey'],
      });
    const requestHash = createHash('sha256')
      .update(`${operation}\n${canonicalize(input ?? null)}`)
      .digest('hex');
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    const claimed = await conn.execute<{ result_id: string }[]>(
      `insert into idempotency_key (actor_id, key, operation, request_hash, result_id, created_at)
       values (?, ?, ?, ?, '', now()) on conflict do nothing returning result_id`,
      [actorId, key, operation, requestHash],
      'all',
      tx,
    );
    if (claimed.length === 0) {
      const rows = await conn.execute<{ operation: string; request_hash: string; result_id: string }[]>(
        'select operation, request_hash, result_id from idempotency_key where actor_id = ? and key = ?',
        [actorId, key],
        'all',
        tx,
      );
      const seen = rows[0];
      if (!seen || seen.operation !== operation || seen.request_hash !== requestHash) {
        throw new CanonError(
          'IDEMPOTENCY_KEY_REUSED',
          `The idempotency key "${key}" was used with another request.`,
          { path: ['idempotencyKey'] },
        );
      }
      return replay(seen.result_id);
    }
    const result = await execute();
    await conn.execute(
      'update idempotency_key set result_id = ? where actor_id = ? and key = ?',
      [idOf(result), actorId, key],
      'all',
      tx,
    );
    return result;
  }
}

/** Stateless: one for every service. */
export const idempotency = new IdempotencyService();

/**
 * One transaction on a fresh EntityManager that runs `body` once per idempotency key: a retry with
 * the same key and input gets `replayable(em).replay` of what the first run produced. A transaction
 * that lost a race (db/transient.ts) runs again.
 */
export function idempotentTransaction<T>(
  orm: { em: { fork(): Em } },
  ctx: { actor: { id: string } | null },
  key: string | null | undefined,
  operation: string,
  input: unknown,
  replayable: (em: Em) => Replayable<T>,
  body: (em: Em) => Promise<T>,
): Promise<T> {
  // a transaction that lost a race with the same call runs again and sees what the winner did
  return retryTransient(() =>
    orm.em
      .fork()
      .transactional((em) =>
        idempotency.within(em, ctx, key, operation, input, () => body(em), replayable(em)),
      ),
  );
}
