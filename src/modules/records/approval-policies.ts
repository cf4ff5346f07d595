/** How many distinct steward approvals proposals in a domain need (default 1: four eyes). */

import type { Em, Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { idempotentTransaction } from '../idempotency/idempotency.service.ts';
import { ApprovalPolicy } from './approval-policy.entity.ts';
import { DEFAULT_REQUIRED_APPROVALS } from './records.types.ts';

export class ApprovalPolicies {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly contracts: ContractsService;

  constructor(orm: Orm, audit: AuditService, contracts: ContractsService) {
    this.orm = orm;
    this.audit = audit;
    this.contracts = contracts;
  }

  async requiredApprovals(em: Em, domain: string): Promise<number> {
    const policy = await em.findOne(ApprovalPolicy, { domain });
    return policy?.requiredApprovals ?? DEFAULT_REQUIRED_APPROVALS;
  }

  async approvalPolicies(ctx: CallContext): Promise<ApprovalPolicy[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return this.orm.em.fork().find(ApprovalPolicy, {}, { orderBy: { domain: 'asc' } });
  }

  async setApprovalPolicy(
    ctx: CallContext,
    domain: string,
    requiredApprovals: number,
    idempotencyKey?: string | null,
  ): Promise<ApprovalPolicy> {
    authorize(ctx.ability, ctx.actor, 'manage', 'ApprovalPolicy');
    if (!Number.isInteger(requiredApprovals) || requiredApprovals < 0 || requiredApprovals > 5) {
      throw new CanonError('BAD_USER_INPUT', 'A domain needs 0 to 5 approvals.', {
        path: ['requiredApprovals'],
      });
    }
    const replay = (em: Em) => ({
      idOf: (p: ApprovalPolicy) => p.domain,
      replay: (d: string) => em.findOneOrFail(ApprovalPolicy, { domain: d }),
    });
    const input = { domain, requiredApprovals };
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'setApprovalPolicy',
      input,
      replay,
      async (em) => {
        await this.contracts.validatorFor(em, domain); // the domain must have a published contract
        let policy = await em.findOne(ApprovalPolicy, { domain });
        const before = policy?.requiredApprovals ?? DEFAULT_REQUIRED_APPROVALS;
        // setting the policy it already has (a retry, a double click) changes nothing and is not audited again
        if (policy && policy.requiredApprovals === requiredApprovals) return policy;
        if (policy) policy.requiredApprovals = requiredApprovals;
        else
          policy = em.create(ApprovalPolicy, { domain, requiredApprovals, updatedBy: ctx.actor?.id ?? null });
        policy.updatedBy = ctx.actor?.id ?? null;
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'APPROVAL_POLICY_SET',
          subjectType: 'ApprovalPolicy',
          subjectId: domain,
          before: { requiredApprovals: before },
          after: { requiredApprovals },
        });
        return policy;
      },
    );
  }
}
