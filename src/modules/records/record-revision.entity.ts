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
    /** The bulk import that wrote it (applied directly, without a change request). */
    importJobId: p.uuid().nullable(),
    createdBy: p.uuid().nullable(),
    createdByName: p.string().length(200).nullable(),
    reason: p.text().nullable(),
    /** Findings of rules the domain had set to WARNING when it was written: the stewards' work list. */
    findings: p.json<unknown[]>().nullable(),
    /** When it was recorded (transaction time; `knownAt` reads see only revisions recorded by then). */
    createdAt: p.datetime().onCreate(() => new Date()),
    /**
     * For a revision recorded with a future effectiveFrom: when its `RECORD_EFFECTIVE` event is due.
     * The scheduler emits the event and clears this in one transaction, so it is emitted exactly once.
     */
    effectiveEventDueAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['record', 'revision'], name: 'record_revision_record_revision_unique' }],
  indexes: [
    { properties: ['record', 'effectiveFrom'] },
    {
      name: 'record_revision_effective_event_due',
      expression: `create index "record_revision_effective_event_due" on "record_revision" ("effective_event_due_at") where "effective_event_due_at" is not null`,
    },
  ],
});
export class RecordRevision extends RecordRevisionEntity.class {}
RecordRevisionEntity.setClass(RecordRevision);
