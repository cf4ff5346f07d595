/**
 * Bulk change requests over GraphQL: an import batch's proposals as one item for stewards —
 * `bulkChangeRequest(id)`, `bulkChangeRequests` (newest first), their members through
 * `changeRequests(bulkId:)`, and `approveBulkChange` / `rejectBulkChange` deciding every pending
 * member at once. Each member stays an ordinary change request, decided one by one in the inbox.
 */
import { CanonError } from '../../errors.ts';
import { builder } from '../../graphql/builder.ts';
import { connectionOf, encodeCursor, forwardPage } from '../../graphql/cursors.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { connectionNames, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import type { BulkChangeRequest } from './bulk-change-request.entity.ts';
import type { BulkDecisionResult, BulkStatusCounts } from './bulk-change-requests.ts';
import type { ChangeRequest } from './change-request.entity.ts';
import { ChangeRequestRef } from './change-request.graphql.ts';
import { type DecisionErrorCopy, DecisionErrorRef } from './inbox.graphql.ts';

const BulkCountsRef = builder.objectRef<BulkStatusCounts>('BulkChangeCounts').implement({
  description: 'How many members of a bulk change request are in each status.',
  fields: (t) => ({
    pending: t.int({ description: 'Waiting for stewards.', resolve: (c) => c.PENDING }),
    applied: t.int({ description: 'Approved and applied.', resolve: (c) => c.APPLIED }),
    rejected: t.int({ description: 'Rejected.', resolve: (c) => c.REJECTED }),
    conflict: t.int({
      description: 'Not applied: the record changed since the proposal.',
      resolve: (c) => c.CONFLICT,
    }),
    withdrawn: t.int({ description: 'Withdrawn by the proposer.', resolve: (c) => c.WITHDRAWN }),
  }),
});

export const BulkChangeRequestRef = builder.objectRef<BulkChangeRequest>('BulkChangeRequest').implement({
  description:
    'Proposals made together (one batch of an import in propose mode), decided as a whole or one by one.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The bulk change request.' }),
    domain: t.exposeString('domain', { description: 'The domain of its records.' }),
    importJobId: t.exposeID('importJobId', {
      nullable: true,
      description: 'The import whose batch it is (importJob(id) for its report).',
    }),
    batch: t.exposeInt('batchNumber', { nullable: true, description: 'The batch number within the import.' }),
    rowCount: t.exposeInt('rowCount', { description: 'How many change requests it holds.' }),
    proposedByName: t.exposeString('proposedByName', { nullable: true, description: 'Who proposed it.' }),
    systemCode: t.exposeString('systemCode', {
      nullable: true,
      description: 'The proposing connector’s system, if any.',
    }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why (the import and its file).' }),
    contractVersion: t.exposeString('contractVersion', {
      description: 'The contract version its payloads were validated against.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was proposed.' }),
    counts: t.field({
      type: BulkCountsRef,
      description: 'Its members by status; it is settled when none is pending.',
      resolve: async (b, _a, ctx) => (await ctx.services.records.bulkStatusCounts(ctx, [b.id])).get(b.id)!,
    }),
  }),
});

builder.objectFields(ChangeRequestRef, (t) => ({
  bulkChangeRequest: t.field({
    type: BulkChangeRequestRef,
    nullable: true,
    description: 'The bulk it was proposed in (an import batch), if any.',
    resolve: (cr: ChangeRequest, _a, ctx) =>
      cr.bulkId ? ctx.services.records.bulkChangeRequest(ctx, cr.bulkId) : null,
  }),
  sourceRow: t.int({
    nullable: true,
    description: 'Its row in the imported file, when proposed by an import.',
    resolve: (cr: ChangeRequest) => cr.sourceRow ?? null,
  }),
}));

const BulkFailureRef = builder
  .objectRef<BulkDecisionResult['failed'][number]>('BulkChangeFailure')
  .implement({
    description: 'A member of a bulk that was not decided, and why (nothing changed for it).',
    fields: (t) => ({
      changeRequestId: t.exposeID('changeRequestId', { description: 'The member.' }),
      sourceRow: t.exposeInt('sourceRow', { nullable: true, description: 'Its row in the imported file.' }),
      error: t.field({
        type: DecisionErrorRef,
        description: 'Why.',
        resolve: (f): DecisionErrorCopy => ({
          code: f.error.code,
          message: f.error.message,
          fieldPath: f.error.fieldPath,
          details: f.error.details,
        }),
      }),
    }),
  });

