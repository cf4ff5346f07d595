/** Drafts and contract settings: register (idempotent by content), edit, delete a draft; update a contract. */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { DEFAULT_DRAFT, DRAFTS, type Draft } from '../../../codegen/drafts.ts';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { idempotentTransaction } from '../idempotency/idempotency.service.ts';
import { Contract, MAJOR_POLICIES } from './contract.entity.ts';
import type { ContractRows } from './contract-rows.ts';
import { ContractVersion } from './contract-version.entity.ts';

import {
  checkLock,
  type Idempotent,
  type RegisterVersionInput,
  requireContractName,
  requireMode,
  requireVersion,
  type UpdateContractInput,
  versionReplay,
} from './contracts.shared.ts';
import { schemaFingerprint } from './fingerprint.ts';
import { REGISTRY_SETTINGS_ID, RegistrySettings } from './registry-settings.entity.ts';

function requireDraft(draft: string): Draft {
  if (!(DRAFTS as readonly string[]).includes(draft))
    throw new CanonError('BAD_USER_INPUT', `defaultDraft is one of ${DRAFTS.join(', ')}.`, {
      path: ['defaultDraft'],
    });
  return draft as Draft;
}

export class ContractDrafts {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly rows: ContractRows;

  constructor(orm: Orm, audit: AuditService, rows: ContractRows) {
    this.orm = orm;
    this.audit = audit;
    this.rows = rows;
  }

  /** The draft a contract reads documents without `$schema` in (undefined for a new contract). */
  private async defaultDraftOf(name: string): Promise<Draft | undefined> {
    const contract = await this.orm.em.fork().findOne(Contract, { name }, { fields: ['defaultDraft'] });
    return contract?.defaultDraft;
  }

  async registerVersion(ctx: CallContext, input: RegisterVersionInput): Promise<ContractVersion> {
    authorize(ctx.ability, ctx.actor, 'create', 'ContractVersion');
    const name = requireContractName(input.contract, ctx);
    const parsed = requireVersion(input.version, ['version']);
    if (input.compatibility !== undefined) requireMode(input.compatibility);
    if (input.defaultDraft !== undefined) requireDraft(input.defaultDraft);
    const defaultDraft = (await this.defaultDraftOf(name)) ?? input.defaultDraft;
    const schema = this.rows.prepareSchema(name, input.version, input.schema, defaultDraft);
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
          await this.rows.assertReferencesResolve(em, schema);
          let contract = await em.findOne(Contract, { name });
          if (!contract) {
            contract = em.create(Contract, {
              name,
              compatibility:
                input.compatibility ??
                (await em.findOne(RegistrySettings, { id: REGISTRY_SETTINGS_ID }))?.defaultCompatibility ??
                'BACKWARD',
              description: input.description ?? null,
              ownerTeam: input.ownerTeam ?? null,
              defaultDraft: input.defaultDraft ?? DEFAULT_DRAFT,
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
                // which version and its status: a draft may be another registration being published
                details: [{ path: twin.version, message: twin.status }],
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
    const name = requireContractName(input.contract, ctx);
    requireVersion(input.version, ['version']);
    const schema = this.rows.prepareSchema(
      name,
      input.version,
      input.schema,
      await this.defaultDraftOf(name),
    );
    const fingerprint = schemaFingerprint(schema);
    return idempotentTransaction(
      this.orm,
      ctx,
      input.idempotencyKey,
      'updateContractDraft',
      input,
      versionReplay,
      async (em) => {
        const row = await this.rows.findVersionForWrite(em, name, input.version);
        if (row.status !== 'DRAFT') {
          throw new CanonError(
            'INVALID_STATE',
            `${name} ${input.version} is ${row.status}; only drafts can be edited.`,
            { path: ['version'] },
          );
        }
        checkLock(row.lockVersion, input.expectedLockVersion, `${name} ${input.version}`);
        await this.rows.assertReferencesResolve(em, schema);
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
        // the draft it already is (a retry, a double click) changes nothing and is not audited again
        if (
          fingerprint === row.fingerprint &&
          (input.changelog === undefined || (input.changelog ?? null) === before.changelog)
        )
          return row;
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
        const row = await this.rows.findVersionForWrite(em, contract, version);
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
    if (input.defaultDraft !== undefined) requireDraft(input.defaultDraft);
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
          defaultDraft: contract.defaultDraft,
          description: contract.description ?? null,
          ownerTeam: contract.ownerTeam ?? null,
          majorPolicy: contract.majorPolicy,
          proposalMajor: contract.proposalMajor ?? null,
        };
        await applyMajorPolicy(em, contract, input);
        if (input.compatibility !== undefined) contract.compatibility = input.compatibility;
        if (input.description !== undefined) contract.description = input.description;
        if (input.ownerTeam !== undefined) contract.ownerTeam = input.ownerTeam;
        if (input.defaultDraft !== undefined) contract.defaultDraft = requireDraft(input.defaultDraft);
        const after = {
          compatibility: contract.compatibility,
          defaultDraft: contract.defaultDraft,
          description: contract.description ?? null,
          ownerTeam: contract.ownerTeam ?? null,
          majorPolicy: contract.majorPolicy,
          proposalMajor: contract.proposalMajor ?? null,
        };
        // the same update again (a retry, a double click) changes nothing and is not audited again
        if (JSON.stringify(after) === JSON.stringify(before)) return contract;
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'CONTRACT_UPDATED',
          subjectType: 'Contract',
          subjectId: contract.id,
          before,
          after,
        });
        return contract;
      },
    );
  }
}

/** A new major policy, or the major proposals move to: one with a published version. */
async function applyMajorPolicy(em: Em, contract: Contract, input: UpdateContractInput): Promise<void> {
  if (input.majorPolicy !== undefined) {
    if (!MAJOR_POLICIES.includes(input.majorPolicy))
      throw new CanonError('BAD_USER_INPUT', `majorPolicy is one of ${MAJOR_POLICIES.join(', ')}.`, {
        path: ['majorPolicy'],
      });
    contract.majorPolicy = input.majorPolicy;
  }
  if (input.proposalMajor === undefined) return;
  if (input.proposalMajor !== null) {
    const published = await em.count(ContractVersion, {
      contract,
      major: input.proposalMajor,
      status: 'PUBLISHED',
    });
    if (published === 0)
      throw new CanonError(
        'INVALID_STATE',
        `${contract.name} has no published ${input.proposalMajor}.x version to validate proposals against.`,
        { path: ['proposalMajor'] },
      );
  }
  contract.proposalMajor = input.proposalMajor;
}
