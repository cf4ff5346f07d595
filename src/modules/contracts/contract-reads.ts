import { subject } from '@casl/ability';
import semver from 'semver';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { readConnection } from '../../db/read-connection.ts';
import { authorize, ormFilter } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { Contract } from './contract.entity.ts';
import { ContractVersion } from './contract-version.entity.ts';

export class ContractReads {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async listContracts(ctx: CallContext): Promise<Contract[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    return this.withoutDraftOnly(
      ctx,
      await this.orm.em.fork().find(Contract, {}, { orderBy: { name: 'asc' } }),
    );
  }

  /**
   * A contract whose only versions are drafts is work in progress: for callers who may not read
   * drafts it does not exist (its name and description included), so unknown and invisible look alike.
   */
  private async withoutDraftOnly(ctx: CallContext, contracts: Contract[]): Promise<Contract[]> {
    if (
      contracts.length === 0 ||
      ctx.ability.can('read', subject('ContractVersion', { status: 'DRAFT' } as Record<string, unknown>))
    )
      return contracts;
    const rows = await readConnection(this.orm.em.fork()).execute<{ contract_id: string }[]>(
      `select distinct contract_id from contract_version where status <> 'DRAFT' and contract_id in (${contracts.map(() => '?').join(',')})`,
      contracts.map((c) => c.id),
    );
    const visible = new Set(rows.map((r) => r.contract_id));
    return contracts.filter((c) => visible.has(c.id));
  }

  /** Contracts by id (node lookups), unknown ones left out. */
  async contractsByIds(ctx: CallContext, ids: readonly string[]): Promise<Contract[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Contract');
    const valid = ids.filter((id) => isUuid(id));
    return valid.length > 0
      ? this.withoutDraftOnly(ctx, await this.orm.em.fork().find(Contract, { id: { $in: valid } }))
      : [];
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
    const contract = await this.orm.em.fork().findOne(Contract, { name });
    return contract ? ((await this.withoutDraftOnly(ctx, [contract]))[0] ?? null) : null;
  }

  /** The team that owns a domain's contract (null: none named, or no such contract), in `em`'s transaction. */
  async ownerTeamIn(em: Em, domain: string): Promise<string | null> {
    const contract = await em.findOne(Contract, { name: domain }, { fields: ['ownerTeam'] });
    return contract?.ownerTeam ?? null;
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
  /** The versions the caller may read (drafts only for admins and stewards), as a filter from the ability. */
  visibleVersions(ctx: CallContext): Record<string, unknown> {
    return ormFilter(ctx.ability, 'read', 'ContractVersion') ?? { id: null };
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
