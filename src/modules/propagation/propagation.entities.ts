import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';

export const ACK_STATUSES = ['APPLIED', 'REFUSED', 'SKIPPED'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

/**
 * A system is expected to apply the changes of `domain` (on `site`, or every site; only records whose
 * payload contains `filter`, when set). Admins declare them; the propagation state and a system's
 * durable cursor count only what its subscriptions make it responsible for.
 */
export const SubscriptionEntity = defineEntity({
  name: 'Subscription',
  tableName: 'system_subscription',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    systemCode: p.string().length(100).index(),
    domain: p.string().length(100).index(),
    site: p.string().length(20).nullable(),
    /** JSON containment on the record's data (`{"tracking":"lot"}`): only records matching it. */
    filter: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    createdBy: p.uuid().nullable(),
    lockVersion: p.integer().version(),
  },
  // one subscription per system, domain and site (no site: every site, also unique)
  indexes: [
    {
      name: 'system_subscription_scope',
      expression: `create unique index "system_subscription_scope" on "system_subscription" ("system_code", "domain", coalesce("site", ''))`,
    },
  ],
});
export class Subscription extends SubscriptionEntity.class {}
SubscriptionEntity.setClass(Subscription);

/**
 * One acknowledgement: what `systemCode` did with the change at `sequence`. One row per (system,
 * sequence): the same status again changes nothing, another status replaces it.
 */
export const ChangeAckEntity = defineEntity({
  name: 'ChangeAck',
  tableName: 'change_ack',
  properties: {
    systemCode: p.string().length(100).primary(),
    sequence: p.bigint('string').primary(),
    recordId: p.uuid().nullable(),
    revision: p.integer().nullable(),
    status: p.enum(ACK_STATUSES),
    code: p.string().length(100).nullable(),
    message: p.string().length(2000).nullable(),
    externalId: p.string().length(300).nullable(),
    acknowledgedAt: p.datetime(),
    acknowledgedBy: p.uuid().nullable(),
  },
});
export class ChangeAck extends ChangeAckEntity.class {}
ChangeAckEntity.setClass(ChangeAck);

/**
 * Where a record stands in a system: the newest revision the system is expected to apply (from the
 * change events of its subscriptions) and the newest acknowledgement it sent (by revision; an older
 * revision's acknowledgement never replaces it). Maintained set-wise by the projector and the ingest.
 */
export const PropagationStateEntity = defineEntity({
  name: 'PropagationState',
  tableName: 'propagation_state',
  properties: {
    systemCode: p.string().length(100).primary(),
    recordId: p.uuid().primary(),
    domain: p.string().length(100),
    expectedRevision: p.integer().nullable(),
    expectedSequence: p.bigint('string').nullable(),
    /** When the system first fell behind (the oldest revision it has yet to acknowledge). */
    behindSince: p.datetime().nullable(),
    appliedRevision: p.integer().nullable(),
    appliedAt: p.datetime().nullable(),
    lastStatus: p.enum(ACK_STATUSES).nullable(),
    lastRevision: p.integer().nullable(),
    lastSequence: p.bigint('string').nullable(),
    lastAt: p.datetime().nullable(),
    lastErrorCode: p.string().length(100).nullable(),
    lastErrorMessage: p.string().length(2000).nullable(),
  },
  indexes: [{ name: 'propagation_state_domain', properties: ['systemCode', 'domain'] }],
});
export class PropagationState extends PropagationStateEntity.class {}
PropagationStateEntity.setClass(PropagationState);

/**
 * The change events a system is responsible for and has not acknowledged yet: the projector adds
 * them in the writer's transaction, an acknowledgement (of the event or a newer one of the same
 * record) removes them. The smallest pending sequence bounds the system's acknowledged sequence.
 */
export const PendingChangeEntity = defineEntity({
  name: 'PendingChange',
  tableName: 'propagation_pending',
  properties: {
    systemCode: p.string().length(100).primary(),
    sequence: p.bigint('string').primary(),
    recordId: p.uuid(),
    createdAt: p.datetime(),
  },
  indexes: [{ name: 'propagation_pending_record', properties: ['systemCode', 'recordId'] }],
});
export class PendingChange extends PendingChangeEntity.class {}
PendingChangeEntity.setClass(PendingChange);

/** A system's durable feed cursor: its acknowledged sequence (low-water mark) and the highest it sent. */
export const SystemCursorEntity = defineEntity({
  name: 'SystemCursor',
  tableName: 'system_cursor',
  properties: {
    systemCode: p.string().length(100).primary(),
    acknowledgedSequence: p.bigint('string'),
    highestSequence: p.bigint('string'),
    lastAcknowledgedAt: p.datetime(),
  },
});
export class SystemCursor extends SystemCursorEntity.class {}
SystemCursorEntity.setClass(SystemCursor);
