import { defineEntity, p } from '@mikro-orm/core';

/**
 * A business key a record had before a rekey. Lookups by the old key still answer the record (and
 * say it was renamed); while the record is live, no other record may take the old key.
 */
export const RecordKeyAliasEntity = defineEntity({
  name: 'RecordKeyAlias',
  tableName: 'record_key_alias',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    domain: p.string().length(100),
    keyScope: p.string().length(20),
    key: p.string().length(300),
    recordId: p.uuid().index(),
    /** The key the record got when this one was given up. */
    renamedTo: p.string().length(300),
    /** The revision that changed the key. */
    revision: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ name: 'record_key_alias_lookup', properties: ['domain', 'key', 'keyScope'] }],
});
export class RecordKeyAlias extends RecordKeyAliasEntity.class {}
RecordKeyAliasEntity.setClass(RecordKeyAlias);
