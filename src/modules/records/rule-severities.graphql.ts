/**
 * Rule severities over GraphQL: `ruleSeverities(domain)` lists the domain rules an administrator may
 * relax with their severity now, `setRuleSeverity` makes one BLOCKING or WARNING (rule-severities.ts).
 */
import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { type RuleSeverityView, SEVERITIES } from './rule-severities.ts';

const RuleSeverityEnum = builder.enumType('RuleSeverity', {
  description: 'BLOCKING refuses a payload that breaks the rule; WARNING lets it in and keeps the finding.',
  values: Object.fromEntries(SEVERITIES.map((s) => [s, { value: s }])) as Record<
    (typeof SEVERITIES)[number],
    { value: (typeof SEVERITIES)[number] }
  >,
});

const RuleSeverityRef = builder.objectRef<RuleSeverityView>('DomainRuleSeverity').implement({
  description: 'A domain rule an administrator may relax, and its severity now.',
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The domain.' }),
    rule: t.exposeString('rule', {
      description: 'The rule, as findings name it (e.g. item.gtin-check-digit).',
    }),
    description: t.exposeString('description', { description: 'What it checks.' }),
    severity: t.field({
      type: RuleSeverityEnum,
      description: 'BLOCKING (default) or WARNING.',
      resolve: (r) => r.severity,
    }),
  }),
});

const SetRuleSeverityInput = builder.inputType('SetRuleSeverityInput', {
  description: 'A rule of a domain and the severity it gets.',
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain.' }),
    rule: t.string({ required: true, description: 'The rule (one that ruleSeverities lists).' }),
    severity: t.field({ type: RuleSeverityEnum, required: true, description: 'BLOCKING or WARNING.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const SetRuleSeverityPayload = builder.objectRef<RuleSeverityView>('SetRuleSeverityPayload').implement({
  description: 'The rule with its severity now.',
  fields: (t) => ({
    ruleSeverity: t.field({ type: RuleSeverityRef, description: 'The rule.', resolve: (r) => r }),
  }),
});

builder.queryFields((t) => ({
  ruleSeverities: t.field({
    type: [RuleSeverityRef],
    authScopes: { authenticated: true },
    description:
      'The domain rules an administrator may relax (of one domain, or all), with their severity now.',
    args: { domain: t.arg.string({ description: 'Only this domain.' }) },
    resolve: (_r, { domain }, ctx) => ctx.services.records.ruleSeverities(ctx, domain ?? undefined),
  }),
}));

builder.mutationFields((t) => ({
  setRuleSeverity: t.field({
    type: SetRuleSeverityPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Makes a domain rule blocking or a warning (admins): with WARNING, payloads that break it go in and keep the finding for stewards.',
    args: { input: t.arg({ type: SetRuleSeverityInput, required: true, description: 'What to do.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.setRuleSeverity(
        ctx,
        { domain: input.domain, rule: input.rule, severity: input.severity },
        input.idempotencyKey,
      ),
  }),
}));
