import { defineEntity, p } from '@mikro-orm/core';

/** Signed checkpoints of the audit chain (audit-checkpoints.ts); their copies outside the database are what counts. */
export const AuditCheckpointEntity = defineEntity({
  name: 'AuditCheckpoint',
  tableName: 'audit_checkpoint',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    sequence: p.bigint('string'),
    hash: p.string().length(64),
    at: p.string().length(40),
    signature: p.text(),
    publicKey: p.text(),
  },
});
export class AuditCheckpoint extends AuditCheckpointEntity.class {}
AuditCheckpointEntity.setClass(AuditCheckpoint);
