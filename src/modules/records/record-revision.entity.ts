import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { GoldenRecord } from './golden-record.entity.ts';

/**
 * An append-only revision of a golden record: the full payload, the contract version that
 * validated it, and from when it is effective. The current value at time T is the revision with the
 * latest effectiveFrom ≤ T (the highest number among equals).
 */
export const RecordRevisionEntity = defineEntity({
  name: 'RecordRevision',
  tableName: 'record_revision',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    record: () => p.manyToOne(GoldenRecord),
    revision: p.integer(),
    data: p.json<Record<string, unknown>>(),
    /** Status the record has from this revision on (retire and restore are revisions too). */
    status: p.string().length(20),
    operation: p.string().length(20),
    contractVersion: p.string().length(50),
    contractVersionId: p.uuid(),
    effectiveFrom: p.datetime(),
    changeRequestId: p.uuid().nullable(),
    createdBy: p.uuid().nullable(),
    createdByName: p.string().length(200).nullable(),
    reason: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['record', 'revision'], name: 'record_revision_record_revision_unique' }],
  indexes: [{ properties: ['record', 'effectiveFrom'] }],
});
export class RecordRevision extends RecordRevisionEntity.class {}
RecordRevisionEntity.setClass(RecordRevision);
