import { builder } from '../../graphql/builder.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { connectionNames } from '../../graphql/naming.ts';
import { linesPage, newestFirstConnection } from './job-lists.ts';
import { DIFFERENCE_KINDS, type DifferenceKind, type ReconcileSummary } from './reconcile.service.ts';
import { RECONCILE_STATUSES, type ReconcileDifference, type ReconcileJob } from './reconcile-job.entity.ts';

const ReconcileStatusEnum = builder.enumType('ReconciliationStatus', {
  description: 'Where a reconciliation is: running, completed, or failed (run it again).',
  values: Object.fromEntries(RECONCILE_STATUSES.map((s) => [s, { value: s }])) as Record<
    (typeof RECONCILE_STATUSES)[number],
    { value: (typeof RECONCILE_STATUSES)[number] }
  >,
});

const DifferenceKindEnum = builder.enumType('DifferenceKind', {
  description:
    'What a reconciliation found: in the system but unknown to Canon, an id not linked yet, a field that differs, an id linked to a retired record, a linked record missing from the extract, a row that could not be read.',
  values: Object.fromEntries(DIFFERENCE_KINDS.map((s) => [s, { value: s }])) as Record<
    DifferenceKind,
    { value: DifferenceKind }
  >,
});

const KindCountRef = builder.objectRef<{ kind: DifferenceKind; count: number }>('DifferenceCount').implement({
  description: 'How many differences of a kind.',
  fields: (t) => ({
    kind: t.field({ type: DifferenceKindEnum, description: 'The kind.', resolve: (c) => c.kind }),
    count: t.exposeInt('count', { description: 'How many.' }),
  }),
});

const SummaryRef = builder.objectRef<ReconcileSummary>('ReconciliationSummary').implement({
  description: 'The totals of a finished reconciliation.',
  fields: (t) => ({
    rows: t.exposeInt('rows', { description: 'Rows of the extract.' }),
    matched: t.exposeInt('matched', { description: 'Rows matched to a record (by linked id, else by key).' }),
    identical: t.exposeInt('identical', { description: 'Matched rows equal to their record.' }),
    proposals: t.exposeInt('proposals', { description: 'Change requests made (with propose).' }),
    counts: t.field({
      type: [KindCountRef],
      description: 'Differences by kind (every kind, zeros included).',
      resolve: (s) => DIFFERENCE_KINDS.map((kind) => ({ kind, count: s.counts[kind] ?? 0 })),
    }),
  }),
});

const DifferenceRef = builder.objectRef<ReconcileDifference>('ReconciliationDifference').implement({
  description: 'One difference between the extract and Canon.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Its place in the list (page with `after`).' }),
    kind: t.field({
      type: DifferenceKindEnum,
      description: 'What kind.',
      resolve: (d) => d.kind as DifferenceKind,
    }),
    row: t.exposeInt('rowNumber', { nullable: true, description: 'Line of the extract, if from a row.' }),
    externalId: t.exposeString('externalId', { nullable: true, description: "The system's id." }),
    businessKey: t.exposeString('businessKey', { nullable: true, description: 'The business key.' }),
    recordId: t.exposeID('recordId', { nullable: true, description: 'The golden record, if matched.' }),
    pointer: t.exposeString('pointer', { description: "The field (JSON pointer; '' = the record)." }),
    canonValue: t.field({
      type: 'JSON',
      nullable: true,
      description: "Canon's value (field mismatches).",
      resolve: (d) => d.canonValue ?? null,
    }),
    systemValue: t.field({
      type: 'JSON',
      nullable: true,
      description: "The system's value (field mismatches).",
      resolve: (d) => d.systemValue ?? null,
    }),
    message: t.exposeString('message', { description: 'A sentence.' }),
  }),
});

const ReconciliationRef = builder.objectRef<ReconcileJob>('Reconciliation').implement({
  description: "A reconciliation of a system's extract with Canon, run on the server.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The reconciliation.' }),
    domain: t.exposeString('domain', { description: 'The domain.' }),
    systemCode: t.exposeString('systemCode', { description: 'The system whose extract it is.' }),
    status: t.field({ type: ReconcileStatusEnum, description: 'Where it is.', resolve: (j) => j.status }),
    source: t.exposeString('source', { description: 'The file name as given.' }),
    mapping: t.exposeString('mapping', { description: 'The mapping used.' }),
    propose: t.exposeBoolean('propose', {
      description: 'Whether differences in fields the system owns became change requests.',
    }),
    differencesFound: t.exposeInt('differencesFound', { description: 'Differences found so far.' }),
    summary: t.field({
      type: SummaryRef,
      nullable: true,
      description: 'The totals, once completed.',
      resolve: (j) => (j.summary as ReconcileSummary | null) ?? null,
    }),
    message: t.exposeString('message', { nullable: true, description: 'Why it failed.' }),
    startedByName: t.exposeString('startedByName', { nullable: true, description: 'Who started it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it started.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it ended.' }),
    differences: t.field({
      type: [DifferenceRef],
      description: 'Differences in the order found, up to `first` (≤ 1,000) after the difference `after`.',
      args: {
        kind: t.arg({ type: DifferenceKindEnum, description: 'Only this kind.' }),
        first: t.arg.int({ description: 'How many (default 100, at most 1,000).' }),
        after: t.arg.id({ description: 'The id of the last difference already read.' }),
      },
      resolve: (j, args, ctx) =>
        ctx.services.reconcileJobs.differences(ctx, j.id, {
          ...linesPage(args),
          kind: args.kind ?? undefined,
        }),
    }),
  }),
});

builder.queryFields((t) => ({
  reconciliation: t.field({
    type: ReconciliationRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'A reconciliation by id, with its summary and differences; null when unknown.',
    args: { id: t.arg.id({ required: true, description: 'The reconciliation.' }) },
    resolve: (_r, { id }, ctx) => ctx.services.reconcileJobs.job(ctx, String(id)),
  }),
  reconciliations: t.connection(
    {
      type: ReconciliationRef,
      authScopes: { authenticated: true },
      description: 'Reconciliations run on the server, newest first.',
      resolve: newestFirstConnection('reconciliation', (ctx: GraphQLContext, page) =>
        ctx.services.reconcileJobs.jobs(ctx, page),
      ),
    },
    connectionNames('Reconciliation', 'reconciliations')[0],
    connectionNames('Reconciliation', 'reconciliations')[1],
  ),
}));
