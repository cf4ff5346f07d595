import { defineEntity, p } from '@mikro-orm/core';

/**
 * The sequence Canon assigns business keys from, per domain, for records that arrive without one
 * (`proposeChange(assignKey: true)`): `prefix` + `nextValue` zero-padded to `padding` digits.
 */
export const KeySequenceEntity = defineEntity({
  name: 'KeySequence',
  tableName: 'key_sequence',
  properties: {
    domain: p.string().length(100).primary(),
    prefix: p.string().length(50),
    padding: p.integer(),
    nextValue: p.bigint('number'),
    updatedBy: p.uuid().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class KeySequence extends KeySequenceEntity.class {}
KeySequenceEntity.setClass(KeySequence);
