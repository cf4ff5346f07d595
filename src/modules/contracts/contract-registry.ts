/**
 * The registry as schema-registry clients see it (the Confluent-compatible API): published versions
 * by their integer ids and publication order, contracts with something published, the registry-wide
 * default compatibility. Drafts never show; retired versions count as permanently deleted.
 */
import { validate as isUuid } from 'uuid';
import type { Orm } from '../../db/orm.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { CompatibilityMode } from './compatibility/compatibility.ts';
import { Contract } from './contract.entity.ts';
import type { ContractRows } from './contract-rows.ts';
import { ContractVersion, type VersionStatus } from './contract-version.entity.ts';
import { requireMode } from './contracts.shared.ts';
import { schemaFingerprint } from './fingerprint.ts';
import { REGISTRY_SETTINGS_ID, RegistrySettings } from './registry-settings.entity.ts';

export interface RegistryVersion {
  contract: string;
  version: string;
  /** The registry-wide integer id (Confluent's schema id). */
  registryId: number;
  /** The place in the contract's publication order (Confluent's version number). */
  sequence: number;
  status: VersionStatus;
  schema: Record<string, unknown>;
  /** The version's own id, a UUID (Confluent's schema guid). */
  guid: string;
}

const toRegistryVersion = (row: ContractVersion): RegistryVersion => ({
  contract: row.contract.name,
  version: row.version,
  registryId: row.registryId!,
  sequence: row.registrySequence!,
  status: row.status as VersionStatus,
  schema: row.schema,
  guid: row.id,
});

export class ContractRegistry {
  private readonly orm: Orm;
  private readonly audit: AuditService;

  private readonly rows: ContractRows;

  constructor(orm: Orm, audit: AuditService, rows: ContractRows) {
    this.orm = orm;
    this.audit = audit;
    this.rows = rows;
  }

  private statuses(includeDeprecated: boolean): VersionStatus[] {
    return includeDeprecated ? ['PUBLISHED', 'DEPRECATED'] : ['PUBLISHED'];
  }

  /** Names of the contracts with a published version (or a deprecated one, with includeDeprecated). */
  async subjects(ctx: CallContext, includeDeprecated: boolean): Promise<string[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await this.orm.em
      .fork()
      .find(
        ContractVersion,
        { status: { $in: this.statuses(includeDeprecated) } },
        { populate: ['contract'], fields: ['contract.name'] },
      );
    return [...new Set(rows.map((r) => r.contract.name))].sort();
  }

  /** A contract's versions in publication order. */
  async versions(ctx: CallContext, contract: string, includeDeprecated: boolean): Promise<RegistryVersion[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await this.orm.em
      .fork()
      .find(
        ContractVersion,
        { contract: { name: contract }, status: { $in: this.statuses(includeDeprecated) } },
        { populate: ['contract'], orderBy: { registrySequence: 'asc' } },
      );
    return rows.map(toRegistryVersion);
  }

  /** A version by registry id or by guid, unless retired. */
  async byId(ctx: CallContext, id: number | string): Promise<RegistryVersion | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    if (typeof id === 'string' && !isUuid(id)) return null;
    const row = await this.orm.em.fork().findOne(
      ContractVersion,
      {
        ...(typeof id === 'number' ? { registryId: id } : { id }),
        status: { $in: ['PUBLISHED', 'DEPRECATED'] },
      },
      { populate: ['contract'] },
    );
    return row ? toRegistryVersion(row) : null;
  }

  /** A live version of a contract with this fingerprint. */
  async byFingerprint(
    ctx: CallContext,
    contract: string,
    fingerprint: string,
  ): Promise<RegistryVersion | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const row = await this.orm.em
      .fork()
      .findOne(
        ContractVersion,
        { contract: { name: contract }, fingerprint, status: { $in: ['PUBLISHED', 'DEPRECATED'] } },
        { populate: ['contract'] },
      );
    return row ? toRegistryVersion(row) : null;
  }

  /**
   * The live version of a contract with the same content as `schema` (read in the contract's default
   * draft, prepared as registration would), or null. An invalid document is INVALID_SCHEMA.
   */
  async sameContent(ctx: CallContext, contract: string, schema: unknown): Promise<RegistryVersion | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const found = await this.orm.em.fork().findOne(Contract, { name: contract });
    const prepared = this.rows.prepareSchema(contract, '0.0.0', schema, found?.defaultDraft);
    return found ? this.byFingerprint(ctx, contract, schemaFingerprint(prepared)) : null;
  }

  /** A contract's settings, or null when it does not exist. */
  async contract(ctx: CallContext, name: string): Promise<Contract | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    return this.orm.em.fork().findOne(Contract, { name });
  }

  async defaultCompatibility(ctx: CallContext): Promise<CompatibilityMode> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    const settings = await this.orm.em.fork().findOne(RegistrySettings, { id: REGISTRY_SETTINGS_ID });
    return (settings?.defaultCompatibility ?? 'BACKWARD') as CompatibilityMode;
  }

  /** Sets the mode new contracts get; audited when it changes. */
  async setDefaultCompatibility(ctx: CallContext, mode: string): Promise<CompatibilityMode> {
    authorize(ctx.ability, ctx.actor, 'update', 'Contract');
    const next = requireMode(mode);
    return this.orm.em.fork().transactional(async (em) => {
      let settings = await em.findOne(RegistrySettings, { id: REGISTRY_SETTINGS_ID });
      settings ??= em.create(RegistrySettings, {
        id: REGISTRY_SETTINGS_ID,
        defaultCompatibility: 'BACKWARD',
      });
      const before = settings.defaultCompatibility;
      if (before === next) return next;
      settings.defaultCompatibility = next;
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'REGISTRY_SETTINGS_UPDATED',
        subjectType: 'RegistrySettings',
        subjectId: String(REGISTRY_SETTINGS_ID),
        before: { defaultCompatibility: before },
        after: { defaultCompatibility: next },
      });
      return next;
    });
  }
}
