/**
 * The contract registry (DESIGN §4): contracts and their versions, from DRAFT through PUBLISHED and
 * DEPRECATED to RETIRED; compatibility checks under the contract's mode; the semver discipline
 * (a publication must carry at least the bump its changes need). Every change is authorised by the
 * caller's ability and written with its audit (and outbox) event in one transaction.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import semver from 'semver';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, type ErrorDetail, notFound, VersionConflictError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize, can } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  compareSchemas,
  type Dialect,
  isTransitive,
  type SchemaChange,
  type SchemaComparison,
  type SemverBump,
  violations,
} from './compatibility/compatibility.ts';
import { type Raw, UnresolvedReferenceError } from './compatibility/schema-model.ts';
import { Contract } from './contract.entity.ts';
import { contractUri, isValidContractName, parseVersion, withContractIds } from './contract-ids.ts';
import { ContractVersion, type VersionStatus } from './contract-version.entity.ts';
import { orderByReferences } from './contracts-folder.ts';
import { schemaFingerprint } from './fingerprint.ts';
import {
  ajvErrorDetails,
  assertCompiles,
  assertValidJsonSchema,
  referencedContracts,
} from './schema-checks.ts';

const compiledValidators = new Map<string, ValidateFunction>();

export interface ContractValidator {
  contractVersionId: string;
  /** e.g. `item@1.1.0` */
  version: string;
  /** Every problem with a JSON pointer path; empty when valid. */
  validate(data: unknown): ErrorDetail[];
}

/** Statuses whose schemas data may have been written under (compatibility is checked against them). */
const LIVE: VersionStatus[] = ['PUBLISHED', 'DEPRECATED'];

/** Every mutation of the registry may carry the caller's idempotency key. */
interface Idempotent {
  idempotencyKey?: string | null;
}

export interface RegisterVersionInput extends Idempotent {
  contract: string;
  version: string;
  schema: unknown;
  changelog?: string;
  /** Used when the contract is new. */
  compatibility?: CompatibilityMode;
  description?: string;
  ownerTeam?: string;
}

export interface UpdateContractInput extends Idempotent {
  name: string;
  compatibility?: CompatibilityMode;
  description?: string | null;
  ownerTeam?: string | null;
  expectedLockVersion?: number;
}

export interface CompatibilityReport extends SchemaComparison {
  contract: string;
  mode: CompatibilityMode;
  /** True when the mode allows publishing the schema as the next version. */
  compatible: boolean;
  /** The versions the schema was compared with (predecessor, or all live ones for transitive modes). */
  comparedWith: string[];
  /** Changes that break the mode. */
  violations: SchemaChange[];
  /** The lowest version number the schema could be published as. */
  suggestedVersion: string | null;
}

export interface PushResult {
  contract: string;
  version: string;
  outcome: 'PUBLISHED' | 'UNCHANGED' | 'REGISTERED';
}

/** A contract version as a document: what code generation needs. */
export interface ContractDocument {
  contract: string;
  version: string;
  schema: Record<string, unknown>;
}

/**
 * What a publication hands the publishing module, which builds the type package. Building is slow
 * (code generation), so it happens in `prepare`, before the publication takes the change-order lock
 * every audited write waits on; `onPublished` stores the result inside that lock, in the same
 * transaction: no publication without its package.
 */
export interface PublicationListener<P = unknown> {
  prepare(doc: ContractDocument & { contractVersionId: string }, referenced: ContractDocument[]): Promise<P>;
  onPublished(em: Em, prepared: P, latest: { contract: string; version: string }[]): Promise<void>;
}

export class ContractsService {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly outbox: OutboxService;
  private readonly listener: PublicationListener | undefined;

  constructor(orm: Orm, audit: AuditService, outbox: OutboxService, listener?: PublicationListener) {
    this.orm = orm;
    this.audit = audit;
    this.outbox = outbox;
    this.listener = listener;
  }

  // ---------------------------------------------------------------- reads

  async listContracts(ctx: CallContext): Promise<Contract[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    return this.orm.em.fork().find(Contract, {}, { orderBy: { name: 'asc' } });
  }

  /** Contracts by id (node lookups), unknown ones left out. */
  async contractsByIds(ctx: CallContext, ids: readonly string[]): Promise<Contract[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    const valid = ids.filter((id) => isUuid(id));
    return valid.length > 0 ? this.orm.em.fork().find(Contract, { id: { $in: valid } }) : [];
  }

  /** Versions by id (node lookups) that the caller may see, unknown ones left out. */
  async versionsByIds(ctx: CallContext, ids: readonly string[]): Promise<ContractVersion[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const valid = ids.filter((id) => isUuid(id));
    if (valid.length === 0) return [];
    return this.orm.em
      .fork()
      .find(
        ContractVersion,
        { id: { $in: valid }, ...this.visibleVersions(ctx) },
        { populate: ['contract'] },
      );
  }

