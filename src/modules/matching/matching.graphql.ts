/**
 * Duplicate detection over GraphQL: match rules (admins edit), the stewards' candidate queue with both
 * records and the reasons, "not a duplicate", and matches over a whole domain as background jobs.
 */
import { builder } from '../../graphql/builder.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { connectionOf, encodeCursor, forwardPage, totalCountField } from '../../graphql/cursors.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { connectionNames, enumOf, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { MatchReasonRef } from '../records/merge/merge.graphql.ts';
import { RecordInterface, withAsOf } from '../records/record.graphql.ts';
import {
  CANDIDATE_STATUSES,
  MATCH_JOB_STATUSES,
  MATCH_RULE_KINDS,
  type MatchCandidate,
  type MatchJob,
  type MatchRule,
} from './match.entities.ts';

const MatchRuleKindEnum = enumOf(
  'MatchRuleKind',
  'How a match rule compares two records.',
  MATCH_RULE_KINDS,
  {
    EXACT: 'Every field equal (normalised: letters and digits, any case).',
    FUZZY: 'A text similar (pg_trgm), with agree fields and numbers equal.',
  },
);
const CandidateStatusEnum = enumOf(
  'MatchCandidateStatus',
  'Where a possible duplicate stands.',
  CANDIDATE_STATUSES,
  {
    OPEN: 'Waiting for a steward.',
    NOT_DUPLICATE: 'A steward said they are different records: never suggested again.',
    MERGED: 'Merged.',
  },
);
const MatchJobStatusEnum = enumOf(
  'MatchJobStatus',
  'Where a match over a domain stands.',
  MATCH_JOB_STATUSES,
);

const MatchRuleRef = builder.objectRef<MatchRule>('MatchRule').implement({
  description: "A domain's duplicate-detection rule.",
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The domain.' }),
    name: t.exposeString('name', { description: 'Its name, unique in the domain.' }),
    kind: t.field({ type: MatchRuleKindEnum, description: 'EXACT or FUZZY.', resolve: (r) => r.kind }),
    fields: t.exposeStringList('fields', {
      description: 'EXACT: the fields compared; FUZZY: the text compared.',
    }),
    agree: t.exposeStringList('agree', {
      description: 'FUZZY: fields that must be equal where both records have them.',
    }),
    normalise: t.exposeBoolean('normalise', {
      description: 'EXACT: compare letters and digits only, any case.',
    }),
    minSimilarity: t.float({
      nullable: true,
      description: 'FUZZY: the least similarity (0 to 1).',
      resolve: (r) => r.minSimilarity ?? null,
    }),
    numbersAgree: t.exposeBoolean('numbersAgree', {
      description: 'FUZZY: the numbers in both texts must be the same.',
    }),
    score: t.exposeFloat('score', {
      description: 'EXACT: the score of a match; FUZZY: multiplied by the similarity.',
    }),
    suggestAt: t.exposeFloat('suggestAt', { description: 'Pairs scoring this or more are suggested.' }),
    autoMergeAt: t.float({
      nullable: true,
      description:
        'Pairs scoring this or more get a merge proposal by themselves (still under the approval policy).',
      resolve: (r) => r.autoMergeAt ?? null,
    }),
    active: t.exposeBoolean('active', { description: 'Inactive rules are kept but not used.' }),
    description: t.exposeString('description', { nullable: true, description: 'What it is for.' }),
    lockVersion: t.exposeInt('lockVersion', {
      description: 'Give it back to setMatchRule to detect a concurrent edit.',
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was set.' }),
  }),
});

/** Both sides of every candidate of a page in one query (a DataLoader per request). */
const recordSide = (description: string, idOf: (c: MatchCandidate) => string) => ({
  type: RecordInterface,
  nullable: true as const,
  description,
  load: async (ids: string[], ctx: GraphQLContext) =>
    withAsOf(await ctx.services.records.recordsByIds(ctx, ids)),
  resolve: idOf,
});

const MatchCandidateRef = builder.objectRef<MatchCandidate>('MatchCandidate').implement({
  description: 'Two live records that may be duplicates, with the reasons.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The candidate id.' }),
    domain: t.exposeString('domain', { description: 'The domain.' }),
    score: t.exposeFloat('score', { description: 'The best score, 0 to 1.' }),
    rule: t.exposeString('rule', { description: 'The rule that scored best.' }),
    reasons: t.field({
      type: [MatchReasonRef],
      description: 'Every rule that matched.',
      resolve: (c) => c.reasons,
    }),
    left: t.loadable(recordSide('One record.', (c) => c.recordA)),
    right: t.loadable(recordSide('The other.', (c) => c.recordB)),
    leftId: t.exposeID('recordA', { description: 'Id of the one.' }),
    rightId: t.exposeID('recordB', { description: 'Id of the other.' }),
    status: t.field({ type: CandidateStatusEnum, description: 'Where it stands.', resolve: (c) => c.status }),
    foundBy: t.exposeString('foundBy', { description: 'PROPOSAL, JOB or STEWARD.' }),
    foundAt: t.expose('foundAt', { type: 'DateTime', description: 'When it was found.' }),
    decidedAt: t.expose('decidedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a steward decided.',
    }),
    note: t.exposeString('note', { nullable: true, description: "The steward's note." }),
    lockVersion: t.exposeInt('lockVersion', {
      description: 'Give it back to markNotDuplicate to detect a concurrent decision.',
    }),
  }),
});

