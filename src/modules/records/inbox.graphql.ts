/**
 * The stewards' inbox over GraphQL: change requests filtered (domain, site, system, proposer, age),
 * sorted and paged by keyset, counts per domain, the references a proposal adds or removes, and
 * bulk approve / reject with one result per proposal.
 */
import type { CanonError } from '../../errors.ts';
import { builder } from '../../graphql/builder.ts';
import { connectionOf, encodeCursor, forwardPage } from '../../graphql/cursors.ts';
import { canonErrors, ErrorInterface } from '../../graphql/errors.ts';
import { connectionNames, enumOf, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import type { ChangeRequest } from './change-request.entity.ts';
import { ChangeRequestRef } from './change-request.graphql.ts';
import { MAX_BATCH_DECISIONS } from './decisions.ts';
import { ChangeStatusEnum } from './record-enums.ts';
import type { ChangeRequestFilter } from './records.types.ts';
import { type ReferenceChange, referenceChanges } from './reference-changes.ts';

const CHANGE_REQUEST_CURSOR = 'change-request';

const ChangeRequestOrderEnum = builder.enumType('ChangeRequestOrder', {
  description: 'The order of the inbox.',
  values: {
    NEWEST_FIRST: { description: 'Most recently proposed first (the default).' },
    OLDEST_FIRST: { description: 'Longest waiting first.' },
  },
});

const inboxArgs = (t: any) => ({
  status: t.arg({ type: ChangeStatusEnum, description: 'Only these.' }),
  domain: t.arg.string({ description: 'Only this domain.' }),
  site: t.arg.string({ description: 'Only proposals whose payload is on this site.' }),
  proposedBy: t.arg.id({ description: 'Only this proposer (actor id).' }),
  systemCode: t.arg.string({ description: 'Only proposals of this system.' }),
  recordId: t.arg.id({ description: 'Only proposals for this record.' }),
  bulkId: t.arg.id({ description: 'Only the members of this bulk change request (an import batch).' }),
  createdBefore: t.arg({
    type: 'DateTime',
    description: 'Only proposals made before this moment (waiting longer than an age).',
  }),
  createdAfter: t.arg({ type: 'DateTime', description: 'Only proposals made at or after this moment.' }),
});

type InboxArgs = {
  status?: ChangeRequestFilter['status'] | null;
  domain?: string | null;
  site?: string | null;
  proposedBy?: string | number | null;
  systemCode?: string | null;
  recordId?: string | number | null;
  bulkId?: string | number | null;
  createdBefore?: Date | null;
  createdAfter?: Date | null;
  orderBy?: ChangeRequestFilter['order'] | null;
};

const filterOf = (a: InboxArgs): ChangeRequestFilter => ({
  status: a.status ?? undefined,
  domain: a.domain ?? undefined,
  site: a.site ?? undefined,
  proposedBy: a.proposedBy ? String(a.proposedBy) : undefined,
  systemCode: a.systemCode ?? undefined,
  recordId: a.recordId ? String(a.recordId) : undefined,
  bulkId: a.bulkId ? String(a.bulkId) : undefined,
  createdBefore: a.createdBefore ?? undefined,
  createdAfter: a.createdAfter ?? undefined,
  order: a.orderBy ?? undefined,
});

const DomainCountRef = builder.objectRef<{ domain: string; count: number }>('DomainCount').implement({
  description: 'How many change requests one domain has.',
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The domain.' }),
    count: t.exposeInt('count', { description: 'How many match.' }),
  }),
});

builder.queryFields((t) => ({
  changeRequests: t.connection(
    {
      type: ChangeRequestRef,
      authScopes: { authenticated: true },
      description:
        "The stewards' inbox: proposals by status, domain, site, proposer, system, record or age; newest first unless orderBy says otherwise.",
      args: {
        ...inboxArgs(t),
        orderBy: t.arg({ type: ChangeRequestOrderEnum, description: 'Default NEWEST_FIRST.' }),
      },
      resolve: async (_r, args, ctx) => {
        const page = forwardPage<[string, string]>(args, CHANGE_REQUEST_CURSOR);
        const filter = filterOf(args as InboxArgs);
        const rows = await ctx.services.records.changeRequests(ctx, filter, page);
        return connectionOf(
          rows,
          page.limit,
          (cr) => encodeCursor(CHANGE_REQUEST_CURSOR, [cr.createdAt.toISOString(), cr.id]),
          {
            hasPreviousPage: Boolean(page.after),
            totalCount: () => ctx.services.records.countChangeRequests(ctx, filter),
          },
        );
      },
    },
    {
      ...connectionNames('ChangeRequest', 'change requests')[0],
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many match, over all pages.',
          resolve: (p: any) => p.totalCount(),
        }),
      }),
    },
    connectionNames('ChangeRequest', 'change requests')[1],
  ),
  changeRequestCounts: t.field({
    type: [DomainCountRef],
    authScopes: { authenticated: true },
    description:
      'How many change requests match the filters, per domain (domains with none are left out); the inbox tabs.',
    args: inboxArgs(t),
    resolve: (_r, args, ctx) =>
      ctx.services.records.countChangeRequestsByDomain(ctx, filterOf(args as InboxArgs)),
  }),
}));

// ------------------------------------------------------------------ references a proposal touches

const ReferenceChangeOpEnum = enumOf(
  'ReferenceChangeOp',
  'Whether a proposal adds or removes a reference.',
  ['ADDED', 'REMOVED'],
  { ADDED: 'The record will reference this one.', REMOVED: 'The record will no longer reference this one.' },
);

