import type { Em } from './orm.ts';

/**
 * Transaction-scoped advisory lock ids. Audit appends and outbox appends share one lock, so every
 * transaction takes the locks it needs in one order (no deadlocks) and commits its chained audit
 * events and numbered outbox events in order.
 */
export const CHANGE_ORDER_LOCK = 7_261_000_001;

/**
 * A transaction-scoped advisory lock on a name (`structure:bom`, `xref-merge:item`): writers of one
 * thing take turns until their transactions end. Shared holders exclude only exclusive ones.
 */
export async function lockNamed(
  em: Em,
  name: string,
  mode: 'exclusive' | 'shared' = 'exclusive',
): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await em.getConnection().execute(`select ${fn}(hashtext(?))`, [name], 'all', em.getTransactionContext());
}
