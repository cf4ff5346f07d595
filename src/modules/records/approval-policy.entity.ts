import { defineEntity, p } from '@mikro-orm/core';

/** How many distinct steward approvals a proposal in a domain needs (0 = applied at once). */
export const ApprovalPolicyEntity = defineEntity({
  name: 'ApprovalPolicy',
  tableName: 'approval_policy',
  properties: {
    domain: p.string().length(100).primary(),
    requiredApprovals: p.integer(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    updatedBy: p.uuid().nullable(),
  },
});
export class ApprovalPolicy extends ApprovalPolicyEntity.class {}
ApprovalPolicyEntity.setClass(ApprovalPolicy);
