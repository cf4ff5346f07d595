import { defineEntity, p } from '@mikro-orm/core';

/** A mutation's idempotency key: the same key with the same input answers with the first result. */
export const IdempotencyKeyEntity = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_key',
  properties: {
    actorId: p.uuid().primary(),
    key: p.string().length(200).primary(),
    operation: p.string().length(100),
    requestHash: p.string().length(64),
    resultId: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class IdempotencyKey extends IdempotencyKeyEntity.class {}
IdempotencyKeyEntity.setClass(IdempotencyKey);
