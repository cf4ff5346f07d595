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
    /** Who caused it, through which system and proposal (EventOrigin): connectors drop their own echoes. */
    origin: p.json<Record<string, unknown>>().nullable(),
    /** The system whose write caused it (origin.systemCode), a column so feeds filter on it. */
    originSystem: p.string().length(100).nullable(),
    /** The contract version the payload's record conforms to (record events). */
    contractVersion: p.string().length(50).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  // acknowledgements by record and revision find their change event by this index
  indexes: [
    {
      name: 'outbox_event_record_revision',
      expression: `create index "outbox_event_record_revision" on "outbox_event" ("subject_id", "revision") where "type" = 'RECORD_CHANGED'`,
    },
  ],
});
export class OutboxEvent extends OutboxEventEntity.class {}
OutboxEventEntity.setClass(OutboxEvent);
