/**
 * Proposals and the stewards' decisions over GraphQL: the `ChangeRequest` type, the inbox, approval
 * policies, and the propose / approve / reject / withdraw mutations.
 */
import {
  NotSystemOfRecordError,
  StaleBaseError,
  ValidationError,
  type ValidationFinding,
} from '../../errors.ts';
import { builder } from '../../graphql/builder.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { inOrder } from '../../graphql/cursors.ts';
import { canonErrors, errorsOf, ValidationFindingRef } from '../../graphql/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { can } from '../auth/ability.ts';
import { ActorRef } from '../auth/auth.graphql.ts';
import { type Approval, ChangeRequest } from './change-request.entity.ts';
import type { FieldChange } from './field-diff.ts';
import { FieldChangeRef, RecordInterface, withAsOf } from './record.graphql.ts';
import { ChangeModeEnum, ChangeOperationEnum, ChangeStatusEnum } from './record-enums.ts';

const actorLink = (description: string) => ({
  type: ActorRef,
  nullable: true as const,
  description,
  load: (ids: string[], ctx: GraphQLContext) => ctx.services.auth.actorsByIds(ctx, ids),
});

const ApprovalRef = builder.objectRef<Approval>('Approval').implement({
  description: "A steward's approval of a proposal.",
  fields: (t) => ({
    actorId: t.exposeID('actorId', { description: 'Id of the approving actor.' }),
    actor: t.loadable({ ...actorLink('The approving actor.'), resolve: (a) => a.actorId }),
    actorName: t.exposeString('actorName', { description: 'Their name then.' }),
    at: t.field({ type: 'DateTime', description: 'When.', resolve: (a) => a.at }),
    comment: t.exposeString('comment', { nullable: true, description: 'Their note.' }),
  }),
});

export const ApprovalPolicyRef = builder
  .objectRef<{ domain: string; requiredApprovals: number }>('ApprovalPolicy')
  .implement({
    description: 'How many steward approvals proposals in a domain need.',
    fields: (t) => ({
      domain: t.exposeString('domain', { description: 'The domain.' }),
      requiredApprovals: t.exposeInt('requiredApprovals', { description: '0 = applied at once.' }),
    }),
  });

