/**
 * The landscape's systems and who owns what (DESIGN §7): system-of-record rules per domain, site and
 * field. At most one system owns a (domain, site, field); overlapping or contradictory rules are
 * refused. Connectors' abilities are built from their system's rules.
 */

import { validate as isUuid } from 'uuid';
import { lockNamed } from '../../db/locks.ts';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound, VersionConflictError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { CredentialChanges } from '../auth/credential-changes.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import { dataOwnerTeamIn, ownershipOf, ownersIn } from './ownership-reads.ts';
import { SorRule } from './sor-rule.entity.ts';
import { SYSTEM_KINDS, System, type SystemKind } from './system.entity.ts';
import { CODE, fieldsOverlap, POINTER, SITE, teamOf } from './system-inputs.ts';

export class SystemsService {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly contracts: ContractsService;

  private readonly changes: CredentialChanges;

  constructor(orm: Orm, audit: AuditService, contracts: ContractsService, changes: CredentialChanges) {
    this.orm = orm;
    this.audit = audit;
    this.contracts = contracts;
    this.changes = changes;
  }

  async list(ctx: CallContext): Promise<System[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'System');
    return this.orm.em.fork().find(System, {}, { orderBy: { code: 'asc' } });
  }

  async get(ctx: CallContext, code: string): Promise<System | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'System');
    return this.orm.em.fork().findOne(System, { code });
  }

  /** Systems by code, in the order asked (for links from rules and xrefs; a missing one is an error). */
  async byCodes(codes: readonly string[], ctx?: CallContext): Promise<(System | Error)[]> {
    if (ctx) authorize(ctx.ability, ctx.actor, 'read', 'System');
    const rows = await this.orm.em.fork().find(System, { code: { $in: [...codes] } });
    const byCode = new Map(rows.map((s) => [s.code, s]));
    return codes.map((c) => byCode.get(c) ?? notFound(`The system ${c}`));
  }

  /** Whether a system is registered and active (false for an unknown one); for authentication. */
  async isActive(code: string): Promise<boolean> {
    return (await this.activeIn(this.orm.em.fork(), code)) === true;
  }

  /** A system in the caller's transaction (null: unknown). */
  async getIn(em: Em, code: string): Promise<System | null> {
    return em.findOne(System, { code });
  }

  /** Whether a system is registered and active, inside the caller's transaction (null: unknown). */
  async activeIn(em: Em, code: string): Promise<boolean | null> {
    const system = await em.findOne(System, { code });
    return system ? system.active : null;
  }

  /** Rules by id (node lookups), unknown ones left out. */
  async rulesByIds(ctx: CallContext, ids: readonly string[]): Promise<SorRule[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'System');
    const valid = ids.filter((id) => isUuid(id));
    return valid.length > 0 ? this.orm.em.fork().find(SorRule, { id: { $in: valid } }) : [];
  }

  async register(
    ctx: CallContext,
    input: { code: string; name: string; kind: SystemKind; sites?: string[]; team?: string | null },
    idempotencyKey?: string | null,
  ): Promise<System> {
    authorize(ctx.ability, ctx.actor, 'create', 'System');
    if (!CODE.test(input.code))
      throw new CanonError(
        'BAD_USER_INPUT',
        'A system code is lowercase letters, digits and dashes (e.g. mes-plant1).',
        { path: ['code'] },
      );
    if (!input.name?.trim() || input.name.length > 200)
      throw new CanonError('BAD_USER_INPUT', 'A system needs a name of 1-200 characters.', {
        path: ['name'],
      });
    if (!(SYSTEM_KINDS as readonly string[]).includes(input.kind))
      throw new CanonError('BAD_USER_INPUT', `Unknown kind; use one of ${SYSTEM_KINDS.join(', ')}.`, {
        path: ['kind'],
      });
    const sites = [...new Set(input.sites ?? [])].sort();
    const team = teamOf(input.team);
    const badSite = sites.find((s) => !SITE.test(s));
    if (badSite)
      throw new CanonError(
        'BAD_USER_INPUT',
        `"${badSite}" is not a site code (uppercase letters, digits, - and _).`,
        { path: ['sites'] },
      );
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'registerSystem',
      input,
      systemReplay,
      async (em) => {
        const existing = await em.findOne(System, { code: input.code });
        if (existing) {
          const same =
            existing.name === input.name &&
            existing.kind === input.kind &&
            (existing.team ?? null) === team &&
            JSON.stringify(existing.sites) === JSON.stringify(sites);
          if (same) return existing; // registering again is harmless
          throw new CanonError(
            'DUPLICATE_KEY',
            `The system ${input.code} is registered with other details; change it with updateSystem.`,
            { path: ['code'] },
          );
        }
        const system = em.create(System, {
          code: input.code,
          name: input.name.trim(),
          kind: input.kind,
          sites,
          team,
        });
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'SYSTEM_REGISTERED',
          subjectType: 'System',
          subjectId: system.code,
          after: { name: system.name, kind: system.kind, sites, team },
        });
        return system;
      },
    );
  }

  async update(
    ctx: CallContext,
    input: {
      code: string;
      name?: string;
      sites?: string[];
      active?: boolean;
      team?: string;
      expectedLockVersion?: number;
    },
    idempotencyKey?: string | null,
  ): Promise<System> {
    authorize(ctx.ability, ctx.actor, 'update', 'System');
    return this.changes.after(
      idempotentTransaction(
        this.orm,
        ctx,
        idempotencyKey,
        'updateSystem',
        input,
        systemReplay,
        async (em) => {
          const system = await em.findOne(System, { code: input.code });
          if (!system) throw notFound(`The system ${input.code}`, ['code']);
          if (input.expectedLockVersion !== undefined && input.expectedLockVersion !== system.lockVersion) {
            throw new VersionConflictError(
              `The system ${input.code} changed since you read it (lock version ${system.lockVersion}, you sent ${input.expectedLockVersion}); reload and retry.`,
              system.lockVersion,
            );
          }
          const before = {
            name: system.name,
            sites: system.sites,
            active: system.active,
            team: system.team ?? null,
          };
          if (input.name !== undefined) system.name = input.name;
          if (input.sites !== undefined) {
            const badSite = input.sites.find((s) => !SITE.test(s));
            if (badSite)
              throw new CanonError('BAD_USER_INPUT', `"${badSite}" is not a site code.`, { path: ['sites'] });
            system.sites = [...new Set(input.sites)].sort();
          }
          if (input.active !== undefined) system.active = input.active;
          if (input.team !== undefined) system.team = teamOf(input.team);
          const after = {
            name: system.name,
            sites: system.sites,
            active: system.active,
            team: system.team ?? null,
          };
          // the same update again (a retry, a double click) changes nothing and is not audited again
          if (JSON.stringify(after) === JSON.stringify(before)) return system;
          await em.flush();
          await this.audit.record(em, ctx, {
            action: input.active === false && before.active ? 'SYSTEM_DEACTIVATED' : 'SYSTEM_UPDATED',
            subjectType: 'System',
            subjectId: system.code,
            before,
            after,
          });
          return system;
        },
      ),
    );
  }

  async rules(ctx: CallContext, filter: { domain?: string; system?: string } = {}): Promise<SorRule[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'System');
    const where: Record<string, unknown> = {};
    if (filter.domain) where.domain = filter.domain;
    if (filter.system) where.systemCode = filter.system;
    return this.orm.em
      .fork()
      .find(SorRule, where, { orderBy: { domain: 'asc', systemCode: 'asc', createdAt: 'asc' } });
  }

  /**
   * Assigns a system of record. Refused when another rule already owns an overlapping (domain, site,
   * field): a domain-wide or whole-record rule overlaps every narrower one.
   */
  async assign(
    ctx: CallContext,
    input: {
      domain: string;
      system: string;
      site?: string | null;
      fields?: string[] | null;
      requiredApprovals?: number;
      team?: string | null;
    },
    idempotencyKey?: string | null,
  ): Promise<SorRule> {
    const team = teamOf(input.team);
    authorize(ctx.ability, ctx.actor, 'manage', 'System');
    const fields = input.fields && input.fields.length > 0 ? [...new Set(input.fields)].sort() : null;
    const badField = fields?.find((f) => !POINTER.test(f));
    if (badField)
      throw new CanonError(
        'BAD_USER_INPUT',
        `"${badField}" is not a JSON pointer to a field (e.g. /capacity).`,
        { path: ['fields'] },
      );
    const approvals = input.requiredApprovals ?? 0;
    if (!Number.isInteger(approvals) || approvals < 0 || approvals > 5)
      throw new CanonError('BAD_USER_INPUT', 'requiredApprovals is 0 to 5.', { path: ['requiredApprovals'] });
    if (input.site && !SITE.test(input.site))
      throw new CanonError('BAD_USER_INPUT', `"${input.site}" is not a site code.`, { path: ['site'] });
    return this.changes.after(
      idempotentTransaction(
        this.orm,
        ctx,
        idempotencyKey,
        'assignSystemOfRecord',
        input,
        ruleReplay,
        async (em) => {
          const system = await em.findOne(System, { code: input.system });
          if (!system) throw notFound(`The system ${input.system}`, ['system']);
          if (!system.active)
            throw new CanonError('INVALID_STATE', `The system ${input.system} is deactivated.`, {
              path: ['system'],
            });
          if (input.site && system.sites.length > 0 && !system.sites.includes(input.site)) {
            throw new CanonError(
              'BAD_USER_INPUT',
              `The system ${input.system} does not serve site ${input.site} (its sites: ${system.sites.join(', ')}).`,
              { path: ['site'] },
            );
          }
          await this.contracts.validatorFor(em, input.domain); // the domain must have a published contract
          // serialise rule changes of one domain so two overlapping assignments cannot both pass
          await lockNamed(em, `sor:${input.domain}`);
          const existing = await em.find(SorRule, { domain: input.domain });
          const site = input.site ?? null;
          for (const rule of existing) {
            const sitesOverlap = !rule.site || !site || rule.site === site;
            const overlap = sitesOverlap ? fieldsOverlap(rule.fields, fields) : null;
            if (!overlap) continue;
            const identical =
              rule.systemCode === input.system &&
              rule.site === site &&
              JSON.stringify(rule.fields ?? null) === JSON.stringify(fields);
            if (identical && rule.requiredApprovals === approvals && (rule.team ?? null) === team)
              return rule; // the same rule again
            throw new CanonError(
              'DUPLICATE_KEY',
              `${rule.systemCode} already owns ${overlap === true ? 'these' : overlap.join(', ')} of ${input.domain}${rule.site ? ` on ${rule.site}` : ''}; remove that rule first.`,
              {
                path: ['fields'],
                details: [
                  {
                    path: rule.id,
                    message: `${rule.systemCode} ${rule.site ?? '(all sites)'} ${rule.fields?.join(',') ?? '(whole record)'}`,
                  },
                ],
              },
            );
          }
          const rule = em.create(SorRule, {
            domain: input.domain,
            systemCode: input.system,
            site,
            fields,
            requiredApprovals: approvals,
            team,
            createdBy: ctx.actor?.id ?? null,
          });
          await em.flush();
          await this.audit.record(em, ctx, {
            action: 'SYSTEM_OF_RECORD_ASSIGNED',
            subjectType: 'SorRule',
            subjectId: rule.id,
            after: {
              domain: rule.domain,
              system: rule.systemCode,
              site,
              fields,
              requiredApprovals: approvals,
              team,
            },
          });
          return rule;
        },
      ),
    );
  }

  async remove(ctx: CallContext, id: string, idempotencyKey?: string | null): Promise<string> {
    authorize(ctx.ability, ctx.actor, 'manage', 'System');
    return this.changes.after(
      idempotentTransaction(
        this.orm,
        ctx,
        idempotencyKey,
        'removeSystemOfRecord',
        { id },
        idReplay,
        async (em) => {
          // locked: of two removals at once, the second finds the rule gone (one audit event)
          if (isUuid(id))
            await em
              .getConnection()
              .execute(
                'select id from sor_rule where id = ? for update',
                [id],
                'all',
                em.getTransactionContext(),
              );
          const rule = isUuid(id) ? await em.findOne(SorRule, { id }) : null;
          if (!rule) throw notFound('The system-of-record rule', ['id']);
          em.remove(rule);
          await em.flush();
          await this.audit.record(em, ctx, {
            action: 'SYSTEM_OF_RECORD_REMOVED',
            subjectType: 'SorRule',
            subjectId: id,
            before: {
              domain: rule.domain,
              system: rule.systemCode,
              site: rule.site ?? null,
              fields: rule.fields ?? null,
            },
          });
          return id;
        },
      ),
    );
  }

  /** The active systems of record of a domain on a site (ownership-reads.ts). */
  ownersIn = (em: Em, domain: string, site: string | null) => ownersIn(em, domain, site);

  /** The team owning a domain's data on a site (ownership-reads.ts). */
  dataOwnerTeamIn = (em: Em, domain: string, site: string | null) => dataOwnerTeamIn(em, domain, site);

  /** The rules a connector of `systemCode` acts under (ownership-reads.ts). */
  ownershipOf = (systemCode: string, em?: Em) => ownershipOf(em ?? this.orm.em.fork(), systemCode);
}

const systemReplay = (em: Em): Replayable<System> => ({
  idOf: (s) => s.code,
  replay: (code) => em.findOneOrFail(System, { code }),
});
const ruleReplay = (em: Em): Replayable<SorRule> => ({
  idOf: (r) => r.id,
  replay: async (id) => {
    const rule = await em.findOne(SorRule, { id });
    if (!rule)
      throw notFound('The system-of-record rule this request assigned (removed since)', ['idempotencyKey']);
    return rule;
  },
});
const idReplay = (): Replayable<string> => ({ idOf: (id) => id, replay: async (id) => id });
