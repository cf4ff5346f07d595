/**
 * Merge and unmerge over GraphQL: `mergeRecords` (a MERGE change request under the approval policy),
 * `unmergeRecord`, survivorship rules, and what a change request says about a merge and about the
 * live records its payload may duplicate.
 */
import { StaleBaseError, ValidationError } from '../../../errors.ts';
import { builder } from '../../../graphql/builder.ts';
import type { GraphQLContext } from '../../../graphql/context.ts';
import { canonErrors, errorsOf } from '../../../graphql/errors.ts';
import { enumOf, IDEMPOTENCY_KEY_DESCRIPTION } from '../../../graphql/naming.ts';
import type { DuplicateSuggestion, MergeDetails } from '../change-request.entity.ts';
import { ChangeRequestRef } from '../change-request.graphql.ts';
import { RecordInterface, withAsOf } from '../record.graphql.ts';
import type { SurvivorshipRuleRow } from './record-merge.entity.ts';
import { SURVIVORSHIP_RULES, type SurvivorshipRule } from './survivorship.ts';

const FieldSourceEnum = enumOf(
  'MergeFieldSource',
  "Where a merged payload's field comes from.",
  ['SURVIVOR', 'MERGED', 'VALUE'] as const,
  {
    SURVIVOR: "The survivor's value.",
    MERGED: "The merged record's value.",
    VALUE: 'A value given with the choice.',
  },
);

const SurvivorshipRuleEnum = enumOf(
  'SurvivorshipRuleKind',
  'How a field is chosen when the steward does not choose.',
  SURVIVORSHIP_RULES,
  {
    SURVIVOR: "Always the survivor's value.",
    MOST_COMPLETE: 'The value with more filled-in content (a missing or empty value loses).',
    MOST_RECENT: 'The value of the record whose current revision is newer.',
    SOURCE_RANKING: "The value of the record last written by the field's system of record.",
  },
);

const MergedFieldRef = builder.objectRef<MergeDetails['fields'][number]>('MergedField').implement({
  description: "Where one field of the survivor's merged payload came from.",
  fields: (t) => ({
    path: t.exposeString('path', { description: 'The field (JSON pointer).' }),
    source: t.field({ type: FieldSourceEnum, description: 'Whose value.', resolve: (f) => f.source }),
    rule: t.exposeString('rule', {
      description:
        'CHOSEN (by the steward), KEY (the survivor keeps its key), EQUAL, or the survivorship rule that decided.',
    }),
  }),
});

const MergeDetailsRef = builder.objectRef<MergeDetails>('MergeDetails').implement({
  description: 'The two records of a merge (or unmerge) and how the payload was made.',
  fields: (t) => ({
    survivorId: t.exposeID('survivorId', { description: 'The record that survives.' }),
    mergedId: t.exposeID('mergedId', { description: 'The record merged into it.' }),
    mergedKey: t.exposeString('mergedKey', { description: "The merged record's key." }),
    mergedBaseRevision: t.exposeInt('mergedBaseRevision', {
      description: "The merged record's revision when proposed: applying checks it is still the newest.",
    }),
    merged: t.loadable({
      type: RecordInterface,
      nullable: true,
      description: 'The merged record now.',
      load: async (ids: string[], ctx: GraphQLContext) =>
        withAsOf(await ctx.services.records.recordsByIds(ctx, ids)),
      resolve: (m) => m.mergedId,
    }),
    fields: t.field({ type: [MergedFieldRef], description: 'Field by field.', resolve: (m) => m.fields }),
  }),
});

type Reason = DuplicateSuggestion['reasons'][number];
export const MatchFieldRef = builder.objectRef<Reason['fields'][number]>('MatchField').implement({
  description: 'A field compared by a match rule, on both records.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'The field (JSON pointer).' }),
    left: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Its value on the first record.',
      resolve: (f) => f.left ?? null,
    }),
    right: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Its value on the second record.',
      resolve: (f) => f.right ?? null,
    }),
  }),
});
export const MatchReasonRef = builder.objectRef<Reason>('MatchReason').implement({
  description: 'Why two records may be duplicates: one rule that matched.',
  fields: (t) => ({
    rule: t.exposeString('rule', { description: 'The match rule.' }),
    kind: t.exposeString('kind', { description: 'EXACT or FUZZY.' }),
    score: t.exposeFloat('score', { description: 'Its score, 0 to 1.' }),
    fields: t.field({
      type: [MatchFieldRef],
      description: 'The fields it compared.',
      resolve: (r) => r.fields,
    }),
    message: t.exposeString('message', { description: 'In a sentence.' }),
  }),
});

