import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';

/**
 * A system-of-record rule: `system` owns records of `domain` (on `site`, or on every site), the whole
 * record or only the `fields` named (JSON pointers). Its proposals need `requiredApprovals` approvals.
 */
export const SorRuleEntity = defineEntity({
  name: 'SorRule',
  tableName: 'sor_rule',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100).index(),
    systemCode: p.string().length(100).index(),
    site: p.string().length(20).nullable(),
    fields: p.json<string[]>().nullable(),
    requiredApprovals: p.integer(),
    /** The team that owns this data: exceptions about it go to them (else the system's team). */
    team: p.string().length(200).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    createdBy: p.uuid().nullable(),
  },
});
export class SorRule extends SorRuleEntity.class {}
SorRuleEntity.setClass(SorRule);