const MatchJobRef = builder.objectRef<MatchJob>('MatchJob').implement({
  description: 'A match over a whole domain, run in the background.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The job id.' }),
    domain: t.exposeString('domain', { description: 'The domain.' }),
    status: t.field({
      type: MatchJobStatusEnum,
      description: 'RUNNING, COMPLETED or FAILED.',
      resolve: (j) => j.status,
    }),
    phase: t.exposeString('phase', { description: 'READING, EXACT, FUZZY, STORING or DONE.' }),
    records: t.exposeInt('records', { description: 'Live records read.' }),
    comparisons: t.exposeInt('comparisons', { description: 'Pairs to compare by similarity.' }),
    compared: t.exposeInt('compared', { description: 'Pairs compared so far.' }),
    found: t.exposeInt('found', { description: 'Pairs suggested (new or still open).' }),
    autoMerges: t.exposeInt('autoMerges', { description: 'Merge proposals made at auto-merge thresholds.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it ended.' }),
  }),
});

const SetMatchRuleInput = builder.inputType('SetMatchRuleInput', {
  description: 'A match rule to create or replace (by domain and name).',
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain.' }),
    name: t.string({ required: true, description: 'kebab-case name.' }),
    kind: t.field({ type: MatchRuleKindEnum, required: true, description: 'EXACT or FUZZY.' }),
    fields: t.stringList({ required: true, description: 'JSON pointers (FUZZY: one text field).' }),
    agree: t.stringList({ description: 'FUZZY: fields that must agree.' }),
    normalise: t.boolean({ description: 'EXACT: letters and digits only, any case (default true).' }),
    minSimilarity: t.float({ description: 'FUZZY: the least similarity.' }),
    numbersAgree: t.boolean({ description: 'FUZZY: numbers in both texts must be the same.' }),
    score: t.float({ required: true, description: 'Score (EXACT) or weight (FUZZY), above 0 to 1.' }),
    suggestAt: t.float({ required: true, description: 'Suggestion threshold.' }),
    autoMergeAt: t.float({ description: 'Auto-merge proposal threshold (none by default).' }),
    active: t.boolean({ description: 'Default true.' }),
    description: t.string({ description: 'What it is for.' }),
    lockVersion: t.int({ description: 'The version you edited (VERSION_CONFLICT when it moved).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const RemoveMatchRulePayload = builder
  .objectRef<{ domain: string; name: string }>('RemoveMatchRulePayload')
  .implement({
    description: 'The rule removed.',
    fields: (t) => ({
      domain: t.exposeString('domain', { description: 'Its domain.' }),
      name: t.exposeString('name', { description: 'Its name.' }),
    }),
  });

builder.queryFields((t) => ({
  matchRules: t.field({
    type: [MatchRuleRef],
    authScopes: { authenticated: true },
    description: 'Match rules, of one domain or all.',
    args: { domain: t.arg.string({ description: 'The domain.' }) },
    resolve: (_r, a, ctx) => ctx.services.matching.rules.list(ctx, a.domain ?? undefined),
  }),
  matchCandidates: t.connection(
    {
      type: MatchCandidateRef,
      authScopes: { authenticated: true },
      description: "The stewards' queue: open pairs of live records that may be duplicates, best first.",
      args: {
        domain: t.arg.string({ required: true, description: 'The domain.' }),
        minScore: t.arg.float({ description: 'Only pairs scoring this or more (default 0).' }),
      },
      resolve: async (_r, args, ctx) => {
        const page = forwardPage<[number, string]>(args, 'match-candidate');
        const minScore = args.minScore ?? 0;
        const rows = await ctx.services.matching.candidates.page(ctx, {
          domain: args.domain,
          minScore,
          limit: page.limit + 1,
          after: page.after,
        });
        return connectionOf(rows, page.limit, (c) => encodeCursor('match-candidate', [c.score, c.id]), {
          hasPreviousPage: Boolean(page.after),
          totalCount: () => ctx.services.matching.candidates.count(ctx, args.domain, minScore),
        });
      },
    },
    { ...connectionNames('MatchCandidate', 'possible duplicates')[0], fields: totalCountField },
    connectionNames('MatchCandidate', 'possible duplicates')[1],
  ),
  matchCandidate: t.field({
    type: MatchCandidateRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'One candidate pair by id.',
    args: { id: t.arg.id({ required: true, description: 'The candidate id.' }) },
    resolve: (_r, a, ctx) => ctx.services.matching.candidates.get(ctx, String(a.id)),
  }),
  matchJob: t.field({
    type: MatchJobRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'A match over a domain, by id.',
    args: { id: t.arg.id({ required: true, description: 'The job id.' }) },
    resolve: (_r, a, ctx) => ctx.services.matching.jobs.job(ctx, String(a.id)),
  }),
  matchJobs: t.connection(
    {
      type: MatchJobRef,
      authScopes: { authenticated: true },
      description: 'Matches over domains, newest first.',
      args: { domain: t.arg.string({ description: 'Only this domain.' }) },
      resolve: async (_r, args, ctx) => {
        const page = forwardPage<[string, string]>(args, 'match-job');
        const rows = await ctx.services.matching.jobs.jobs(ctx, args.domain ?? undefined, page);
        return connectionOf(
          rows,
          page.limit,
          (j) => encodeCursor('match-job', [j.startedAt.toISOString(), j.id]),
          {
            hasPreviousPage: Boolean(page.after),
          },
        );
      },
    },
    connectionNames('MatchJob', 'matches over domains')[0],
    connectionNames('MatchJob', 'matches over domains')[1],
  ),
}));

const SetMatchRulePayload = builder.objectRef<MatchRule>('SetMatchRulePayload').implement({
  description: 'The rule as set.',
  fields: (t) => ({ rule: t.field({ type: MatchRuleRef, description: 'The rule.', resolve: (r) => r }) }),
});
const RemoveMatchRuleInput = builder.inputType('RemoveMatchRuleInput', {
  description: 'A match rule to remove.',
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain.' }),
    name: t.string({ required: true, description: 'The rule.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const MarkNotDuplicateInput = builder.inputType('MarkNotDuplicateInput', {
  description: 'A candidate pair that are different records.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The candidate.' }),
    note: t.string({ description: 'Why.' }),
    lockVersion: t.int({
      description: 'The version you saw (VERSION_CONFLICT when another steward decided first).',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const MarkNotDuplicatePayload = builder.objectRef<MatchCandidate>('MarkNotDuplicatePayload').implement({
  description: 'The pair, now NOT_DUPLICATE.',
  fields: (t) => ({
    candidate: t.field({ type: MatchCandidateRef, description: 'The pair.', resolve: (c) => c }),
  }),
});
const StartMatchJobInput = builder.inputType('StartMatchJobInput', {
  description: 'A domain to match.',
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const StartMatchJobPayload = builder.objectRef<MatchJob>('StartMatchJobPayload').implement({
  description: 'The match, running (or the one already running for the domain).',
  fields: (t) => ({ job: t.field({ type: MatchJobRef, description: 'The job.', resolve: (j) => j }) }),
});

builder.mutationFields((t) => ({
  setMatchRule: t.field({
    type: SetMatchRulePayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Creates or replaces a match rule (admins).',
    args: { input: t.arg({ type: SetMatchRuleInput, required: true, description: 'The rule.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.matching.rules.set(
        ctx,
        {
          domain: input.domain,
          name: input.name,
          kind: input.kind,
          fields: input.fields,
          agree: input.agree ?? [],
          normalise: input.normalise ?? undefined,
          minSimilarity: input.minSimilarity ?? null,
          numbersAgree: input.numbersAgree ?? undefined,
          score: input.score,
          suggestAt: input.suggestAt,
          autoMergeAt: input.autoMergeAt ?? null,
          active: input.active ?? undefined,
          description: input.description ?? null,
        },
        input.lockVersion ?? undefined,
        input.idempotencyKey ?? undefined,
      ),
  }),
  removeMatchRule: t.field({
    type: RemoveMatchRulePayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Removes a match rule (admins).',
    args: { input: t.arg({ type: RemoveMatchRuleInput, required: true, description: 'The rule.' }) },
    resolve: async (_r, { input }, ctx) => {
      await ctx.services.matching.rules.remove(
        ctx,
        input.domain,
        input.name,
        input.idempotencyKey ?? undefined,
      );
      return { domain: input.domain, name: input.name };
    },
  }),
  markNotDuplicate: t.field({
    type: MarkNotDuplicatePayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Says a candidate pair are different records: remembered, never suggested again.',
    args: { input: t.arg({ type: MarkNotDuplicateInput, required: true, description: 'The pair.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.matching.candidates.dismiss(
        ctx,
        String(input.id),
        input.note ?? null,
        input.lockVersion ?? undefined,
        input.idempotencyKey ?? undefined,
      ),
  }),
  startMatchJob: t.field({
    type: StartMatchJobPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Matches a whole domain in the background (one at a time per domain: a second start answers the running one).',
    args: { input: t.arg({ type: StartMatchJobInput, required: true, description: 'The domain.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.matching.jobs.start(ctx, input.domain, input.idempotencyKey ?? undefined),
  }),
}));
