import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../db/ids.ts';

export const MERGE_STATES = ['MERGED', 'UNMERGED'] as const;

/** A record that referred to the merged record and was re-pointed to the survivor: which fields. */
export interface MovedReference {
  recordId: string;
  fields: string[];
}

/**
 * One merge, with exactly what it moved, so an unmerge restores that and nothing else: the payloads
 * both records had before, the records whose references were re-pointed, and what other modules
 * moved (the xref module: the ids of the xrefs it re-pointed) under their names.
 */
export const RecordMergeEntity = defineEntity({
  name: 'RecordMerge',
  tableName: 'record_merge',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100),
    survivorId: p.uuid().index(),
    mergedId: p.uuid().index(),
    changeRequestId: p.uuid(),
    survivorRevisionBefore: p.integer(),
    survivorDataBefore: p.json<Record<string, unknown>>(),
    /** The survivor's payload the merge wrote: an unmerge restores a field only if it still has this value. */
    survivorDataAfter: p.json<Record<string, unknown>>(),
    mergedRevisionBefore: p.integer(),
    mergedKey: p.string().length(300),
    survivorKey: p.string().length(300),
    movedReferences: p.json<MovedReference[]>(),
    /** What other modules moved, by module: restored by the same module on unmerge. */
    moved: p.json<Record<string, unknown>>(),
    state: p.enum(MERGE_STATES).default('MERGED'),
    mergedAt: p.datetime().onCreate(() => new Date()),
    mergedBy: p.uuid().nullable(),
    unmergedAt: p.datetime().nullable(),
    unmergedBy: p.uuid().nullable(),
    unmergeChangeRequestId: p.uuid().nullable(),
  },
});
export class RecordMerge extends RecordMergeEntity.class {}
RecordMergeEntity.setClass(RecordMerge);

/** A domain's survivorship rule for one field (merge/survivorship.ts), set by admins. */
export const SurvivorshipRuleEntity = defineEntity({
  name: 'SurvivorshipRule',
  tableName: 'survivorship_rule',
  properties: {
    domain: p.string().length(100).primary(),
    field: p.string().length(200).primary(),
    rule: p.string().length(30),
    updatedAt: p.datetime().onCreate(() => new Date()),
    updatedBy: p.uuid().nullable(),
  },
});
export class SurvivorshipRuleRow extends SurvivorshipRuleEntity.class {}
SurvivorshipRuleEntity.setClass(SurvivorshipRuleRow);
