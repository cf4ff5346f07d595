/**
 * The contract registry (DESIGN §4): the module's one entry point, composed of its parts — reads
 * (contract-reads.ts), comparisons (contract-comparisons.ts), drafts (contract-drafts.ts),
 * publication and lifecycle (contract-publication.ts) and record validators (contract-validators.ts).
 */
import type { Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { ContractComparisons } from './contract-comparisons.ts';
import { ContractDrafts } from './contract-drafts.ts';
import { ContractPublication } from './contract-publication.ts';
import { ContractReads } from './contract-reads.ts';
import { ContractRegistry } from './contract-registry.ts';
import { ContractRows } from './contract-rows.ts';
import { ContractValidators } from './contract-validators.ts';
import type { PublicationGate, PublicationListener } from './contracts.shared.ts';
import { LiveVersions } from './live-versions.ts';

export type {
  CompatibilityReport,
  ContractDocument,
  ContractValidator,
  PublicationListener,
  PushResult,
  RegisterVersionInput,
  UpdateContractInput,
} from './contracts.shared.ts';
export { bumpBetween, bumped } from './contracts.shared.ts';

export class ContractsService {
  private readonly reads: ContractReads;
  private readonly comparisons: ContractComparisons;
  private readonly drafts: ContractDrafts;
  private readonly publication: ContractPublication;
  private readonly validators: ContractValidators;
  /** The registry as schema-registry clients see it: integer ids, publication order, defaults. */
  readonly registry: ContractRegistry;
  /** The live versions, for the GraphQL schema that follows them. */
  readonly live: LiveVersions;

  constructor(orm: Orm, audit: AuditService, outbox: OutboxService, listener?: PublicationListener) {
    const rows = new ContractRows();
    this.reads = new ContractReads(orm);
    this.comparisons = new ContractComparisons(orm);
    this.drafts = new ContractDrafts(orm, audit, rows);
    this.publication = new ContractPublication(
      orm,
      audit,
      outbox,
      listener,
      this.comparisons,
      rows,
      this.drafts,
    );
    this.validators = new ContractValidators(rows);
    this.registry = new ContractRegistry(orm, audit, rows);
    this.live = new LiveVersions(orm);
    this.orm = orm;
  }

  private readonly orm: Orm;

  listContracts: ContractReads['listContracts'] = (...a) => this.reads.listContracts(...a);
  contractsByIds: ContractReads['contractsByIds'] = (...a) => this.reads.contractsByIds(...a);
  versionsByIds: ContractReads['versionsByIds'] = (...a) => this.reads.versionsByIds(...a);
  getContract: ContractReads['getContract'] = (...a) => this.reads.getContract(...a);
  ownerTeamIn: ContractReads['ownerTeamIn'] = (...a) => this.reads.ownerTeamIn(...a);
  versionsOf: ContractReads['versionsOf'] = (...a) => this.reads.versionsOf(...a);
  getVersion: ContractReads['getVersion'] = (...a) => this.reads.getVersion(...a);
  latestPublished: ContractReads['latestPublished'] = (...a) => this.reads.latestPublished(...a);
  latestPublishedOf: ContractReads['latestPublishedOf'] = (...a) => this.reads.latestPublishedOf(...a);
  versionStates: ContractReads['versionStates'] = (...a) => this.reads.versionStates(...a);
  schemaDiff: ContractComparisons['schemaDiff'] = (...a) => this.comparisons.schemaDiff(...a);
  checkCompatibility: ContractComparisons['checkCompatibility'] = (...a) =>
    this.comparisons.checkCompatibility(...a);
  checkAgainstVersion: ContractComparisons['checkAgainstVersion'] = (...a) =>
    this.comparisons.checkAgainstVersion(...a);
  registerVersion: ContractDrafts['registerVersion'] = (...a) => this.drafts.registerVersion(...a);
  updateDraft: ContractDrafts['updateDraft'] = (...a) => this.drafts.updateDraft(...a);
  deleteDraft: ContractDrafts['deleteDraft'] = (...a) => this.drafts.deleteDraft(...a);
  updateContract: ContractDrafts['updateContract'] = (...a) => this.drafts.updateContract(...a);
  // a change of the live versions is told after it committed (the GraphQL schema follows them),
  // also when the call failed: a retried or raced publication may have committed all the same
  /** Lets another module hold publications back (the consumers' wait for breaking versions). */
  gatePublicationsWith(gate: PublicationGate): void {
    this.publication.gate = gate;
  }

  publish: ContractPublication['publish'] = (...a) => this.thenLive(this.publication.publish(...a));
  deprecate: ContractPublication['deprecate'] = (...a) => this.thenLive(this.publication.deprecate(...a));
  retire: ContractPublication['retire'] = (...a) => this.thenLive(this.publication.retire(...a));
  push: ContractPublication['push'] = (...a) => this.thenLive(this.publication.push(...a));

  private async thenLive<T>(done: Promise<T>): Promise<T> {
    try {
      return await done;
    } finally {
      await this.live.changed();
    }
  }
  registerBuiltIns: ContractPublication['registerBuiltIns'] = (...a) =>
    this.publication.registerBuiltIns(...a);
  publishedDocuments: ContractPublication['publishedDocuments'] = (...a) =>
    this.publication.publishedDocuments(...a);
  validatorFor: ContractValidators['validatorFor'] = (...a) => this.validators.validatorFor(...a);

  /** The major a proposal naming none is validated against (undefined: none published). */
  async effectiveProposalMajor(ctx: CallContext, domain: string): Promise<number | undefined> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    const em = this.orm.em.fork();
    try {
      return Number((await this.validators.validatorFor(em, domain)).version.split('@')[1].split('.')[0]);
    } catch (error) {
      if (error instanceof CanonError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }
}
