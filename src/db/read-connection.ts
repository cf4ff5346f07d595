/**
 * Where a read runs: outside a transaction, on the read pool (its statements time out sooner —
 * src/db/orm.ts), so a slow read gives its connection back before it starves writers; inside a
 * transaction, on the transaction's own connection (the caller passes its context as always).
 * On PGlite there is one connection and this is it.
 */
import type { Em } from './orm.ts';

export function readConnection(em: Em) {
  return em.getTransactionContext() ? em.getConnection() : em.getConnection('read');
}
