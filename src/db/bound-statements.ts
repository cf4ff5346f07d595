/**
 * Statements with bound parameters on the caller's transaction. MikroORM's `execute` inlines every
 * parameter into the SQL text (escaping each value), which for the set-based statements of a bulk
 * write — a thousand JSON payloads per statement — costs more CPU than the database spends on them;
 * here the values travel as the protocol's parameters, through the transaction's own Kysely handle.
 * Outside a transaction (or where the handle is missing) the ORM's path runs instead.
 */
import { CompiledQuery } from 'kysely';
import { sqlSpan } from '../telemetry/tracing.ts';
import type { Em } from './orm.ts';

type Executor = { executeQuery(query: CompiledQuery): Promise<{ rows: unknown[] }> };

/** Runs `sql` (with `?` placeholders, none inside literals) with its values bound. */
export async function executeBound<T>(em: Em, sql: string, params: readonly unknown[]): Promise<T[]> {
  const tx = em.getTransactionContext() as Partial<Executor> | undefined;
  if (!tx || typeof tx.executeQuery !== 'function')
    return em.getConnection().execute<T[]>(sql, [...params], 'all', tx);
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  // the ORM's query hook sees these too (tests count statements through it)
  (em.config.get('onQuery') as ((sql: string, params: unknown[]) => unknown) | undefined)?.(text, [
    ...params,
  ]);
  const result = await sqlSpan(text, () => tx.executeQuery!(CompiledQuery.raw(text, [...params])));
  return result.rows as T[];
}
