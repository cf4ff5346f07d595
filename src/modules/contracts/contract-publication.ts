import semver from 'semver';
import { walkReferences } from '../../../codegen/references.ts';
import type { Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { type OutboxService, originOf } from '../events/outbox.service.ts';
import { idempotentTransaction } from '../idempotency/idempotency.service.ts';
import { Contract } from './contract.entity.ts';
import type { ContractComparisons } from './contract-comparisons.ts';
import type { ContractDrafts } from './contract-drafts.ts';
import { contractUri, withContractIds } from './contract-ids.ts';
import type { ContractRows } from './contract-rows.ts';
import { ContractVersion, type VersionStatus } from './contract-version.entity.ts';
import {
  bumpBetween,
  type ContractDocument,
  type Idempotent,
  type PublicationGate,
  type PublicationListener,
  type PushResult,
  rank,
  versionReplay,
} from './contracts.shared.ts';
import { orderByReferences } from './contracts-folder.ts';
import { schemaFingerprint } from './fingerprint.ts';
import { assignRegistryIds } from './registry-ids.ts';
import { referencedContracts } from './schema-checks.ts';

const pick = (d: { contract: string; version: string }) => ({ contract: d.contract, version: d.version });

export class ContractPublication {
  /** The consumers module's wait for breaking versions (none: publications never wait). */
  gate: PublicationGate | null = null;
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly outbox: OutboxService;
  private readonly listener: PublicationListener | undefined;
  private readonly comparisons: ContractComparisons;
  private readonly rows: ContractRows;
  private readonly drafts: ContractDrafts;

  constructor(
    orm: Orm,
    audit: AuditService,
    outbox: OutboxService,
    listener: PublicationListener | undefined,
    comparisons: ContractComparisons,
    rows: ContractRows,
    drafts: ContractDrafts,
  ) {
    this.orm = orm;
    this.audit = audit;
    this.outbox = outbox;
    this.listener = listener;
    this.comparisons = comparisons;
    this.rows = rows;
    this.drafts = drafts;
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
    if (this.gate) await this.gate(ctx, input.contract, input.version);
    return idempotentTransaction(
      this.orm,
      ctx,
      input.idempotencyKey,
      'publishContractVersion',
      input,
      versionReplay,
      async (em) => {
        const row = await this.rows.findVersionForWrite(em, input.contract, input.version);
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
        const referenced = await this.rows.assertReferencesResolve(em, row.schema);
        const live = await this.comparisons.liveVersions(em, row.contract);
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
        const resolver = await this.comparisons.resolverFor(
          em,
          [row.schema, ...baseline.map((v) => v.schema)],
          ['schema'],
        );
        const report = this.comparisons.evaluate(row.contract, baseline, row.schema, resolver);
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
        await assignRegistryIds(em, row);
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
        if (this.listener) await this.listener.onPublished(em, prepared, await this.rows.latestOfEach(em));
        await this.outbox.append(em, {
          type: 'CONTRACT_VERSION_PUBLISHED',
          domain: input.contract,
          subjectId: row.id,
          payload: { contract: input.contract, version: row.version, fingerprint: row.fingerprint },
          origin: originOf(ctx),
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

  async transition(
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
        const row = await this.rows.findVersionForWrite(em, contract, version);
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
        // the audit record holds the change-order lock: the meta package drops what is no longer current
        if (this.listener) await this.listener.onLatestChanged(em, await this.rows.latestOfEach(em));
        await this.outbox.append(em, {
          type: action,
          domain: contract,
          subjectId: row.id,
          payload: { contract, version },
          origin: originOf(ctx),
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
      try {
        results.push(await this.pushOne(ctx, doc));
      } catch (error) {
        if (!(error instanceof CanonError)) throw error;
        const done = results
          .filter((r) => r.outcome !== 'UNCHANGED')
          .map((r) => `${r.contract}@${r.version}`);
        throw new CanonError(
          error.code,
          `${error.message.includes(`${doc.contract} ${doc.version}`) ? '' : `${doc.contract} ${doc.version}: `}${error.message}${done.length ? ` (published before it in this push: ${done.join(', ')})` : ''}`,
          { path: error.fieldPath, details: error.details },
        );
      }
    }
    return results;
  }

  /**
   * One document of a push. A draft of the version with other content that this actor left (a push
   * that failed before) takes the new content; anyone else's draft is never touched. When publishing
   * fails, the draft this push registered or reused is deleted again, so the next push starts clean.
   */
  private async pushOne(
    ctx: CallContext,
    doc: { contract: string; version: string; schema: unknown },
  ): Promise<PushResult> {
    const existing = await this.orm.em
      .fork()
      .findOne(ContractVersion, { contract: { name: doc.contract }, version: doc.version });
    const ours = existing?.status === 'DRAFT' && existing.createdBy === (ctx.actor?.id ?? null);
    let row: ContractVersion;
    let replaced = false;
    try {
      row = await this.drafts.registerVersion(ctx, doc);
    } catch (error) {
      if (!(error instanceof CanonError && error.code === 'VERSION_CONFLICT' && ours)) throw error;
      row = await this.drafts.updateDraft(ctx, { ...doc });
      replaced = true;
    }
    if (row.status !== 'DRAFT') return { ...pick(doc), outcome: 'UNCHANGED' };
    try {
      await this.publish(ctx, { contract: doc.contract, version: doc.version });
    } catch (error) {
      if (!existing || ours) {
        await this.drafts.deleteDraft(ctx, doc.contract, doc.version).catch(() => undefined);
        if (error instanceof CanonError)
          throw new CanonError(error.code, `${error.message} The draft was not kept: fix and push again.`, {
            path: error.fieldPath,
            details: error.details,
          });
      }
      throw error;
    }
    return { ...pick(doc), outcome: replaced ? 'DRAFT_REPLACED' : 'PUBLISHED' };
  }

  /**
   * Every start registers the built-ins; when each is already there — same content, published (or
   * later), marked built-in — one query says so, instead of validating every document again.
   */
  private async builtInsInPlace(
    docs: { contract: string; version: string; schema: unknown }[],
  ): Promise<boolean> {
    const rows = await this.orm.em.getConnection().execute<{ k: string }[]>(
      `select c.name || '@' || v.version || '@' || v.fingerprint as k
         from contract_version v join contract c on c.id = v.contract_id
        where c.built_in and v.status <> 'DRAFT'`,
    );
    const present = new Set(rows.map((r) => r.k));
    return docs.every(
      (d) =>
        typeof d.schema === 'object' &&
        d.schema !== null &&
        present.has(
          `${d.contract}@${d.version}@${schemaFingerprint(withContractIds(d.contract, d.version, d.schema as Record<string, unknown>))}`,
        ),
    );
  }

  /** Pushes the contracts shipped with Canon (idempotent) and marks them built-in. */
  async registerBuiltIns(
    ctx: CallContext,
    docs: { contract: string; version: string; schema: unknown }[],
  ): Promise<PushResult[]> {
    if (await this.builtInsInPlace(docs))
      return docs.map((d) => ({ contract: d.contract, version: d.version, outcome: 'UNCHANGED' as const }));
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
    const referencedOf = async (doc: ContractDocument): Promise<ContractDocument[]> => {
      const refsOf = (d: ContractDocument) => referencedContracts(d.schema, 'schema');
      return [...(await walkReferences(refsOf(doc), (ref) => byUri.get(ref.uri), refsOf)).values()];
    };
    return {
      docs: await Promise.all(all.map(async (doc) => ({ doc, referenced: await referencedOf(doc) }))),
      latest: await this.rows.latestOfEach(em),
    };
  }
}
