import { defineEntity, p } from '@mikro-orm/core';

/**
 * A reference from a record's newest revision to another record (an item's UoM, a location's parent):
 * what keeps a referenced record from being retired while live records use it.
 */
export const RecordReferenceEntity = defineEntity({
  name: 'RecordReference',
  tableName: 'record_reference',
  properties: {
    fromRecord: p.uuid().primary(),
    field: p.string().length(200).primary(),
    toRecord: p.uuid().index(),
  },
});
export class RecordReference extends RecordReferenceEntity.class {}
RecordReferenceEntity.setClass(RecordReference);