  async getContract(ctx: CallContext, name: string): Promise<Contract | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    return this.orm.em.fork().findOne(Contract, { name });
  }

  /** Versions of several contracts in one query (for DataLoader), newest first, filtered by the ability. */
  async versionsOf(ctx: CallContext, contractIds: readonly string[]): Promise<ContractVersion[][]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await this.orm.em
      .fork()
      .find(
        ContractVersion,
        { contract: { $in: [...contractIds] }, ...this.visibleVersions(ctx) },
        { populate: ['contract'] },
      );
    return contractIds.map((id) =>
      rows.filter((r) => r.contract.id === id).sort((a, b) => semver.rcompare(a.version, b.version)),
    );
  }

  async getVersion(ctx: CallContext, contract: string, version: string): Promise<ContractVersion | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    return this.orm.em
      .fork()
      .findOne(
        ContractVersion,
        { contract: { name: contract }, version, ...this.visibleVersions(ctx) },
        { populate: ['contract'] },
      );
  }

  /** The newest PUBLISHED version (optionally within one major line). */
  async latestPublished(ctx: CallContext, contract: string, major?: number): Promise<ContractVersion | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await this.orm.em
      .fork()
      .find(
        ContractVersion,
        { contract: { name: contract }, status: 'PUBLISHED', ...(major === undefined ? {} : { major }) },
        { populate: ['contract'], orderBy: { major: 'desc', minor: 'desc', patch: 'desc' }, limit: 1 },
      );
    return rows[0] ?? null;
  }

  /**
   * The newest PUBLISHED version of several contracts in one query (for DataLoader); each key is a
   * contract id and an optional major line.
   */
  async latestPublishedOf(
    ctx: CallContext,
    keys: readonly { contractId: string; major?: number }[],
  ): Promise<(ContractVersion | null)[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await this.orm.em
      .fork()
      .find(
        ContractVersion,
        { contract: { $in: [...new Set(keys.map((k) => k.contractId))] }, status: 'PUBLISHED' },
        { populate: ['contract'] },
      );
    return keys.map((k) => {
      const candidates = rows.filter(
        (r) => r.contract.id === k.contractId && (k.major === undefined || r.major === k.major),
      );
      return candidates.sort((a, b) => semver.rcompare(a.version, b.version))[0] ?? null;
    });
  }

  /** The ability's conditions on ContractVersion as an ORM filter (drafts stay with admins and stewards). */
  private visibleVersions(ctx: CallContext): Record<string, unknown> {
    if (can(ctx.ability, 'read', 'ContractVersion', { status: 'DRAFT' })) return {};
    return { status: { $in: ['PUBLISHED', 'DEPRECATED', 'RETIRED'] } };
  }

  // ---------------------------------------------------------------- comparisons

  /** schemaDiff: a pure comparison of two documents (contract refs resolved from the registry). */
  async schemaDiff(ctx: CallContext, from: unknown, to: unknown): Promise<SchemaComparison> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const dialects: [Dialect, Dialect] = [
      assertValidJsonSchema(from, 'from', { allowDraft07: true }),
      assertValidJsonSchema(to, 'to', { allowDraft07: true }),
    ];
    const em = this.orm.em.fork();
    const resolver = await this.resolverFor(em, [from, to], ['from', 'to']);
    return this.compare(from, to, resolver, 'to', dialects);
  }

  /**
   * checkCompatibility: would `schema` be accepted as the next version of `contract` under its mode?
   * Answers with every change, the violations, the bump it needs and the version it could carry.
   */
  async checkCompatibility(
    ctx: CallContext,
    contractName: string,
    schema: unknown,
    version?: string,
  ): Promise<CompatibilityReport> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    assertValidJsonSchema(schema, 'schema');
    const em = this.orm.em.fork();
    const contract = await em.findOne(Contract, { name: contractName });
    if (!contract) throw notFound(`The contract "${contractName}"`, ['contract']);
    const target = version ? requireVersion(version, ['version']) : undefined;
    const live = await this.liveVersions(em, contract);
    const baseline = target ? live.filter((v) => semver.lt(v.version, version!)) : live;
    const resolver = await this.resolverFor(em, [schema, ...baseline.map((v) => v.schema)], ['schema']);
    return this.evaluate(contract, baseline, schema as Raw, resolver);
  }

  private evaluate(
    contract: Contract,
    baseline: ContractVersion[],
    schema: Raw,
    resolver: (uri: string) => Raw | undefined,
  ): CompatibilityReport {
    const mode = contract.compatibility as CompatibilityMode;
    const predecessor = baseline[baseline.length - 1];
    const comparedTo = predecessor ? (isTransitive(mode) ? baseline : [predecessor]) : [];
    const comparison: SchemaComparison = predecessor
      ? this.compare(predecessor.schema, schema, resolver, 'schema')
      : {
          backwardCompatible: true,
          forwardCompatible: true,
          requiredBump: 'NONE',
          changes: [],
          forwardChanges: [],
        };
    const found: SchemaChange[] = [];
    for (const earlier of comparedTo) {
      const c =
        earlier === predecessor ? comparison : this.compare(earlier.schema, schema, resolver, 'schema');
      for (const v of violations(mode, c)) {
        found.push(
          earlier === predecessor ? v : { ...v, message: `Against ${earlier.version}: ${v.message}` },
        );
      }
    }
    // a backward-incompatible change needs a new major, which only mode NONE allows without allowBreaking
    if (mode !== 'NONE' && comparison.requiredBump === 'MAJOR' && found.length === 0) {
      found.push(...comparison.changes.filter((c) => !c.compatible));
    }
    return {
      ...comparison,
      contract: contract.name,
      mode,
      compatible: found.length === 0,
      comparedWith: comparedTo.map((v) => v.version),
      violations: found,
      suggestedVersion: predecessor ? bumped(predecessor.version, comparison.requiredBump) : null,
    };
  }

  private compare(
    from: unknown,
    to: unknown,
    resolver: (uri: string) => Raw | undefined,
    field: string,
    dialects?: [Dialect, Dialect],
  ): SchemaComparison {
    try {
      return compareSchemas(from as Raw, to as Raw, { external: resolver, dialects });
    } catch (error) {
      if (error instanceof UnresolvedReferenceError) {
        throw new CanonError('REFERENCE_NOT_FOUND', error.message, {
          path: [field],
          details: [{ path: error.ref, message: error.message }],
        });
      }
      throw error;
    }
  }

  /** Loads every contract version the documents reference (transitively) and returns a sync resolver. */
  private async resolverFor(
    em: Em,
    docs: unknown[],
    fields: string[],
  ): Promise<(uri: string) => Raw | undefined> {
    const loaded = new Map<string, Raw>();
    let pending = docs.flatMap((d, i) =>
      typeof d === 'object' && d !== null
        ? referencedContracts(d as Record<string, unknown>, fields[i] ?? fields[0])
        : [],
    );
    while (pending.length > 0) {
      const next: typeof pending = [];
      for (const ref of pending) {
        if (loaded.has(ref.uri)) continue;
        const row = await em.findOne(ContractVersion, {
          contract: { name: ref.name },
          version: ref.version,
          status: { $ne: 'DRAFT' },
        });
        if (!row) continue; // reported as REFERENCE_NOT_FOUND when the diff reaches it
        loaded.set(ref.uri, row.schema);
        next.push(...referencedContracts(row.schema, fields[0]));
      }
      pending = next;
    }
    return (uri) => loaded.get(uri);
  }

  private async liveVersions(em: Em, contract: Contract): Promise<ContractVersion[]> {
    const rows = await em.find(ContractVersion, { contract, status: { $in: LIVE } });
    return rows.sort((a, b) => semver.compare(a.version, b.version));
  }

  // ---------------------------------------------------------------- writes

  async registerVersion(ctx: CallContext, input: RegisterVersionInput): Promise<ContractVersion> {
    authorize(ctx.ability, ctx.actor, 'create', 'ContractVersion');
    const name = requireContractName(input.contract);
    const parsed = requireVersion(input.version, ['version']);
    if (input.compatibility !== undefined) requireMode(input.compatibility);
    const schema = this.prepareSchema(name, input.version, input.schema);
    const fingerprint = schemaFingerprint(schema);
    try {
      return await idempotentTransaction(
        this.orm,
        ctx,
        input.idempotencyKey,
        'registerContractVersion',
        input,
        versionReplay,
        async (em) => {
          await this.assertReferencesResolve(em, schema);
          let contract = await em.findOne(Contract, { name });
          if (!contract) {
            contract = em.create(Contract, {
              name,
              compatibility: input.compatibility ?? 'BACKWARD',
              description: input.description ?? null,
              ownerTeam: input.ownerTeam ?? null,
            });
            await em.flush();
            await this.audit.record(em, ctx, {
              action: 'CONTRACT_CREATED',
              subjectType: 'Contract',
              subjectId: contract.id,
              after: { name, compatibility: contract.compatibility },
            });
          }
          const existing = await em.findOne(
            ContractVersion,
            { contract, version: input.version },
            { populate: ['contract'] },
          );
          if (existing) {
            if (existing.fingerprint === fingerprint) return existing; // same request again: same answer
            throw new CanonError(
              'VERSION_CONFLICT',
              existing.status === 'DRAFT'
                ? `${name} ${input.version} exists as a draft with other content; edit it with updateContractDraft.`
                : `${name} ${input.version} is ${existing.status.toLowerCase()} with other content; a published schema never changes. Register a new version.`,
              { path: ['version'] },
            );
          }
          const twin = await em.findOne(ContractVersion, { contract, fingerprint });
          if (twin) {
            throw new CanonError(
              'DUPLICATE_SCHEMA',
              `${name} ${twin.version} already has exactly this schema; the same content is stored once.`,
              {
                path: ['schema'],
              },
            );
          }
          const row = em.create(ContractVersion, {
            contract,
            version: input.version,
            ...parsed,
            schema,
            fingerprint,
            status: 'DRAFT',
            changelog: input.changelog ?? null,
            createdBy: ctx.actor?.id ?? null,
          });
          await em.flush();
          await this.audit.record(em, ctx, {
            action: 'CONTRACT_VERSION_REGISTERED',
            subjectType: 'ContractVersion',
            subjectId: row.id,
            after: { contract: name, version: row.version, fingerprint },
          });
          return row;
        },
      );
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new CanonError(
          'VERSION_CONFLICT',
          `${name} ${input.version} was registered concurrently; retry to get its current state.`,
          {
            path: ['version'],
          },
        );
      }
      throw error;
    }
  }

  async updateDraft(
    ctx: CallContext,
    input: {
      contract: string;
      version: string;
      schema: unknown;
      changelog?: string;
      expectedLockVersion?: number;
    } & Idempotent,
  ): Promise<ContractVersion> {
    authorize(ctx.ability, ctx.actor, 'update', 'ContractVersion');
    const name = requireContractName(input.contract);
    requireVersion(input.version, ['version']);
    const schema = this.prepareSchema(name, input.version, input.schema);
    const fingerprint = schemaFingerprint(schema);
    return idempotentTransaction(
      this.orm,
      ctx,
      input.idempotencyKey,
      'updateContractDraft',
      input,
      versionReplay,
      async (em) => {
        const row = await this.findVersionForWrite(em, name, input.version);
        if (row.status !== 'DRAFT') {
          throw new CanonError(
            'INVALID_STATE',
            `${name} ${input.version} is ${row.status}; only drafts can be edited.`,
            { path: ['version'] },
          );
        }
        checkLock(row.lockVersion, input.expectedLockVersion, `${name} ${input.version}`);
        await this.assertReferencesResolve(em, schema);
        if (fingerprint !== row.fingerprint) {
          const twin = await em.findOne(ContractVersion, { contract: row.contract, fingerprint });
          if (twin)
            throw new CanonError(
              'DUPLICATE_SCHEMA',
              `${name} ${twin.version} already has exactly this schema.`,
              { path: ['schema'] },
            );
        }
        const before = { fingerprint: row.fingerprint, changelog: row.changelog ?? null };
        row.schema = schema;
        row.fingerprint = fingerprint;
        if (input.changelog !== undefined) row.changelog = input.changelog;
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'CONTRACT_DRAFT_UPDATED',
          subjectType: 'ContractVersion',
          subjectId: row.id,
          before,
          after: { fingerprint, changelog: row.changelog ?? null },
        });
        return row;
      },
    );
  }

  async deleteDraft(
    ctx: CallContext,
    contract: string,
    version: string,
    idempotencyKey?: string | null,
  ): Promise<string> {
    authorize(ctx.ability, ctx.actor, 'delete', 'ContractVersion');
    const replay = () => ({ idOf: (id: string) => id, replay: async (id: string) => id });
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'deleteContractDraft',
      { contract, version },
      replay,
      async (em) => {
        const row = await this.findVersionForWrite(em, contract, version);
        if (row.status !== 'DRAFT')
          throw new CanonError(
            'INVALID_STATE',
            `${contract} ${version} is ${row.status}; only drafts can be deleted.`,
          );
        const id = row.id;
        em.remove(row);
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'CONTRACT_DRAFT_DELETED',
          subjectType: 'ContractVersion',
          subjectId: id,
          before: { contract, version, fingerprint: row.fingerprint },
        });
        return id;
      },
    );
  }

  async updateContract(ctx: CallContext, input: UpdateContractInput): Promise<Contract> {
    authorize(ctx.ability, ctx.actor, 'update', 'Contract');
    if (input.compatibility !== undefined) requireMode(input.compatibility);
    const replay = (em: Em) => ({
      idOf: (c: Contract) => c.id,
      replay: (id: string) => em.findOneOrFail(Contract, { id }),
    });
    return idempotentTransaction(
      this.orm,
      ctx,
      input.idempotencyKey,
      'updateContract',
      input,
      replay,
      async (em) => {
        const contract = await em.findOne(Contract, { name: input.name });
        if (!contract) throw notFound(`The contract "${input.name}"`, ['name']);
        checkLock(contract.lockVersion, input.expectedLockVersion, `The contract ${input.name}`);
        const before = {
          compatibility: contract.compatibility,
          description: contract.description ?? null,
          ownerTeam: contract.ownerTeam ?? null,
        };
        if (input.compatibility !== undefined) contract.compatibility = input.compatibility;
        if (input.description !== undefined) contract.description = input.description;
        if (input.ownerTeam !== undefined) contract.ownerTeam = input.ownerTeam;
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'CONTRACT_UPDATED',
          subjectType: 'Contract',
          subjectId: contract.id,
          before,
          after: {
            compatibility: contract.compatibility,
            description: contract.description ?? null,
            ownerTeam: contract.ownerTeam ?? null,
          },
        });
        return contract;
      },
    );
  }

  /**
   * Publishes a draft: checks the references, the contract's compatibility mode against the live
   * versions it must stay compatible with, and that the version number carries at least the bump the
   * changes need. `allowBreaking` (admins only) lets a breaking MAJOR through a mode that forbids it.
   */
  async publish(
    ctx: CallContext,
    input: { contract: string; version: string; allowBreaking?: boolean } & Idempotent,
  ): Promise<ContractVersion> {
    authorize(ctx.ability, ctx.actor, 'publish', 'ContractVersion');
    if (input.allowBreaking) authorize(ctx.ability, ctx.actor, 'publishBreaking', 'ContractVersion');
    return idempotentTransaction(
      this.orm,
      ctx,
      input.idempotencyKey,
      'publishContractVersion',
      input,
      versionReplay,
      async (em) => {
        const row = await this.findVersionForWrite(em, input.contract, input.version);
        // one publication per contract at a time: the checks below read the versions it must agree with
        await em
          .getConnection()
          .execute(
            'select id from contract where id = ? for update',
            [row.contract.id],
            'all',
            em.getTransactionContext(),
          );
        if (row.status === 'PUBLISHED') return row; // retried publication: same answer
        if (row.status !== 'DRAFT') {
          throw new CanonError(
            'INVALID_STATE',
            `${input.contract} ${input.version} is ${row.status}; only drafts can be published.`,
            {
              path: ['version'],
            },
          );
        }
        const referenced = await this.assertReferencesResolve(em, row.schema);
        const live = await this.liveVersions(em, row.contract);
        const sameMajor = live.filter((v) => v.major === row.major);
        const newerInLine = sameMajor.find((v) => semver.gte(v.version, row.version));
        if (newerInLine) {
          throw new CanonError(
            'VERSION_TOO_LOW',
            `${input.contract} ${newerInLine.version} is already published; a new ${row.major}.x version must be higher.`,
            {
              path: ['version'],
            },
          );
        }
        if (sameMajor.length === 0 && live.some((v) => v.major > row.major)) {
          throw new CanonError(
            'VERSION_TOO_LOW',
            `${input.contract} has newer major versions; start a new major line above them.`,
            { path: ['version'] },
          );
        }
        const baseline = live.filter((v) => semver.lt(v.version, row.version));
        const resolver = await this.resolverFor(
          em,
          [row.schema, ...baseline.map((v) => v.schema)],
          ['schema'],
        );
        const report = this.evaluate(row.contract, baseline, row.schema, resolver);
        const predecessor = baseline[baseline.length - 1];
        if (!report.compatible && !input.allowBreaking) {
          throw new CanonError(
            'INCOMPATIBLE_SCHEMA',
            `${input.contract} ${input.version} breaks the contract's ${report.mode} compatibility with ${report.comparedWith.join(', ')}: ${report.violations.length} incompatible change(s). ` +
              'Make the change compatible, or publish it as a new major version with allowBreaking (admins).',
            {
              path: ['version'],
              details: report.violations.map((v) => ({ path: v.path, message: v.message, keyword: v.kind })),
            },
          );
        }
        if (predecessor) {
          const actual = bumpBetween(predecessor.version, row.version);
          if (rank(actual) < rank(report.requiredBump)) {
            throw new CanonError(
              'VERSION_TOO_LOW',
              `${input.contract} ${input.version} is a ${actual} step from ${predecessor.version}, but its changes need a ${report.requiredBump} bump (at least ${report.suggestedVersion}).`,
              {
                path: ['version'],
                details: report.changes.map((c) => ({ path: c.path, message: c.message, keyword: c.kind })),
              },
            );
          }
        }
        row.status = 'PUBLISHED';
        row.publishedAt = new Date();
        row.publishedBy = ctx.actor?.id ?? null;
        row.requiredBump = predecessor ? report.requiredBump : null;
        row.changes = report.changes;
        await em.flush();
        // generated before the audit record takes the change-order lock, so other writes go on meanwhile
        const prepared = await this.listener?.prepare(
          { contract: input.contract, version: row.version, schema: row.schema, contractVersionId: row.id },
          referenced,
        );
        await this.audit.record(em, ctx, {
          action: 'CONTRACT_VERSION_PUBLISHED',
          subjectType: 'ContractVersion',
          subjectId: row.id,
          before: { status: 'DRAFT' },
          after: {
            status: 'PUBLISHED',
            contract: input.contract,
            version: row.version,
            predecessor: predecessor?.version ?? null,
            requiredBump: row.requiredBump ?? null,
            allowBreaking: Boolean(input.allowBreaking && !report.compatible),
          },
        });
        if (this.listener) await this.listener.onPublished(em, prepared, await this.latestOfEach(em));
        await this.outbox.append(em, {
          type: 'CONTRACT_VERSION_PUBLISHED',
          domain: input.contract,
          subjectId: row.id,
          payload: { contract: input.contract, version: row.version, fingerprint: row.fingerprint },
        });
        return row;
      },
    );
  }

  async deprecate(
    ctx: CallContext,
    input: { contract: string; version: string; reason?: string } & Idempotent,
  ): Promise<ContractVersion> {
    authorize(ctx.ability, ctx.actor, 'deprecate', 'ContractVersion');
    return this.transition(ctx, input, 'deprecateContractVersion', 'PUBLISHED', 'DEPRECATED', (row) => {
      row.deprecatedAt = new Date();
      row.deprecatedBy = ctx.actor?.id ?? null;
      row.deprecationReason = input.reason ?? null;
    });
  }

  async retire(
    ctx: CallContext,
    input: { contract: string; version: string } & Idempotent,
  ): Promise<ContractVersion> {
    authorize(ctx.ability, ctx.actor, 'retire', 'ContractVersion');
    return this.transition(ctx, input, 'retireContractVersion', 'DEPRECATED', 'RETIRED', (row) => {
      row.retiredAt = new Date();
      row.retiredBy = ctx.actor?.id ?? null;
    });
  }

  private async transition(
    ctx: CallContext,
    input: { contract: string; version: string } & Idempotent,
    operation: string,
    from: VersionStatus,
    to: VersionStatus,
    apply: (row: ContractVersion) => void,
  ): Promise<ContractVersion> {
    const { contract, version } = input;
    return idempotentTransaction(
      this.orm,
      ctx,
      input.idempotencyKey,
      operation,
      input,
      versionReplay,
      async (em) => {
        const row = await this.findVersionForWrite(em, contract, version);
        if (row.status === to) return row;
        if (row.status !== from) {
          throw new CanonError(
            'INVALID_STATE',
            `${contract} ${version} is ${row.status}; only a ${from} version can become ${to}.`,
            { path: ['version'] },
          );
        }
        apply(row);
        row.status = to;
        await em.flush();
        const action = to === 'DEPRECATED' ? 'CONTRACT_VERSION_DEPRECATED' : 'CONTRACT_VERSION_RETIRED';
        await this.audit.record(em, ctx, {
          action,
          subjectType: 'ContractVersion',
          subjectId: row.id,
          before: { status: from },
          after: { status: to, contract, version, reason: row.deprecationReason ?? null },
        });
        await this.outbox.append(em, {
          type: action,
          domain: contract,
          subjectId: row.id,
          payload: { contract, version },
        });
        return row;
      },
    );
  }

  /**
   * Registers and publishes a set of contract documents, oldest version first per contract;
   * versions already published with the same content are left alone. Used for the built-in contracts
   * at start and by `canon contracts push`.
   */
  async push(
    ctx: CallContext,
    docs: { contract: string; version: string; schema: unknown }[],
  ): Promise<PushResult[]> {
    const ordered = orderByReferences(docs);
    const results: PushResult[] = [];
    for (const doc of ordered) {
      const row = await this.registerVersion(ctx, doc);
      if (row.status === 'DRAFT') {
        await this.publish(ctx, { contract: doc.contract, version: doc.version });
        results.push({ contract: doc.contract, version: doc.version, outcome: 'PUBLISHED' });
      } else results.push({ contract: doc.contract, version: doc.version, outcome: 'UNCHANGED' });
    }
    return results;
  }

  /**
   * The validator of a domain's newest published contract version (within `major` when given), with
   * the version it belongs to. Compiled validators are cached by version id: a published schema never
   * changes, so the cache needs no invalidation (and replicas agree).
   */
  async validatorFor(em: Em, domain: string, major?: number): Promise<ContractValidator> {
    const rows = await em.find(
      ContractVersion,
      { contract: { name: domain }, status: 'PUBLISHED', ...(major === undefined ? {} : { major }) },
      { populate: ['contract'], orderBy: { major: 'desc', minor: 'desc', patch: 'desc' }, limit: 1 },
    );
    const row = rows[0];
    if (!row) {
      throw new CanonError(
        'NOT_FOUND',
        major === undefined
          ? `No published contract for the domain "${domain}".`
          : `No published ${major}.x version of the ${domain} contract.`,
        { path: ['domain'] },
      );
    }
    let validate = compiledValidators.get(row.id);
    if (!validate) {
      const referenced = await this.assertReferencesResolve(em, row.schema);
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      ajvFormats.default(ajv);
      for (const doc of referenced) if (!ajv.getSchema(String(doc.schema.$id))) ajv.addSchema(doc.schema);
      validate = ajv.compile(row.schema);
      compiledValidators.set(row.id, validate);
    }
    const fn = validate;
    return {
      contractVersionId: row.id,
      version: `${domain}@${row.version}`,
      validate: (data) => (fn(data) ? [] : ajvErrorDetails(fn.errors)),
    };
  }

  /** Pushes the contracts shipped with Canon (idempotent) and marks them built-in. */
  async registerBuiltIns(
    ctx: CallContext,
    docs: { contract: string; version: string; schema: unknown }[],
  ): Promise<PushResult[]> {
    const results = await this.push(ctx, docs);
    const em = this.orm.em.fork();
    const contracts = await em.find(Contract, {
      name: { $in: [...new Set(docs.map((d) => d.contract))] },
      builtIn: false,
    });
    for (const contract of contracts) contract.builtIn = true;
    await em.flush();
    return results;
  }

  // ---------------------------------------------------------------- helpers

  private async findVersionForWrite(em: Em, contract: string, version: string): Promise<ContractVersion> {
    const row = await em.findOne(
      ContractVersion,
      { contract: { name: contract }, version },
      { populate: ['contract'] },
    );
    if (!row) throw notFound(`${contract} ${version}`, ['version']);
    return row;
  }

  /** Validates the document and gives it Canon's `$schema` and `$id`. */
  private prepareSchema(name: string, version: string, input: unknown): Record<string, unknown> {
    assertValidJsonSchema(input, 'schema');
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new CanonError(
        'INVALID_SCHEMA',
        'A contract schema must be a JSON Schema object, not true or false.',
        { path: ['schema'] },
      );
    }
    const id = contractUri(name, version);
    const doc = input as Record<string, unknown>;
    if (doc.$id !== undefined && doc.$id !== id) {
      throw new CanonError(
        'INVALID_SCHEMA',
        `The schema's $id must be "${id}" (or left out, and Canon sets it).`,
        { path: ['schema', '$id'] },
      );
    }
    return withContractIds(name, version, doc);
  }

  /**
   * Every referenced contract version (transitively) exists and is published (or deprecated), and ajv
   * compiles the whole; returns the referenced documents.
   */
  private async assertReferencesResolve(
    em: Em,
    schema: Record<string, unknown>,
  ): Promise<ContractDocument[]> {
    const referenced: ContractDocument[] = [];
    const seen = new Set<string>();
    let pending = referencedContracts(schema, 'schema');
    while (pending.length > 0) {
      const next: typeof pending = [];
      for (const ref of pending) {
        if (seen.has(ref.uri)) continue;
        seen.add(ref.uri);
        if (ref.uri === schema.$id) continue;
        const row = await em.findOne(ContractVersion, { contract: { name: ref.name }, version: ref.version });
        if (!row || !LIVE.includes(row.status as VersionStatus)) {
          throw new CanonError(
            'REFERENCE_NOT_FOUND',
            `The schema references ${ref.name} ${ref.version}, which is ${row ? row.status.toLowerCase() : 'not registered'}; references must name published contract versions.`,
            { path: ['schema'], details: [{ path: ref.uri, message: 'unresolved contract reference' }] },
          );
        }
        referenced.push({ contract: ref.name, version: ref.version, schema: row.schema });
        next.push(...referencedContracts(row.schema, 'schema'));
      }
      pending = next;
    }
    assertCompiles(
      schema,
      referenced.map((r) => r.schema),
      'schema',
    );
    return referenced;
  }

  /** The newest PUBLISHED version of every contract. */
  private async latestOfEach(em: Em): Promise<{ contract: string; version: string }[]> {
    const rows = await em.find(ContractVersion, { status: 'PUBLISHED' }, { populate: ['contract'] });
    const latest = new Map<string, string>();
    for (const r of rows) {
      const name = r.contract.name;
      if (!latest.has(name) || semver.gt(r.version, latest.get(name)!)) latest.set(name, r.version);
    }
    return [...latest]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([contract, version]) => ({ contract, version }));
  }

  /** Every published, deprecated or retired version as a document with what it references (package backfill). */
  async publishedDocuments(): Promise<{
    docs: { doc: ContractDocument & { contractVersionId: string }; referenced: ContractDocument[] }[];
    latest: { contract: string; version: string }[];
  }> {
    const em = this.orm.em.fork();
    const rows = await em.find(ContractVersion, { status: { $ne: 'DRAFT' } }, { populate: ['contract'] });
    const all = rows.map((r) => ({
      contract: r.contract.name,
      version: r.version,
      schema: r.schema,
      contractVersionId: r.id,
    }));
    const byUri = new Map(all.map((d) => [contractUri(d.contract, d.version), d]));
    const referencedOf = (doc: ContractDocument): ContractDocument[] => {
      const out = new Map<string, ContractDocument>();
      const visit = (d: ContractDocument) => {
        for (const ref of referencedContracts(d.schema, 'schema')) {
          const target = byUri.get(ref.uri);
          if (target && !out.has(ref.uri)) {
            out.set(ref.uri, target);
            visit(target);
          }
        }
      };
      visit(doc);
      return [...out.values()];
    };
    return {
      docs: all.map((doc) => ({ doc, referenced: referencedOf(doc) })),
      latest: await this.latestOfEach(em),
    };
  }

  /** Status, deprecation and publication time of every non-draft version of a contract (for the npm registry). */
  async versionStates(
    ctx: CallContext,
    contract: string,
  ): Promise<Map<string, { status: string; deprecationReason: string | null; publishedAt: Date | null }>> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await this.orm.em
      .fork()
      .find(ContractVersion, { contract: { name: contract }, status: { $ne: 'DRAFT' } });
    return new Map(
      rows.map((r) => [
        r.version,
        {
          status: r.status,
          deprecationReason: r.deprecationReason ?? null,
          publishedAt: r.publishedAt ?? null,
        },
      ]),
    );
  }
}

