/**
 * The registry as schema-registry clients see it (the Confluent-compatible API): published versions
 * by their integer ids and publication order, contracts with something published, the registry-wide
 * default compatibility. Drafts never show; retired versions count as permanently deleted.
 */
import { validate as isUuid } from 'uuid';
import type { Orm } from '../../db/orm.ts';
import { readConnection } from '../../db/read-connection.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { idempotentTransaction } from '../idempotency/idempotency.service.ts';
import type { CompatibilityMode } from './compatibility/compatibility.ts';
import { Contract } from './contract.entity.ts';
import type { ContractRows } from './contract-rows.ts';
import type { VersionStatus } from './contract-version.entity.ts';
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

export class ContractRegistry {
  private readonly orm: Orm;
  private readonly audit: AuditService;

  private readonly rows: ContractRows;

  constructor(orm: Orm, audit: AuditService, rows: ContractRows) {
    this.orm = orm;
    this.audit = audit;
    this.rows = rows;
  }

  /** The statuses listed, as SQL: drafts never show here, retired versions are deleted for good. */
  private statuses(includeDeprecated: boolean): string {
    return includeDeprecated ? `'PUBLISHED', 'DEPRECATED'` : `'PUBLISHED'`;
  }

  /** Names of the contracts with a published version (or a deprecated one, with includeDeprecated). */
  async subjects(ctx: CallContext, includeDeprecated: boolean): Promise<string[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await readConnection(this.orm.em.fork()).execute<{ name: string }[]>(
      `select distinct c.name from contract c join contract_version v on v.contract_id = c.id
        where v.status in (${this.statuses(includeDeprecated)}) order by c.name`,
    );
    return rows.map((r) => r.name);
  }

  /** A contract's versions in publication order. */
  async versions(ctx: CallContext, contract: string, includeDeprecated: boolean): Promise<RegistryVersion[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    return this.select(
      `c.name = ? and v.status in (${this.statuses(includeDeprecated)}) order by v.registry_sequence`,
      [contract],
    );
  }

  /** A version by registry id or by guid, unless retired. */
  async byId(ctx: CallContext, id: number | string): Promise<RegistryVersion | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    if (typeof id === 'string' && !isUuid(id)) return null;
    if (typeof id === 'number' && !Number.isSafeInteger(id)) return null;
    const [row] = await this.select(
      `${typeof id === 'number' ? 'v.registry_id' : 'v.id'} = ? and v.status in (${this.statuses(true)})`,
      [id],
    );
    return row ?? null;
  }

  /** A live version of a contract with this fingerprint. */
  async byFingerprint(
    ctx: CallContext,
    contract: string,
    fingerprint: string,
  ): Promise<RegistryVersion | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const [row] = await this.select(
      `c.name = ? and v.fingerprint = ? and v.status in (${this.statuses(true)})`,
      [contract, fingerprint],
    );
    return row ?? null;
  }

  /**
   * Published versions matching `where` (over `v`, the version, and `c`, its contract): one plain
   * statement on the read connection — serializers ask for ids often, and the ORM's unit of work buys
   * nothing for reading immutable rows.
   */
  private async select(where: string, params: unknown[]): Promise<RegistryVersion[]> {
    const rows = await readConnection(this.orm.em.fork()).execute<
      {
        id: string;
        version: string;
        registry_id: number;
        registry_sequence: number;
        status: VersionStatus;
        schema: Record<string, unknown> | string;
        name: string;
      }[]
    >(
      `select v.id, v.version, v.registry_id, v.registry_sequence, v.status, v.schema, c.name
         from contract_version v join contract c on c.id = v.contract_id where ${where}`,
      params,
    );
    return rows.map((r) => ({
      contract: r.name,
      version: r.version,
      registryId: Number(r.registry_id),
      sequence: Number(r.registry_sequence),
      status: r.status,
      schema: typeof r.schema === 'string' ? JSON.parse(r.schema) : r.schema,
      guid: r.id,
    }));
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

  async defaultCompatibility(ctx: CallContext): Promise<CompatibilityMode> {
    return (await this.settings(ctx)).defaultCompatibility as CompatibilityMode;
  }

  /** The registry-wide settings (the one row). */
  async settings(ctx: CallContext): Promise<RegistrySettings> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    const em = this.orm.em.fork();
    return (
      (await em.findOne(RegistrySettings, { id: REGISTRY_SETTINGS_ID })) ??
      em.create(RegistrySettings, { id: REGISTRY_SETTINGS_ID, defaultCompatibility: 'BACKWARD' })
    );
  }

  /**
   * Sets the mode new contracts get; audited when it changes. The row is locked, so concurrent
   * updates take turns and the same update twice changes (and audits) once.
   */
  async setDefaultCompatibility(
    ctx: CallContext,
    mode: string,
    idempotencyKey?: string | null,
  ): Promise<RegistrySettings> {
    authorize(ctx.ability, ctx.actor, 'update', 'Contract');
    const next = requireMode(mode);
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'updateRegistrySettings',
      { defaultCompatibility: next },
      (em) => ({
        idOf: () => String(REGISTRY_SETTINGS_ID),
        replay: () => em.findOneOrFail(RegistrySettings, { id: REGISTRY_SETTINGS_ID }),
      }),
      async (em) => {
        await em
          .getConnection()
          .execute(
            'select id from registry_settings where id = ? for update',
            [REGISTRY_SETTINGS_ID],
            'all',
            em.getTransactionContext(),
          );
        let settings = await em.findOne(RegistrySettings, { id: REGISTRY_SETTINGS_ID }, { refresh: true });
        settings ??= em.create(RegistrySettings, {
          id: REGISTRY_SETTINGS_ID,
          defaultCompatibility: 'BACKWARD',
        });
        const before = settings.defaultCompatibility;
        if (before === next) return settings;
        settings.defaultCompatibility = next;
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'REGISTRY_SETTINGS_UPDATED',
          subjectType: 'RegistrySettings',
          subjectId: String(REGISTRY_SETTINGS_ID),
          before: { defaultCompatibility: before },
          after: { defaultCompatibility: next },
        });
        return settings;
      },
    );
  }
}
