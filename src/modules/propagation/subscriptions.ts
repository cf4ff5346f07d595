/**
 * Which systems are expected to apply which domains (admins edit, everyone who reads systems sees
 * them). A new subscription counts the records already there as expected (behind until the system
 * acknowledges them) but does not move the system's cursor back over history: only changes
 * committed after it become pending.
 */
import { LockMode } from '@mikro-orm/core';
import { validate as isUuid } from 'uuid';
import { executeBound } from '../../db/bound-statements.ts';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { LATEST_RECORD_CHANGES_SQL } from '../events/change-lookups.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import { Subscription } from './propagation.entities.ts';

const SITE = /^[A-Z0-9][A-Z0-9_-]{0,19}$/;

export interface SubscriptionInput {
  system: string;
  domain: string;
  site?: string | null;
  filter?: Record<string, unknown> | null;
}

export class Subscriptions {
  private readonly deps: {
    orm: Orm;
    audit: AuditService;
    systems: SystemsService;
    contracts: ContractsService;
  };

  constructor(deps: {
    orm: Orm;
    audit: AuditService;
    systems: SystemsService;
    contracts: ContractsService;
  }) {
    this.deps = deps;
  }

  async list(ctx: CallContext, filter: { system?: string; domain?: string } = {}): Promise<Subscription[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Subscription');
    const where: Record<string, unknown> = {};
    if (filter.system) where.systemCode = filter.system;
    if (filter.domain) where.domain = filter.domain;
    return this.deps.orm.em
      .fork()
      .find(Subscription, where, { orderBy: { systemCode: 'asc', domain: 'asc', site: 'asc' } });
  }

  /** The subscriptions of several systems at once (GraphQL loaders), in the order asked. */
  async ofSystems(ctx: CallContext, systems: readonly string[]): Promise<Subscription[][]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Subscription');
    const rows = await this.deps.orm.em
      .fork()
      .find(Subscription, { systemCode: { $in: [...systems] } }, { orderBy: { domain: 'asc', site: 'asc' } });
    return systems.map((s) => rows.filter((r) => r.systemCode === s));
  }

  /** Creates the subscription, or changes its filter (same system, domain and site). */
  async set(
    ctx: CallContext,
    input: SubscriptionInput,
    idempotencyKey?: string | null,
  ): Promise<Subscription> {
    authorize(ctx.ability, ctx.actor, 'manage', 'Subscription');
    const site = input.site ?? null;
    if (site !== null && !SITE.test(site))
      throw new CanonError('BAD_USER_INPUT', `"${site}" is not a site code.`, { path: ['site'] });
    const filter = input.filter ?? null;
    if (filter !== null && (typeof filter !== 'object' || Array.isArray(filter)))
      throw new CanonError('BAD_USER_INPUT', 'A filter is a JSON object the record data must contain.', {
        path: ['filter'],
      });
    if (filter !== null && JSON.stringify(filter).length > 2000)
      throw new CanonError('BAD_USER_INPUT', 'A filter is at most 2,000 characters of JSON.', {
        path: ['filter'],
      });
    const replay = (em: Em): Replayable<Subscription> => ({
      idOf: (s) => s.id,
      replay: async (id) => {
        const found = await em.findOne(Subscription, { id });
        if (!found) throw notFound('The subscription', ['id']);
        return found;
      },
    });
    return idempotentTransaction(
      this.deps.orm,
      ctx,
      idempotencyKey,
      'setSubscription',
      input,
      replay,
      async (em) => {
        const system = await this.deps.systems.getIn(em, input.system);
        if (!system) throw notFound(`The system ${input.system}`, ['system']);
        if (site && system.sites.length > 0 && !system.sites.includes(site))
          throw new CanonError('BAD_USER_INPUT', `The system ${input.system} does not serve site ${site}.`, {
            path: ['site'],
          });
        await this.deps.contracts.validatorFor(em, input.domain); // a domain with a published contract
        const existing = await em.findOne(Subscription, {
          systemCode: input.system,
          domain: input.domain,
          site,
        });
        if (existing && JSON.stringify(existing.filter ?? null) === JSON.stringify(filter)) return existing;
        const before = existing ? { filter: existing.filter ?? null } : null;
        const subscription =
          existing ??
          em.create(Subscription, {
            systemCode: input.system,
            domain: input.domain,
            site,
            filter,
            createdBy: ctx.actor?.id ?? null,
          });
        subscription.filter = filter;
        await em.flush();
        await this.expectExisting(em, subscription);
        await this.deps.audit.record(em, ctx, {
          action: 'SUBSCRIPTION_SET',
          subjectType: 'Subscription',
          subjectId: subscription.id,
          before,
          after: { system: input.system, domain: input.domain, site, filter },
        });
        return subscription;
      },
    );
  }

  /** Removes a subscription; answers its id (a retry with the same key answers it again). */
  async remove(ctx: CallContext, id: string, idempotencyKey?: string | null): Promise<string> {
    authorize(ctx.ability, ctx.actor, 'manage', 'Subscription');
    const replay = (): Replayable<string> => ({ idOf: (x) => x, replay: async (x) => x });
    return idempotentTransaction(
      this.deps.orm,
      ctx,
      idempotencyKey,
      'removeSubscription',
      { id },
      replay,
      async (em) => {
        // locked: of two removals at once, the second finds it gone (one audit event)
        const subscription = isUuid(id)
          ? await em.findOne(Subscription, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE })
          : null;
        if (!subscription) throw notFound('The subscription', ['id']);
        em.remove(subscription);
        await em.flush();
        // what it alone made pending is no longer the system's to acknowledge
        await executeBound(
          em,
          `delete from propagation_pending p using propagation_state ps
            where p.system_code = ? and ps.system_code = p.system_code and ps.record_id = p.record_id
              and ps.domain = ?
              and not exists (select 1 from system_subscription s where s.system_code = p.system_code and s.domain = ps.domain)`,
          [subscription.systemCode, subscription.domain],
        );
        await this.deps.audit.record(em, ctx, {
          action: 'SUBSCRIPTION_REMOVED',
          subjectType: 'Subscription',
          subjectId: subscription.id,
          before: {
            system: subscription.systemCode,
            domain: subscription.domain,
            site: subscription.site ?? null,
            filter: subscription.filter ?? null,
          },
        });
        return subscription.id;
      },
    );
  }

  /** The records of the domain as they stand now are expected of the system (one statement). */
  private async expectExisting(em: Em, s: Subscription): Promise<void> {
    await executeBound(
      em,
      `insert into propagation_state as ps (system_code, record_id, domain, expected_revision, expected_sequence, behind_since)
       select ?, h.record_id, ?, h.revision, h.sequence, h.created_at
         from (${LATEST_RECORD_CHANGES_SQL}) h
        where (?::text is null or h.site = ?) and (?::jsonb is null or h.data @> ?::jsonb)
       on conflict (system_code, record_id) do update set
         expected_revision = greatest(ps.expected_revision, excluded.expected_revision),
         expected_sequence = greatest(ps.expected_sequence, excluded.expected_sequence),
         behind_since = case when coalesce(ps.last_revision, -1) >= excluded.expected_revision then ps.behind_since
                             else coalesce(ps.behind_since, excluded.behind_since) end`,
      [
        s.systemCode,
        s.domain,
        s.domain,
        s.site ?? null,
        s.site ?? null,
        s.filter ? JSON.stringify(s.filter) : null,
        s.filter ? JSON.stringify(s.filter) : null,
      ],
    );
  }
}