// ---------------------------------------------------------------- pure helpers

function requireContractName(name: string): string {
  if (name === 'contracts') {
    throw new CanonError(
      'BAD_USER_INPUT',
      '"contracts" is reserved: it names the package that depends on every contract.',
      { path: ['contract'] },
    );
  }
  if (!isValidContractName(name)) {
    throw new CanonError(
      'BAD_USER_INPUT',
      `"${name}" is not a contract name: use kebab-case (e.g. item, work-center).`,
      { path: ['contract'] },
    );
  }
  return name;
}

function requireVersion(version: string, path: string[]) {
  const parsed = parseVersion(version);
  if (!parsed)
    throw new CanonError(
      'BAD_USER_INPUT',
      `"${version}" is not a version: use MAJOR.MINOR.PATCH (e.g. 1.2.0).`,
      { path },
    );
  return parsed;
}

function requireMode(mode: string): void {
  if (!(COMPATIBILITY_MODES as readonly string[]).includes(mode)) {
    throw new CanonError(
      'BAD_USER_INPUT',
      `Unknown compatibility mode "${mode}"; use one of ${COMPATIBILITY_MODES.join(', ')}.`,
      {
        path: ['compatibility'],
      },
    );
  }
}

/** The answer to a retried registry mutation: the version as it is now. */
function versionReplay(em: Em): Replayable<ContractVersion> {
  return {
    idOf: (v) => v.id,
    replay: (id) => em.findOneOrFail(ContractVersion, { id }, { populate: ['contract'] }),
  };
}

function checkLock(actual: number, expected: number | undefined, what: string): void {
  if (expected !== undefined && expected !== actual) {
    throw new VersionConflictError(
      `${what} changed since you read it (lock version ${actual}, you sent ${expected}); reload and retry.`,
      actual,
    );
  }
}

const rank = (b: SemverBump): number => ['NONE', 'PATCH', 'MINOR', 'MAJOR'].indexOf(b);

export function bumpBetween(from: string, to: string): SemverBump {
  const a = semver.parse(from)!;
  const b = semver.parse(to)!;
  if (b.major > a.major) return 'MAJOR';
  if (b.major === a.major && b.minor > a.minor) return 'MINOR';
  if (b.major === a.major && b.minor === a.minor && b.patch > a.patch) return 'PATCH';
  return 'NONE';
}

export function bumped(version: string, bump: SemverBump): string {
  if (bump === 'MAJOR') return semver.inc(version, 'major')!;
  if (bump === 'MINOR') return semver.inc(version, 'minor')!;
  return semver.inc(version, 'patch')!;
}
