/** The shapes the records module's services take and answer. */
import type { ChangeOperation, ChangeStatus } from './change-request.entity.ts';
import type { Data, Finding } from './domain-rules.ts';
import type { FieldChange } from './field-diff.ts';

/** Approvals a proposal needs when no policy was set for its domain: four eyes. */
export const DEFAULT_REQUIRED_APPROVALS = 1;

export interface ProposeInput {
  domain: string;
  /** Absent: create a record. */
  recordId?: string;
  operation?: ChangeOperation;
  /** The full payload (create, replace). */
  data?: Data;
  /** An RFC 7396 merge patch against the base revision (update). */
  patch?: Data;
  /** The revision the proposer saw; a stale one ends in CONFLICT. Required for a full replace. */
  baseRevision?: number;
  effectiveFrom?: Date;
  reason?: string;
  /** Validate against this major line of the contract instead of the contract's proposal major. */
  contractMajor?: number;
  /** A new record without a key: Canon assigns one from the domain's key sequence. */
  assignKey?: boolean;
  idempotencyKey?: string;
}

/** A record's value at one moment. */
export interface RecordView {
  id: string;
  domain: string;
  key: string;
  /** What the key is unique within: the site for site-scoped domains, '' otherwise. */
  keyScope: string;
  /** The record's key now (lists are ordered by it); `key` is the one it had at the moment read. */
  storedKey: string;
  site: string | null;
  status: string;
  revision: number;
  latestRevision: number;
  data: Data;
  effectiveFrom: Date;
  contractVersion: string;
  /** Warnings of relaxed rules kept with the revision (rule-severities.ts). */
  findings: Finding[];
  lockVersion: number;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the record was found by a key it gave up in a rekey: that old key. */
  renamedFrom?: string;
  /** The survivor this record was merged into (status MERGED). */
  mergedInto?: string | null;
  /** Set when a read asked for a record merged into this one: that record's id. */
  followedFrom?: string;
}

export interface HistoryEntry {
  revision: number;
  operation: string;
  status: string;
  data: Data;
  effectiveFrom: Date;
  contractVersion: string;
  changeRequestId: string | null;
  createdBy: string | null;
  createdByName: string | null;
  reason: string | null;
  createdAt: Date;
  changes: FieldChange[];
}

export interface ListFilter {
  domain: string;
  asOf?: Date;
  status?: string;
  site?: string;
  keyPrefix?: string;
  search?: string;
  /** jsonb containment on the payload, e.g. { tracking: 'lot' }. */
  dataContains?: Data;
  /** Payload containment of any of these (for internal readers; at most a few hundred). */
  dataContainsAny?: Data[];
  /** Only records whose revision has (true) or has no (false) warnings of relaxed rules. */
  hasFindings?: boolean;
}

/** A forward page: up to `limit` rows after the keyset cursor values (one more row says there is more). */
export interface PageRequest<C> {
  limit: number;
  after?: C;
}

export interface ChangeRequestFilter {
  status?: ChangeStatus;
  /** Only the members of this bulk change request. */
  bulkId?: string;
  domain?: string;
  proposedBy?: string;
  systemCode?: string;
  recordId?: string;
  /** The site of the proposed payload. */
  site?: string;
  /** Proposed before this moment (older than an age). */
  createdBefore?: Date;
  /** Proposed at or after this moment. */
  createdAfter?: Date;
  /** Default newest first. */
  order?: 'NEWEST_FIRST' | 'OLDEST_FIRST';
}

/** The revision of a record effective at a moment (as-of reads). */
export type CurrentRow = {
  record_id: string;
  revision: number;
  data: Data;
  status: string;
  effective_from: Date;
  contract_version: string;
  findings?: Finding[] | string | null;
};

/** A record as a page of the records module answers it inside a transaction (exports). */
export type ExportRow = CurrentRow & { key: string; key_scope: string; site: string | null };