const DuplicateSuggestionRef = builder.objectRef<DuplicateSuggestion>('DuplicateSuggestion').implement({
  description: 'A live record a proposal may duplicate ("possible duplicate of …").',
  fields: (t) => ({
    recordId: t.exposeID('recordId', { description: 'The live record.' }),
    key: t.exposeString('key', { description: 'Its key when found.' }),
    record: t.loadable({
      type: RecordInterface,
      nullable: true,
      description: 'The record now.',
      load: async (ids: string[], ctx: GraphQLContext) =>
        withAsOf(await ctx.services.records.recordsByIds(ctx, ids)),
      resolve: (d) => d.recordId,
    }),
    score: t.exposeFloat('score', { description: 'The best score, 0 to 1.' }),
    rule: t.exposeString('rule', { description: 'The rule that scored best.' }),
    reasons: t.field({
      type: [MatchReasonRef],
      description: 'Every rule that matched.',
      resolve: (d) => d.reasons,
    }),
  }),
});

builder.objectFields(ChangeRequestRef, (t) => ({
  merge: t.field({
    type: MergeDetailsRef,
    nullable: true,
    description: 'For MERGE and UNMERGE: the records and how the payload was made.',
    resolve: (cr) => cr.merge ?? null,
  }),
  possibleDuplicates: t.field({
    type: [DuplicateSuggestionRef],
    description: "Live records the proposal's payload may duplicate, found when it arrived (match rules).",
    resolve: (cr) => cr.duplicates ?? [],
  }),
}));

const SurvivorshipRuleRef = builder.objectRef<SurvivorshipRuleRow>('SurvivorshipRule').implement({
  description: "A domain's rule for one field of merged payloads.",
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The domain.' }),
    field: t.exposeString('field', { description: 'The field (top-level JSON pointer).' }),
    rule: t.field({
      type: SurvivorshipRuleEnum,
      description: 'The rule.',
      resolve: (r) => r.rule as SurvivorshipRule,
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was set.' }),
  }),
});

const FieldChoiceInput = builder.inputType('FieldChoiceInput', {
  description: "A steward's choice for one field of the merged payload.",
  fields: (t) => ({
    path: t.string({ required: true, description: 'A top-level field: /name.' }),
    source: t.field({ type: FieldSourceEnum, required: true, description: 'Whose value to take.' }),
    value: t.field({ type: 'JSON', description: 'With source VALUE: the value (null removes the field).' }),
  }),
});

