import { defineEntity, p } from '@mikro-orm/core';

/**
 * Append-only audit trail. Each event stores the hash of the previous one, and its own hash covers
 * its content and that link, so changing or deleting a past event breaks the chain (verifyAuditChain).
 */
export const AuditEventEntity = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_event',
  properties: {
    sequence: p.bigint('string').primary().autoincrement(),
    at: p.datetime(),
    actorId: p.uuid().nullable(),
    actorName: p.string().length(200).nullable(),
    tokenId: p.uuid().nullable(),
    systemCode: p.string().length(100).nullable(),
    action: p.string().length(80).index(),
    subjectType: p.string().length(80),
    subjectId: p.string().length(200),
    before: p.json<unknown>().nullable(),
    after: p.json<unknown>().nullable(),
    requestId: p.string().length(100).nullable(),
    prevHash: p.string().length(64),
    hash: p.string().length(64).unique(),
  },
  indexes: [{ properties: ['subjectType', 'subjectId'] }],
  // append-only in the database too (the hash chain still exposes an edit made with the trigger off)
  triggers: [
    {
      name: 'audit_event_append_only',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      body: "raise exception 'audit_event is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';",
    },
  ],
});
export class AuditEvent extends AuditEventEntity.class {}
AuditEventEntity.setClass(AuditEvent);
