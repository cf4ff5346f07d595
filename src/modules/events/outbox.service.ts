/**
 * Appends change events to the outbox inside the caller's transaction; the feed, subscriptions and
 * the NATS relay read them from there in `sequence` order.
 */
import type { Em } from '../../db/orm.ts';
import { OutboxEvent } from './outbox-event.entity.ts';

export const OUTBOX_EVENT_TYPES = [
  'CONTRACT_VERSION_PUBLISHED',
  'CONTRACT_VERSION_DEPRECATED',
  'CONTRACT_VERSION_RETIRED',
  'RECORD_CHANGED',
  'XREF_LINKED',
  'XREF_UNLINKED',
] as const;
export type OutboxEventType = (typeof OUTBOX_EVENT_TYPES)[number];

export interface OutboxInput {
  type: OutboxEventType;
  domain?: string;
  subjectId?: string;
  revision?: number;
  payload: Record<string, unknown>;
}

export class OutboxService {
  async append(em: Em, input: OutboxInput): Promise<OutboxEvent> {
    const event = em.create(OutboxEvent, {
      type: input.type,
      domain: input.domain ?? null,
      subjectId: input.subjectId ?? null,
      revision: input.revision ?? null,
      payload: input.payload,
    });
    await em.flush();
    return event;
  }
}
