import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { timestamps } from '../../db/timestamps.ts';

export const CHANGE_OPERATIONS = ['CREATE', 'UPDATE', 'RETIRE', 'RESTORE', 'MERGE', 'UNMERGE'] as const;
export type ChangeOperation = (typeof CHANGE_OPERATIONS)[number];
export const CHANGE_STATUSES = ['PENDING', 'APPLIED', 'REJECTED', 'CONFLICT', 'WITHDRAWN'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** Where a merged payload's field came from (survivorship). */
export type FieldSource = 'SURVIVOR' | 'MERGED' | 'VALUE';

/** A merge proposal's second record and how the survivor's payload was made (merge/survivorship.ts). */
export interface MergeDetails {
  /** The record that survives (for MERGE also the change request's record). */
  survivorId: string;
  mergedId: string;
  mergedKey: string;
  /** The merged record's revision the proposal was made from: applying checks it is still the newest. */
  mergedBaseRevision: number;
  /** Per top-level field: where its value came from, and by which rule when nobody chose. */
  fields: { path: string; source: FieldSource; rule: string }[];
}

/** A live record a proposal's payload may duplicate (matching module), shown to stewards. */
export interface DuplicateSuggestion {
  recordId: string;
  key: string;
  score: number;
  rule: string;
  /** Every rule that matched, best first: its kind, score, the fields compared and a sentence. */
  reasons: {
    rule: string;
    kind: 'EXACT' | 'FUZZY';
    score: number;
    fields: { path: string; left: unknown; right: unknown }[];
    message: string;
  }[];
}

export interface Approval {
  actorId: string;
  actorName: string;
  at: string;
  comment: string | null;
}

/** A proposed change to a golden record, waiting for (or decided by) stewards. */
export const ChangeRequestEntity = defineEntity({
  name: 'ChangeRequest',
  tableName: 'change_request',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100),
    recordId: p.uuid().nullable().index(),
    operation: p.enum(CHANGE_OPERATIONS),
    /** How `input` was given: the full payload, or an RFC 7396 JSON merge patch. */
    mode: p.string().length(10),
    input: p.json<unknown>().nullable(),
    /** The full payload the record will have when this is applied. */
    proposed: p.json<Record<string, unknown>>(),
    /** Field-level diff against the base revision. */
    diff: p.json<unknown[]>(),
    baseRevision: p.integer().nullable(),
    status: p.enum(CHANGE_STATUSES).default('PENDING'),
    proposedBy: p.uuid().nullable(),
    proposedByName: p.string().length(200).nullable(),
    systemCode: p.string().length(100).nullable(),
    /** The proposer's idempotency key: carried in the origin of the events it causes. */
    idempotencyKey: p.string().length(200).nullable(),
    requiredApprovals: p.integer(),
    approvals: p.json<Approval[]>(),
    reason: p.text().nullable(),
    decisionReason: p.text().nullable(),
    decidedBy: p.uuid().nullable(),
    /** The moment asked for; null: the moment it is applied (set then). */
    effectiveFrom: p.datetime().nullable(),
    contractVersion: p.string().length(50),
    /** Non-blocking findings shown to stewards. */
    warnings: p.json<unknown[]>(),
    appliedRevision: p.integer().nullable(),
    /** When the base revision was stale: the record's revision and value at that moment. */
    conflict: p.json<unknown>().nullable(),
    /** The bulk proposal this belongs to (an import batch in propose mode), and its row there. */
    bulkId: p.uuid().nullable(),
    sourceRow: p.integer().nullable(),
    /** The business key of the proposed payload (finds a pending proposal for a key). */
    recordKey: p.string().length(300).nullable(),
    /** Set on MERGE proposals: the record merged into `recordId` (the survivor). */
    merge: p.json<MergeDetails>().nullable(),
    /** Live records this proposal may duplicate, found when it arrived (empty: none). */
    duplicates: p.json<DuplicateSuggestion[]>().nullable(),
    ...timestamps(),
    lockVersion: p.integer().version(),
  },
  indexes: [
    { properties: ['status', 'domain'] },
    { properties: ['proposedBy'] },
    // the stewards' inbox pages by status in proposal order, over all domains or one
    { name: 'change_request_inbox', properties: ['status', 'createdAt', 'id'] },
    { name: 'change_request_inbox_domain', properties: ['status', 'domain', 'createdAt', 'id'] },
    // a bulk's members in row order, and the pending proposals of a key (a re-run proposes nothing twice)
    { name: 'change_request_bulk', properties: ['bulkId', 'sourceRow', 'id'] },
    { name: 'change_request_key', properties: ['domain', 'recordKey', 'status'] },
  ],
});
export class ChangeRequest extends ChangeRequestEntity.class {}
ChangeRequestEntity.setClass(ChangeRequest);