export const ChangeRequestRef = builder.node(ChangeRequest, {
  name: 'ChangeRequest',
  description: 'A proposed change to a golden record, with its diff, validation and the decisions on it.',
  id: { resolve: (cr) => cr.id },
  loadMany: async (ids: string[], ctx) =>
    inOrder(ids, await ctx.services.records.changeRequestsByIds(ctx, ids), (cr) => cr.id),
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The change request id.' }),
    domain: t.exposeString('domain', { description: 'The domain.' }),
    recordId: t.exposeID('recordId', {
      nullable: true,
      description: 'The record (null until a CREATE is applied).',
    }),
    record: t.loadable({
      type: RecordInterface,
      nullable: true,
      description: 'The record (its current value).',
      load: async (ids: string[], ctx) => withAsOf(await ctx.services.records.recordsByIds(ctx, ids)),
      resolve: (cr) => cr.recordId ?? null,
    }),
    operation: t.field({
      type: ChangeOperationEnum,
      description: 'What it does.',
      resolve: (cr) => cr.operation,
    }),
    mode: t.field({
      type: ChangeModeEnum,
      description: 'FULL payload or merge PATCH.',
      resolve: (cr) => cr.mode as 'FULL',
    }),
    input: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The data or patch as proposed.',
      resolve: (cr) => cr.input ?? null,
    }),
    proposed: t.field({
      type: 'JSON',
      description: 'The full payload the record will have.',
      resolve: (cr) => cr.proposed,
    }),
    diff: t.field({
      type: [FieldChangeRef],
      description: 'Field-level changes against the base revision.',
      resolve: (cr) => cr.diff as FieldChange[],
    }),
    baseRevision: t.exposeInt('baseRevision', {
      nullable: true,
      description: 'The revision it was proposed against.',
    }),
    status: t.field({ type: ChangeStatusEnum, description: 'Where it stands.', resolve: (cr) => cr.status }),
    proposedById: t.exposeID('proposedBy', { nullable: true, description: 'Id of the proposing actor.' }),
    proposedBy: t.loadable({ ...actorLink('The proposing actor.'), resolve: (cr) => cr.proposedBy ?? null }),
    proposedByName: t.exposeString('proposedByName', { nullable: true, description: 'Their name then.' }),
    systemCode: t.exposeString('systemCode', {
      nullable: true,
      description: 'The system a connector proposed for.',
    }),
    requiredApprovals: t.exposeInt('requiredApprovals', { description: 'Approvals it needs.' }),
    approvals: t.field({
      type: [ApprovalRef],
      description: 'Approvals so far.',
      resolve: (cr) => cr.approvals,
    }),
    reason: t.exposeString('reason', { nullable: true, description: "The proposer's reason." }),
    decisionReason: t.exposeString('decisionReason', {
      nullable: true,
      description: 'Why it was rejected or withdrawn.',
    }),
    effectiveFrom: t.expose('effectiveFrom', {
      type: 'DateTime',
      nullable: true,
      description:
        'When it takes effect: the moment the proposer asked for, or — when none was asked — the moment it was applied (null until then).',
    }),
    contractVersion: t.exposeString('contractVersion', {
      description: 'The contract version that validated it.',
    }),
    validation: t.field({
      type: [ValidationFindingRef],
      description:
        'Non-blocking findings (warnings, suspected duplicates); blocking ones refuse the proposal.',
      // kept findings of relaxed rules are warnings
      resolve: (cr) =>
        (cr.warnings as ValidationFinding[]).map((f) => ({ ...f, severity: f.severity ?? 'WARNING' })),
    }),
    appliedRevision: t.exposeInt('appliedRevision', {
      nullable: true,
      description: 'The revision it created.',
    }),
    conflict: t.field({
      type: 'JSON',
      nullable: true,
      description: "For CONFLICT: the record's current revision and value beside the proposed one.",
      resolve: (cr) => cr.conflict ?? null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was proposed.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
    viewerCanApprove: t.boolean({
      description: 'Whether you may approve it (stewards, never their own).',
      resolve: (cr, _a, ctx) =>
        cr.status === 'PENDING' &&
        cr.proposedBy !== ctx.actor?.id &&
        can(ctx.ability, 'approve', 'ChangeRequest'),
    }),
  }),
});

builder.queryFields((t) => ({
  changeRequest: t.field({
    type: ChangeRequestRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'One change request by id; null when unknown.',
    args: { id: t.arg.id({ required: true, description: 'The change request id.' }) },
    resolve: (_r, a, ctx) => ctx.services.records.changeRequest(ctx, String(a.id)),
  }),
  approvalPolicies: t.field({
    type: [ApprovalPolicyRef],
    authScopes: { authenticated: true },
    description: 'The approval policy of every domain that has one (others need 1 approval).',
    resolve: (_r, _a, ctx) => ctx.services.records.approvalPolicies(ctx),
  }),
}));

// ------------------------------------------------------------------ mutations