const ReferenceChangeRef = builder.objectRef<ReferenceChange>('ReferenceChange').implement({
  description: 'A reference to another record that a proposal adds or removes.',
  fields: (t) => ({
    op: t.field({ type: ReferenceChangeOpEnum, description: 'Added or removed.', resolve: (r) => r.op }),
    field: t.exposeString('field', { description: 'JSON pointer of the referencing field.' }),
    domain: t.exposeString('domain', { description: 'The domain referenced.' }),
    key: t.exposeString('key', { description: 'The business key referenced.' }),
    site: t.exposeString('site', { nullable: true, description: 'The site the key is unique within.' }),
  }),
});

builder.objectField(ChangeRequestRef, 'referenceChanges', (t) =>
  t.field({
    type: [ReferenceChangeRef],
    description: 'The references to other records this proposal adds or removes, by field.',
    resolve: (cr) => referenceChanges(cr),
  }),
);

// ------------------------------------------------------------------ bulk decisions

type DecisionResult = { id: string; changeRequest: ChangeRequest | null; error: CanonError | null };

/**
 * A bulk item's error as a plain copy of the CanonError (GraphQL takes a returned Error instance
 * for a failure of the field itself), answering the Error interface's fields like every error type.
 */
export type DecisionErrorCopy = Pick<CanonError, 'code' | 'message' | 'fieldPath' | 'details'>;

export const DecisionErrorRef = builder.objectRef<DecisionErrorCopy>('ChangeDecisionError').implement({
  description: 'Why one change request of a bulk decision was not decided.',
  interfaces: [ErrorInterface as never],
  isTypeOf: (v) => !(v instanceof Error) && typeof (v as DecisionErrorCopy).code === 'string',
  fields: () => ({}),
});

const DecisionResultRef = builder.objectRef<DecisionResult>('ChangeDecisionResult').implement({
  description: 'What one change request of a bulk decision became: the change request, or its error.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The change request id, as given.' }),
    changeRequest: t.field({
      type: ChangeRequestRef,
      nullable: true,
      description: 'The change request after the decision (APPLIED, CONFLICT, REJECTED or still PENDING).',
      resolve: (r) => r.changeRequest,
    }),
    error: t.field({
      type: DecisionErrorRef,
      nullable: true,
      description: 'Why this one was not decided (nothing changed for it); null when it was.',
      resolve: (r) =>
        r.error
          ? {
              code: r.error.code,
              message: r.error.message,
              fieldPath: r.error.fieldPath,
              details: r.error.details,
            }
          : null,
    }),
  }),
});

const bulkDecisionPayload = (name: string) =>
  builder.objectRef<DecisionResult[]>(name).implement({
    description: 'One result per change request, in input order; one failure leaves the others decided.',
    fields: (t) => ({
      results: t.field({ type: [DecisionResultRef], description: 'In input order.', resolve: (r) => r }),
      decidedCount: t.int({
        description: 'How many were decided.',
        resolve: (r) => r.filter((x) => x.changeRequest).length,
      }),
      failedCount: t.int({
        description: 'How many answered an error.',
        resolve: (r) => r.filter((x) => x.error).length,
      }),
    }),
  });
const ApproveChangesPayload = bulkDecisionPayload('ApproveChangesPayload');
const RejectChangesPayload = bulkDecisionPayload('RejectChangesPayload');

const IDS_DESCRIPTION = `The change requests (1 to ${MAX_BATCH_DECISIONS}, each once).`;

const ApproveChangesInput = builder.inputType('ApproveChangesInput', {
  description: 'The proposals to approve together.',
  fields: (t) => ({
    ids: t.idList({ required: true, description: IDS_DESCRIPTION }),
    comment: t.string({ description: 'A note for the history of each.' }),
    idempotencyKey: t.string({
      description: `${IDEMPOTENCY_KEY_DESCRIPTION} Each proposal's decision keeps its own key (this key and its id), so a retry decides only those that failed.`,
    }),
  }),
});
const RejectChangesInput = builder.inputType('RejectChangesInput', {
  description: 'The proposals to reject together, and why.',
  fields: (t) => ({
    ids: t.idList({ required: true, description: IDS_DESCRIPTION }),
    reason: t.string({ required: true, description: 'Why: each proposer sees it.' }),
    idempotencyKey: t.string({
      description: `${IDEMPOTENCY_KEY_DESCRIPTION} Each proposal's decision keeps its own key (this key and its id), so a retry decides only those that failed.`,
    }),
  }),
});

builder.mutationFields((t) => ({
  approveChanges: t.field({
    type: ApproveChangesPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Approves several pending proposals, each on its own (stewards): a stale or already decided one is reported in its result and the others go through.',
    args: { input: t.arg({ type: ApproveChangesInput, required: true, description: 'What to do.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.decideMany(
        ctx,
        'approve',
        input.ids.map(String),
        input.comment ?? undefined,
        input.idempotencyKey ?? undefined,
      ),
  }),
  rejectChanges: t.field({
    type: RejectChangesPayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Rejects several pending proposals with one reason, each on its own (stewards).',
    args: { input: t.arg({ type: RejectChangesInput, required: true, description: 'What to do.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.decideMany(
        ctx,
        'reject',
        input.ids.map(String),
        input.reason,
        input.idempotencyKey ?? undefined,
      ),
  }),
}));
