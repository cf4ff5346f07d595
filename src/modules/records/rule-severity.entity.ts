import { defineEntity, p } from '@mikro-orm/core';

/**
 * A domain rule an administrator made a warning (the default, with no row, is blocking): a payload
 * that breaks it is let in, and the finding stays on the record for stewards (rule-severities.ts).
 */
export const RuleSeverityEntity = defineEntity({
  name: 'RuleSeverity',
  tableName: 'rule_severity',
  properties: {
    domain: p.string().length(100).primary(),
    rule: p.string().length(100).primary(),
    severity: p.string().length(10),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    updatedBy: p.uuid().nullable(),
  },
});
export class RuleSeverity extends RuleSeverityEntity.class {}
RuleSeverityEntity.setClass(RuleSeverity);
