/**
 * Golden records (DESIGN §5): the module's one entry point for the GraphQL layer and other modules,
 * composed of the parts that do the work — reads (record-reads.ts, change-request-reads.ts),
 * proposals (proposals.ts), the stewards' decisions (decisions.ts), applying (record-writer.ts),
 * validation (record-validation.ts) and approval policies (approval-policies.ts).
 */
import type { Em, Orm } from '../../db/orm.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { ApprovalPolicies } from './approval-policies.ts';
import { BomStructure } from './bom/bom-structure.ts';
import { BulkApply } from './bulk-apply.ts';
import { BulkChangeRequests } from './bulk-change-requests.ts';
import { ChangeRequestReads } from './change-request-reads.ts';
import { Decisions } from './decisions.ts';
import { DomainReads } from './domain-reads.ts';
import type { Data } from './domain-rules.ts';
import { EffectiveEvents } from './effective-events.ts';
import { KeySequences } from './keys/key-sequences.ts';
import type { RekeyListener } from './keys/rekey-follower.ts';
import { MergeProposals, type OwnersOf } from './merge/merge-proposals.ts';
import { type MergeParticipant, RecordMerger } from './merge/record-merger.ts';
import { SurvivorshipRules } from './merge/survivorship-rules.ts';
import { type DuplicateFinder, Proposals } from './proposals.ts';
import { listPageSql } from './record-list-query.ts';
import { RecordReads } from './record-reads.ts';
import { RecordValidation } from './record-validation.ts';
import { type DecidedListener, RecordWriter } from './record-writer.ts';
import { RuleSeverities } from './rule-severities.ts';
import { rulesFor } from './rules-registry.ts';

export type { BulkChangeRequest } from './bulk-change-request.entity.ts';
export type { BulkDecisionResult, BulkFilter, BulkStatusCounts } from './bulk-change-requests.ts';
export type { ChangeRequest, DuplicateSuggestion, MergeDetails } from './change-request.entity.ts';
export type { KeyChange, RekeyListener } from './keys/rekey-follower.ts';
export type { MergeChange, MergeParticipant } from './merge/record-merger.ts';
export type { DuplicateFinder } from './proposals.ts';
export type { DecidedListener } from './record-writer.ts';
export type {
  ChangeRequestFilter,
  ExportRow,
  HistoryEntry,
  ListFilter,
  PageRequest,
  ProposeInput,
  RecordView,
} from './records.types.ts';
export { DEFAULT_REQUIRED_APPROVALS } from './records.types.ts';

import type { ExportRow, ListFilter } from './records.types.ts';

export class RecordsService {
  private readonly reads: RecordReads;
  private readonly changeRequestReads: ChangeRequestReads;
  private readonly policies: ApprovalPolicies;
  private readonly proposals: Proposals;
  private readonly decisions: Decisions;

  constructor(orm: Orm, audit: AuditService, outbox: OutboxService, contracts: ContractsService) {
    const validation = new RecordValidation();
    const writer = new RecordWriter(audit, outbox, contracts, validation);
    this.reads = new RecordReads(orm);
    this.domainReads = new DomainReads(this.reads);
    this.changeRequestReads = new ChangeRequestReads(orm);
    this.policies = new ApprovalPolicies(orm, audit, contracts);
    this.keySequences = new KeySequences(orm, audit, contracts);
    this.proposals = new Proposals({
      keySequences: this.keySequences,
      orm,
      audit,
      contracts,
      policies: this.policies,
      validation,
      writer,
      outbox,
    });
    this.decisions = new Decisions(orm, audit, writer, outbox);
    this.writer = writer;
    this.effectiveEvents = new EffectiveEvents(orm, outbox);
    this.bulk = new BulkApply({ audit, outbox, contracts, validation, policies: this.policies });
    this.bulkChangeRequests = new BulkChangeRequests(orm, this.decisions, {
      bulk: this.bulk,
      audit,
      outbox,
      writer,
    });
    this.severities = new RuleSeverities(orm, audit, contracts);
    this.contracts = contracts;
    this.survivorship = new SurvivorshipRules(orm, audit, contracts);
    this.mergeProposals = new MergeProposals({
      orm,
      audit,
      contracts,
      policies: this.policies,
      validation,
      writer,
      outbox,
      survivorship: this.survivorship,
    });
    this.merger = new RecordMerger({ orm, audit, outbox, contracts, validation, writer });
    writer.applyMergesWith(this.merger);
  }