const ProposeChangeInput = builder.inputType('ProposeChangeInput', {
  description: 'A new record or a change to one.',
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain (contract name).' }),
    recordId: t.id({ description: 'The record to change; absent to create one.' }),
    operation: t.field({
      type: ChangeOperationEnum,
      description: 'Default: CREATE without recordId, UPDATE with it.',
    }),
    data: t.field({ type: 'JSON', description: 'The full payload (create, or replace with baseRevision).' }),
    patch: t.field({ type: 'JSON', description: 'An RFC 7396 JSON merge patch (update).' }),
    baseRevision: t.int({
      description: 'The revision you saw; a stale one is a StaleBaseError and nothing is stored.',
    }),
    effectiveFrom: t.field({
      type: 'DateTime',
      description:
        'When the change takes effect (valid time; may be in the future). Default: the moment it is applied — when the last approval arrives, not when it was proposed.',
    }),
    reason: t.string({ description: 'Why, for the stewards and the history.' }),
    contractMajor: t.int({
      description:
        "Validate against the newest version of this major line, instead of the contract's proposal major (Contract.proposalMajor, see majorPolicy).",
    }),
    assignKey: t.boolean({
      description:
        "A new record without a key (its key field absent): Canon assigns one from the domain's key sequence (keySequences), e.g. ITEM-000042. A steward may rekey it later.",
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const ApproveChangeInput = builder.inputType('ApproveChangeInput', {
  description: 'The proposal to approve.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The change request.' }),
    comment: t.string({ description: 'A note for the history.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const RejectChangeInput = builder.inputType('RejectChangeInput', {
  description: 'The proposal to reject, and why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The change request.' }),
    reason: t.string({ required: true, description: 'Why: the proposer sees it.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const WithdrawChangeInput = builder.inputType('WithdrawChangeInput', {
  description: 'Your proposal to withdraw.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The change request.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const SetApprovalPolicyInput = builder.inputType('SetApprovalPolicyInput', {
  description: 'How many approvals proposals in a domain need.',
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain.' }),
    requiredApprovals: t.int({ required: true, description: '0 (applied at once) to 5.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const changeRequestPayload = (name: string, description: string) =>
  builder.objectRef<ChangeRequest>(name).implement({
    description,
    fields: (t) => ({
      changeRequest: t.field({
        type: ChangeRequestRef,
        description: 'The change request.',
        resolve: (cr) => cr,
      }),
    }),
  });
const SetApprovalPolicyPayload = builder
  .objectRef<{ domain: string; requiredApprovals: number }>('SetApprovalPolicyPayload')
  .implement({
    description: 'The policy now in force.',
    fields: (t) => ({
      approvalPolicy: t.field({ type: ApprovalPolicyRef, description: 'The policy.', resolve: (p) => p }),
    }),
  });

builder.mutationFields((t) => ({
  proposeChange: t.field({
    type: changeRequestPayload(
      'ProposeChangePayload',
      'The proposal: PENDING for stewards, or APPLIED when the domain needs no approval.',
    ),
    errors: { ...errorsOf(ValidationError, StaleBaseError, NotSystemOfRecordError), directResult: true },
    description: 'Proposes a new record or a change; applied at once when the domain needs no approval.',
    args: {
      input: t.arg({
        type: ProposeChangeInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.propose(ctx, {
        domain: input.domain,
        recordId: input.recordId ? String(input.recordId) : undefined,
        operation: input.operation ?? undefined,
        data: (input.data as Record<string, unknown> | null) ?? undefined,
        patch: (input.patch as Record<string, unknown> | null) ?? undefined,
        baseRevision: input.baseRevision ?? undefined,
        effectiveFrom: input.effectiveFrom ?? undefined,
        reason: input.reason ?? undefined,
        contractMajor: input.contractMajor ?? undefined,
        assignKey: input.assignKey ?? undefined,
        idempotencyKey: input.idempotencyKey ?? undefined,
      }),
  }),
  approveChange: t.field({
    type: changeRequestPayload(
      'ApproveChangePayload',
      'The proposal with your approval (APPLIED when it was the last one needed).',
    ),
    errors: { ...errorsOf(ValidationError), directResult: true },
    description: 'Approves a pending proposal (not your own); the last approval needed applies it.',
    args: {
      input: t.arg({
        type: ApproveChangeInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.approve(
        ctx,
        String(input.id),
        input.comment ?? undefined,
        input.idempotencyKey ?? undefined,
      ),
  }),
  rejectChange: t.field({
    type: changeRequestPayload('RejectChangePayload', 'The proposal, REJECTED.'),
    errors: { ...canonErrors, directResult: true },
    description: 'Rejects a pending proposal with a reason (stewards).',
    args: {
      input: t.arg({
        type: RejectChangeInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.reject(ctx, String(input.id), input.reason, input.idempotencyKey ?? undefined),
  }),
  withdrawChange: t.field({
    type: changeRequestPayload('WithdrawChangePayload', 'The proposal, WITHDRAWN.'),
    errors: { ...canonErrors, directResult: true },
    description: 'Withdraws your own pending proposal.',
    args: {
      input: t.arg({
        type: WithdrawChangeInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.withdraw(ctx, String(input.id), input.idempotencyKey ?? undefined),
  }),
  setApprovalPolicy: t.field({
    type: SetApprovalPolicyPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'How many distinct steward approvals proposals in a domain need (admins; 0 = applied at once).',
    args: {
      input: t.arg({
        type: SetApprovalPolicyInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.setApprovalPolicy(
        ctx,
        input.domain,
        input.requiredApprovals,
        input.idempotencyKey,
      ),
  }),
}));