const bulkDecisionPayload = (name: string) =>
  builder.objectRef<BulkDecisionResult>(name).implement({
    description: 'What a decision on a whole bulk did: members decided, and the ones that failed.',
    fields: (t) => ({
      bulkChangeRequest: t.field({
        type: BulkChangeRequestRef,
        description: 'The bulk, with its counts now.',
        resolve: (r) => r.bulk,
      }),
      decidedCount: t.exposeInt('decided', { description: 'Members decided by this call.' }),
      failed: t.field({
        type: [BulkFailureRef],
        description: 'Members not decided (a record changed since, a parent not approved yet), in row order.',
        resolve: (r) => r.failed,
      }),
    }),
  });
const ApproveBulkChangePayload = bulkDecisionPayload('ApproveBulkChangePayload');
const RejectBulkChangePayload = bulkDecisionPayload('RejectBulkChangePayload');

const ApproveBulkChangeInput = builder.inputType('ApproveBulkChangeInput', {
  description: 'The bulk whose pending members to approve.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The bulk change request.' }),
    comment: t.string({ description: 'A note for the history of each member.' }),
    idempotencyKey: t.string({
      description:
        "Accepted like every mutation's key, but a bulk approval answers each retry afresh: members the caller already approved are left as they are, so a retry approves only what is still pending.",
    }),
  }),
});
const RejectBulkChangeInput = builder.inputType('RejectBulkChangeInput', {
  description: 'The bulk whose pending members to reject, and why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The bulk change request.' }),
    reason: t.string({ required: true, description: 'Why: the proposer sees it on each member.' }),
    idempotencyKey: t.string({
      description: `${IDEMPOTENCY_KEY_DESCRIPTION} Each member's decision keeps its own key (this key and its id).`,
    }),
  }),
});

builder.queryFields((t) => ({
  bulkChangeRequest: t.field({
    type: BulkChangeRequestRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'A bulk change request by id; null when unknown.',
    args: { id: t.arg.id({ required: true, description: 'The bulk change request.' }) },
    resolve: (_r, { id }, ctx) => ctx.services.records.bulkChangeRequest(ctx, String(id)),
  }),
  bulkChangeRequests: t.connection(
    {
      type: BulkChangeRequestRef,
      authScopes: { authenticated: true },
      description: 'Bulk change requests (import batches in propose mode), newest first.',
      args: {
        domain: t.arg.string({ description: 'Only this domain.' }),
        importJobId: t.arg.id({ description: 'Only the batches of this import.' }),
        pending: t.arg.boolean({
          description: 'true: only bulks with a pending member; false: only settled ones.',
        }),
      },
      resolve: async (_r, args, ctx) => {
        const page = forwardPage<[string, string]>(args, 'bulk-change', { defaultSize: 20, maxSize: 100 });
        const rows = await ctx.services.records.bulkChangeRequestList(
          ctx,
          {
            domain: args.domain ?? undefined,
            importJobId: args.importJobId ? String(args.importJobId) : undefined,
            pending: args.pending ?? undefined,
          },
          page,
        );
        return connectionOf(
          rows,
          page.limit,
          (b) => encodeCursor('bulk-change', [b.createdAt.toISOString(), b.id]),
          {
            hasPreviousPage: Boolean(page.after),
          },
        );
      },
    },
    connectionNames('BulkChangeRequest', 'bulk change requests')[0],
    connectionNames('BulkChangeRequest', 'bulk change requests')[1],
  ),
}));

builder.mutationFields((t) => ({
  approveBulkChange: t.field({
    type: ApproveBulkChangePayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Approves every pending member of a bulk in row order, each on its own (stewards; not its proposer): a member that fails is reported and the others go through.',
    args: { input: t.arg({ type: ApproveBulkChangeInput, required: true, description: 'What to do.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.decideBulk(ctx, {
        id: String(input.id),
        decision: 'approve',
        note: input.comment ?? undefined,
        idempotencyKey: input.idempotencyKey ?? undefined,
      }),
  }),
  rejectBulkChange: t.field({
    type: RejectBulkChangePayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Rejects every pending member of a bulk with one reason (stewards).',
    args: { input: t.arg({ type: RejectBulkChangeInput, required: true, description: 'What to do.' }) },
    resolve: (_r, { input }, ctx) => {
      if (!input.reason.trim())
        throw new CanonError('BAD_USER_INPUT', 'Say why the proposals are rejected.', { path: ['reason'] });
      return ctx.services.records.decideBulk(ctx, {
        id: String(input.id),
        decision: 'reject',
        note: input.reason,
        idempotencyKey: input.idempotencyKey ?? undefined,
      });
    },
  }),
}));
