/**
 * Transaction-scoped advisory lock ids. Audit appends and outbox appends share one lock, so every
 * transaction takes the locks it needs in one order (no deadlocks) and commits its chained audit
 * events and numbered outbox events in order.
 */
export const CHANGE_ORDER_LOCK = 7_261_000_001;