const MergeRecordsInput = builder.inputType('MergeRecordsInput', {
  description: 'Two records of one domain to merge.',
  fields: (t) => ({
    survivor: t.id({ required: true, description: 'The record that survives (keeps its id and key).' }),
    merged: t.id({ required: true, description: 'The record merged into it (becomes MERGED).' }),
    fieldChoices: t.field({
      type: [FieldChoiceInput],
      description: 'Per field: whose value. Other fields follow the survivorship rules.',
    }),
    survivorRevision: t.int({
      description: 'The survivor revision you looked at (VERSION_CONFLICT if it moved).',
    }),
    mergedRevision: t.int({ description: 'The merged record revision you looked at.' }),
    reason: t.string({ description: 'Why, for the stewards and the history.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const UnmergeRecordInput = builder.inputType('UnmergeRecordInput', {
  description: 'A merged record to bring back.',
  fields: (t) => ({
    merged: t.id({ required: true, description: 'The MERGED record.' }),
    reason: t.string({ description: 'Why, for the history.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const SetSurvivorshipRuleInput = builder.inputType('SetSurvivorshipRuleInput', {
  description: 'The survivorship rule of one field of a domain.',
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain.' }),
    field: t.string({ required: true, description: 'A top-level field: /name.' }),
    rule: t.field({
      type: SurvivorshipRuleEnum,
      description: 'The rule; null removes it (the default chain applies).',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const payload = (name: string, description: string) =>
  builder.objectRef<{ changeRequest: unknown }>(name).implement({
    description,
    fields: (t) => ({
      changeRequest: t.field({
        type: ChangeRequestRef,
        description: 'The change request.',
        resolve: (p) => p.changeRequest as never,
      }),
    }),
  });

const SetSurvivorshipRulePayload = builder
  .objectRef<{ rules: SurvivorshipRuleRow[] }>('SetSurvivorshipRulePayload')
  .implement({
    description: "The domain's survivorship rules now.",
    fields: (t) => ({
      rules: t.field({ type: [SurvivorshipRuleRef], description: 'Its rules.', resolve: (p) => p.rules }),
    }),
  });

builder.queryFields((t) => ({
  survivorshipRules: t.field({
    type: [SurvivorshipRuleRef],
    authScopes: { authenticated: true },
    description:
      "A domain's survivorship rules per field (others: system of record, most complete, survivor).",
    args: { domain: t.arg.string({ required: true, description: 'The domain.' }) },
    resolve: (_r, a, ctx) => ctx.services.records.survivorshipRules(ctx, a.domain),
  }),
}));

builder.mutationFields((t) => ({
  mergeRecords: t.field({
    type: payload(
      'MergeRecordsPayload',
      'The MERGE proposal: PENDING for stewards (four eyes by default), or APPLIED when the domain needs no approval.',
    ),
    errors: { ...errorsOf(ValidationError, StaleBaseError), directResult: true },
    description:
      'Proposes merging two duplicates: the survivor gets a payload made field by field; on approval the other becomes MERGED and its references and xrefs move to the survivor.',
    args: {
      input: t.arg({ type: MergeRecordsInput, required: true, description: 'The records and choices.' }),
    },
    resolve: async (_r, { input }, ctx) => ({
      changeRequest: await ctx.services.records.mergeRecords(ctx, {
        survivorId: String(input.survivor),
        mergedId: String(input.merged),
        fieldChoices: (input.fieldChoices ?? []).map((c) => ({
          path: c.path,
          source: c.source,
          ...(c.value !== undefined ? { value: c.value } : {}),
        })),
        survivorRevision: input.survivorRevision ?? undefined,
        mergedRevision: input.mergedRevision ?? undefined,
        reason: input.reason ?? undefined,
        idempotencyKey: input.idempotencyKey ?? undefined,
      }),
    }),
  }),
  unmergeRecord: t.field({
    type: payload(
      'UnmergeRecordPayload',
      'The UNMERGE change request (applied at once): the merged record is live again.',
    ),
    errors: { ...errorsOf(ValidationError), directResult: true },
    description:
      'Undoes the newest merge of a record: it comes back with its payload, and exactly the references and xrefs the merge moved go back to it.',
    args: { input: t.arg({ type: UnmergeRecordInput, required: true, description: 'The merged record.' }) },
    resolve: async (_r, { input }, ctx) => ({
      changeRequest: await ctx.services.records.unmergeRecord(ctx, {
        mergedId: String(input.merged),
        reason: input.reason ?? undefined,
        idempotencyKey: input.idempotencyKey ?? undefined,
      }),
    }),
  }),
  setSurvivorshipRule: t.field({
    type: SetSurvivorshipRulePayload,
    errors: { ...canonErrors, directResult: true },
    description: "Sets (or removes) a domain's survivorship rule for one field (admins).",
    args: { input: t.arg({ type: SetSurvivorshipRuleInput, required: true, description: 'The rule.' }) },
    resolve: async (_r, { input }, ctx) => ({
      rules: await ctx.services.records.setSurvivorshipRule(
        ctx,
        {
          domain: input.domain,
          field: input.field,
          rule: input.rule ?? null,
        },
        input.idempotencyKey ?? undefined,
      ),
    }),
  }),
}));
