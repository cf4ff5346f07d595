/** A domain's survivorship rules per field (merge/survivorship.ts), listed by anyone, set by admins. */
import { lockNamed } from '../../../db/locks.ts';
import type { Em, Orm } from '../../../db/orm.ts';
import { CanonError } from '../../../errors.ts';
import type { AuditService } from '../../audit/audit.service.ts';
import { authorize } from '../../auth/ability.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { ContractsService } from '../../contracts/contracts.service.ts';
import { idempotentTransaction, type Replayable } from '../../idempotency/idempotency.service.ts';
import { SurvivorshipRuleRow } from './record-merge.entity.ts';
import { SURVIVORSHIP_RULES, type SurvivorshipRule } from './survivorship.ts';

export class SurvivorshipRules {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly contracts: ContractsService;

  constructor(orm: Orm, audit: AuditService, contracts: ContractsService) {
    this.orm = orm;
    this.audit = audit;
    this.contracts = contracts;
  }

  async rulesOf(em: Em, domain: string): Promise<Map<string, SurvivorshipRule>> {
    const rows = await em.find(SurvivorshipRuleRow, { domain });
    return new Map(rows.map((r) => [r.field, r.rule as SurvivorshipRule]));
  }

  async list(ctx: CallContext, domain: string): Promise<SurvivorshipRuleRow[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return this.orm.em.fork().find(SurvivorshipRuleRow, { domain }, { orderBy: { field: 'asc' } });
  }

  /** Sets (or with rule null, removes) the rule of one top-level field; audited. */
  async set(
    ctx: CallContext,
    input: { domain: string; field: string; rule: SurvivorshipRule | null },
    idempotencyKey?: string,
  ): Promise<SurvivorshipRuleRow[]> {
    authorize(ctx.ability, ctx.actor, 'manage', 'GoldenRecord');
    if (!/^\/[^/]+$/.test(input.field))
      throw new CanonError('BAD_USER_INPUT', 'The field is a top-level JSON pointer such as /name.', {
        path: ['field'],
      });
    if (input.rule !== null && !SURVIVORSHIP_RULES.includes(input.rule))
      throw new CanonError('BAD_USER_INPUT', `The rule is one of ${SURVIVORSHIP_RULES.join(', ')}.`, {
        path: ['rule'],
      });
    const replay = (): Replayable<string> => ({ idOf: (d) => d, replay: async (d) => d });
    await idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'setSurvivorshipRule',
      input,
      replay,
      async (em) => {
        await this.contracts.validatorFor(em, input.domain); // NOT_FOUND for an unknown domain
        // setters of one field take turns; setting what is already set changes (and audits) nothing
        await lockNamed(em, `survivorship:${input.domain}${input.field}`);
        const row = await em.findOne(SurvivorshipRuleRow, { domain: input.domain, field: input.field });
        if ((row?.rule ?? null) === input.rule) return input.domain;
        const before = row ? { rule: row.rule } : null;
        if (input.rule === null) {
          if (row) em.remove(row);
        } else if (row) {
          row.rule = input.rule;
          row.updatedAt = new Date();
          row.updatedBy = ctx.actor?.id ?? null;
        } else {
          em.create(SurvivorshipRuleRow, {
            domain: input.domain,
            field: input.field,
            rule: input.rule,
            updatedAt: new Date(),
            updatedBy: ctx.actor?.id ?? null,
          });
        }
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'SURVIVORSHIP_RULE_SET',
          subjectType: 'SurvivorshipRule',
          subjectId: `${input.domain}${input.field}`,
          before,
          after: { rule: input.rule },
        });
        return input.domain;
      },
    );
    return this.list(ctx, input.domain);
  }
}