  private readonly survivorship: SurvivorshipRules;
  private readonly mergeProposals: MergeProposals;
  private readonly merger: RecordMerger;

  /** Another module's part of merges and unmerges (the xref module moves its links). */
  participateInMerges(participant: MergeParticipant): void {
    this.merger.participate(participant);
  }

  /** Where survivorship learns a domain's systems of record (SOURCE_RANKING). */
  rankSourcesWith(ownersOf: OwnersOf): void {
    this.mergeProposals.rankSourcesWith(ownersOf);
  }

  /** Who finds possible duplicates of a proposal's payload (the matching module). */
  findDuplicatesWith(finder: DuplicateFinder): void {
    this.proposals.findDuplicatesWith(finder);
  }

  mergeRecords: MergeProposals['propose'] = (...a) => this.mergeProposals.propose(...a);
  unmergeRecord: RecordMerger['unmerge'] = (...a) => this.merger.unmerge(...a);
  survivorshipRules: SurvivorshipRules['list'] = (...a) => this.survivorship.list(...a);
  setSurvivorshipRule: SurvivorshipRules['set'] = (...a) => this.survivorship.set(...a);

  /**
   * A page of a domain's records in key order after a keyset cursor (key, key scope, id), read in the
   * caller's transaction (exports page through one snapshot with it).
   */
  async pageIn(
    em: Em,
    filter: ListFilter,
    page: { after?: [string, string, string]; limit: number },
  ): Promise<ExportRow[]> {
    const q = listPageSql(filter, { ...page, withTotal: false });
    const rows = await em
      .getConnection()
      .execute<ExportRow[]>(q.sql, q.params, 'all', em.getTransactionContext());
    return rows.slice(0, page.limit);
  }

  /** When a record of the domain was last written (null: none yet), in the caller's transaction. */
  async lastWriteIn(em: Em, domain: string): Promise<Date | null> {
    const [row] = await em
      .getConnection()
      .execute<{ at: Date | string | null }[]>(
        'select max(updated_at) as at from golden_record where domain = ?',
        [domain],
        'all',
        em.getTransactionContext(),
      );
    return row?.at ? new Date(row.at) : null;
  }

  /** JSON pointers of the fields a domain's business key is made of. */
  async keyFieldsOf(em: Em, domain: string): Promise<string[]> {
    const validator = await this.contracts.validatorFor(em, domain);
    return rulesFor(domain, validator.schema).keyFields;
  }

  /** The business keys of payloads of a domain, as its rules compute them. */
  async businessKeysOf(em: Em, domain: string, payloads: readonly Data[]): Promise<string[]> {
    const validator = await this.contracts.validatorFor(em, domain);
    const rules = rulesFor(domain, validator.schema);
    return payloads.map((d) => rules.keyOf(d));
  }

  private readonly contracts: ContractsService;

  /** Many payloads of a domain applied at once, in the caller's transaction (imports). */
  readonly bulk: BulkApply;

  /** Announces revisions whose future moment has come (RECORD_EFFECTIVE); started by the app. */
  readonly effectiveEvents: EffectiveEvents;
  /** Multi-level BOM explosion and where-used, over the live records. */
  readonly bomStructure: BomStructure = new BomStructure(this);

  private readonly writer: RecordWriter;
  private readonly keySequences: KeySequences;

  /** Registers another module's part of a rekey, run in the rekey's transaction. */
  onRekeyed(listener: RekeyListener): void {
    this.writer.onRekeyed(listener);
  }

  /** Registers another module's part of a proposal's decision, run in the decision's transaction. */
  onDecided(listener: DecidedListener): void {
    this.writer.onDecided(listener);
  }

