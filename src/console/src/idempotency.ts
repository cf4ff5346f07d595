/**
 * One idempotency key per decision the steward means to make: a double click or a retried request
 * sends the same key, so the API makes the decision once.
 */
import { useRef } from 'react';

export function newKey(): string {
  return `console-${crypto.randomUUID()}`;
}

/** A key that stays the same until `renew` (after the decision's answer has been shown). */
export function useIdempotencyKey(): { key: string; renew(): void } {
  const ref = useRef(newKey());
  return {
    get key() {
      return ref.current;
    },
    renew() {
      ref.current = newKey();
    },
  };
}
