import { defineEntity, p } from '@mikro-orm/core';

/**
 * The outbox: every change Canon makes appends one event in the same transaction. It is the single
 * source for subscriptions, the change feed and the NATS relay; `sequence` orders them.
 */
export const OutboxEventEntity = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_event',
  properties: {
    sequence: p.bigint('string').primary().autoincrement(),
    type: p.string().length(80).index(),
    domain: p.string().length(100).nullable(),
    subjectId: p.string().length(200).nullable(),
    revision: p.integer().nullable(),
    payload: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class OutboxEvent extends OutboxEventEntity.class {}
OutboxEventEntity.setClass(OutboxEvent);