  private readonly severities: RuleSeverities;
  ruleSeverities: RuleSeverities['list'] = (...a) => this.severities.list(...a);
  setRuleSeverity: RuleSeverities['set'] = (...a) => this.severities.set(...a);

  private readonly bulkChangeRequests: BulkChangeRequests;
  bulkChangeRequest: BulkChangeRequests['bulkChangeRequest'] = (...a) =>
    this.bulkChangeRequests.bulkChangeRequest(...a);
  bulkChangeRequestList: BulkChangeRequests['bulkChangeRequests'] = (...a) =>
    this.bulkChangeRequests.bulkChangeRequests(...a);
  bulkStatusCounts: BulkChangeRequests['statusCounts'] = (...a) => this.bulkChangeRequests.statusCounts(...a);
  decideBulk: BulkChangeRequests['decide'] = (...a) => this.bulkChangeRequests.decide(...a);

  // reads
  recordsByIds: RecordReads['recordsByIds'] = (...a) => this.reads.recordsByIds(...a);
  record: RecordReads['record'] = (...a) => this.reads.record(...a);
  recordFollowingMerges: RecordReads['recordFollowingMerges'] = (...a) =>
    this.reads.recordFollowingMerges(...a);
  mergedFrom: RecordReads['mergedFrom'] = (...a) => this.reads.mergedFrom(...a);
  recordsByKeys: RecordReads['recordsByKeys'] = (...a) => this.reads.recordsByKeys(...a);
  keyAliases: RecordReads['keyAliases'] = (...a) => this.reads.keyAliases(...a);
  list: RecordReads['list'] = (...a) => this.reads.list(...a);
  count: RecordReads['count'] = (...a) => this.reads.count(...a);
  childrenOf: RecordReads['childrenOf'] = (...a) => this.reads.childrenOf(...a);
  history: RecordReads['history'] = (...a) => this.reads.history(...a);
  private readonly domainReads: DomainReads;
  convertQuantity: DomainReads['convertQuantity'] = (...a) => this.domainReads.convertQuantity(...a);
  locationPaths: DomainReads['locationPaths'] = (...a) => this.domainReads.locationPaths(...a);
  identities: RecordReads['identities'] = (...a) => this.reads.identities(...a);
  countWithValues: RecordReads['countWithValues'] = (...a) => this.reads.countWithValues(...a);
  changeRequest: ChangeRequestReads['changeRequest'] = (...a) => this.changeRequestReads.changeRequest(...a);
  changeRequestsByIds: ChangeRequestReads['changeRequestsByIds'] = (...a) =>
    this.changeRequestReads.changeRequestsByIds(...a);
  changeRequests: ChangeRequestReads['changeRequests'] = (...a) =>
    this.changeRequestReads.changeRequests(...a);
  countChangeRequests: ChangeRequestReads['countChangeRequests'] = (...a) =>
    this.changeRequestReads.countChangeRequests(...a);

  // policies
  approvalPolicies: ApprovalPolicies['approvalPolicies'] = (...a) => this.policies.approvalPolicies(...a);
  setApprovalPolicy: ApprovalPolicies['setApprovalPolicy'] = (...a) => this.policies.setApprovalPolicy(...a);

  // key sequences
  keySequenceList: KeySequences['list'] = (...a) => this.keySequences.list(...a);
  setKeySequence: KeySequences['set'] = (...a) => this.keySequences.set(...a);

  // writes
  propose: Proposals['propose'] = (...a) => this.proposals.propose(...a);
  seed: Proposals['seed'] = (...a) => this.proposals.seed(...a);
  approve: Decisions['approve'] = (...a) => this.decisions.approve(...a);
  reject: Decisions['reject'] = (...a) => this.decisions.reject(...a);
  withdraw: Decisions['withdraw'] = (...a) => this.decisions.withdraw(...a);
  decideMany: Decisions['decideMany'] = (...a) => this.decisions.decideMany(...a);
  countChangeRequestsByDomain: ChangeRequestReads['countByDomain'] = (...a) =>
    this.changeRequestReads.countByDomain(...a);
  usedBy: RecordReads['usedBy'] = (...a) => this.reads.usedBy(...a);
}
