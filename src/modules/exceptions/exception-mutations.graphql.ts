/**
 * The exception mutations: connectors' reports, the stewards' acts on one exception or many, and the
 * release of quarantined records.
 */
import { builder } from '../../graphql/builder.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import type { IntegrationException, Quarantine } from './exception.entities.ts';
import { type ExceptionChange, MAX_BULK_EXCEPTIONS } from './exception-actions.ts';
import { ExceptionRef, ResolutionEnum } from './exceptions.graphql.ts';

const ReportExceptionInput = builder.inputType('ReportExceptionInput', {
  description: "A failure on a connector's inbound side: what it could not do with Canon's data.",
  fields: (t) => ({
    system: t.string({ description: "The system (default: the connector token's)." }),
    domain: t.string({ required: true, description: 'The domain of what failed.' }),
    recordId: t.id({ description: 'The record that failed…' }),
    revision: t.int({ description: '…at this revision.' }),
    externalId: t.string({ description: "…or the system's own id of it." }),
    code: t.string({ required: true, description: "The system's error code." }),
    message: t.string({ required: true, description: 'What went wrong.' }),
    payload: t.field({ type: 'JSON', description: 'What failed (an excerpt of at most 4 KB is kept).' }),
    blocking: t.boolean({ description: 'Quarantine the record until resolved.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const exceptionPayload = (name: string, description: string) =>
  builder.objectRef<IntegrationException>(name).implement({
    description,
    fields: (t) => ({
      exception: t.field({ type: ExceptionRef, description: 'The exception.', resolve: (x) => x }),
    }),
  });
const AcknowledgeExceptionInput = builder.inputType('AcknowledgeExceptionInput', {
  description: 'The exception to take, and the version you saw.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The exception.' }),
    lockVersion: t.int({ description: 'The version you saw (VERSION_CONFLICT when it moved).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const AssignExceptionInput = builder.inputType('AssignExceptionInput', {
  description: 'Who works on an exception.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The exception.' }),
    assignee: t.string({ description: 'The person (absent: unassigned).' }),
    lockVersion: t.int({ description: 'The version you saw.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const CommentExceptionInput = builder.inputType('CommentOnExceptionInput', {
  description: 'A comment or link on an exception.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The exception.' }),
    text: t.string({ required: true, description: 'The comment.' }),
    link: t.string({ description: 'An http(s) link.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const ResolveExceptionInput = builder.inputType('ResolveExceptionInput', {
  description: 'Closes an exception with a note.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The exception.' }),
    resolution: t.field({ type: ResolutionEnum, description: 'RESOLVED (default) or WONT_FIX.' }),
    note: t.string({ required: true, description: 'What was done.' }),
    lockVersion: t.int({
      description: 'The version you saw (VERSION_CONFLICT when another steward acted first).',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const ReopenExceptionInput = builder.inputType('ReopenExceptionInput', {
  description: 'Opens a closed exception again.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The exception.' }),
    note: t.string({ required: true, description: 'Why.' }),
    lockVersion: t.int({ description: 'The version you saw.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const BulkExceptionInput = builder.inputType('ResolveExceptionsInput', {
  description: `Closes (or acknowledges) up to ${MAX_BULK_EXCEPTIONS} exceptions at once: all or none.`,
  fields: (t) => ({
    ids: t.idList({ required: true, description: 'The exceptions.' }),
    lockVersions: t.intList({ description: 'The versions you saw, in the order of ids (optional).' }),
    resolution: t.field({ type: ResolutionEnum, description: 'RESOLVED (default) or WONT_FIX.' }),
    acknowledgeOnly: t.boolean({ description: 'Only acknowledge them (take them), do not close.' }),
    note: t.string({ description: 'What was done (required to close).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const BulkPayload = builder.objectRef<IntegrationException[]>('ResolveExceptionsPayload').implement({
  description: 'The exceptions as they are now.',
  fields: (t) => ({
    exceptions: t.field({ type: [ExceptionRef], description: 'In the order of ids.', resolve: (x) => x }),
  }),
});
const ReleaseQuarantineInput = builder.inputType('ReleaseQuarantineInput', {
  description: 'Lets a quarantined record through while its exception stays open.',
  fields: (t) => ({
    recordId: t.id({ required: true, description: 'The record.' }),
    note: t.string({ required: true, description: 'Why it may go through.' }),
    lockVersion: t.int({ description: 'The version you saw.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const ReleasePayload = builder.objectRef<Quarantine>('ReleaseQuarantinePayload').implement({
  description: 'The quarantine, released.',
  fields: (t) => ({
    recordId: t.exposeID('recordId', { description: 'The record.' }),
    releasedAt: t.expose('releasedAt', { type: 'DateTime', nullable: true, description: 'When.' }),
    releaseNote: t.exposeString('releaseNote', { nullable: true, description: 'Why.' }),
  }),
});

const change = (
  ctx: GraphQLContext,
  input: { id: string | number; lockVersion?: number | null; idempotencyKey?: string | null },
  c: ExceptionChange,
) =>
  ctx.services.exceptions.actions.change(
    ctx,
    String(input.id),
    c,
    input.lockVersion ?? null,
    input.idempotencyKey,
  );

builder.mutationFields((t) => ({
  reportException: t.field({
    type: exceptionPayload(
      'ReportExceptionPayload',
      'The exception filed (or the live one it was counted on).',
    ),
    errors: { ...canonErrors, directResult: true },
    description:
      'A connector reports a failure on its side (its own system only); repeats count on the live exception.',
    args: { input: t.arg({ type: ReportExceptionInput, required: true, description: 'The failure.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.exceptions.actions.report(
        ctx,
        {
          system: input.system ?? null,
          domain: input.domain,
          recordId: input.recordId ? String(input.recordId) : null,
          revision: input.revision ?? null,
          externalId: input.externalId ?? null,
          code: input.code,
          message: input.message,
          payload: input.payload ?? null,
          blocking: input.blocking ?? null,
        },
        input.idempotencyKey,
      ),
  }),
  acknowledgeException: t.field({
    type: exceptionPayload('AcknowledgeExceptionPayload', 'The exception, taken.'),
    errors: { ...canonErrors, directResult: true },
    description: 'A steward takes an exception (OPEN → ACKNOWLEDGED; assigned to them when nobody is).',
    args: {
      input: t.arg({ type: AcknowledgeExceptionInput, required: true, description: 'The exception.' }),
    },
    resolve: (_r, { input }, ctx) => change(ctx, input, { kind: 'ACKNOWLEDGE' }),
  }),
  assignException: t.field({
    type: exceptionPayload('AssignExceptionPayload', 'The exception, assigned.'),
    errors: { ...canonErrors, directResult: true },
    description: 'Sets who works on a live exception.',
    args: { input: t.arg({ type: AssignExceptionInput, required: true, description: 'The exception.' }) },
    resolve: (_r, { input }, ctx) => change(ctx, input, { kind: 'ASSIGN', assignee: input.assignee ?? null }),
  }),
  commentOnException: t.field({
    type: exceptionPayload('CommentOnExceptionPayload', 'The exception with the comment.'),
    errors: { ...canonErrors, directResult: true },
    description: 'Adds a comment or a link.',
    args: { input: t.arg({ type: CommentExceptionInput, required: true, description: 'The comment.' }) },
    resolve: (_r, { input }, ctx) =>
      change(ctx, input, { kind: 'COMMENT', text: input.text, link: input.link ?? null }),
  }),
  resolveException: t.field({
    type: exceptionPayload('ResolveExceptionPayload', 'The exception, closed.'),
    errors: { ...canonErrors, directResult: true },
    description:
      'Closes a live exception with a note (RESOLVED or WONT_FIX); a blocking one releases its quarantine.',
    args: { input: t.arg({ type: ResolveExceptionInput, required: true, description: 'The exception.' }) },
    resolve: (_r, { input }, ctx) =>
      change(ctx, input, { kind: 'RESOLVE', state: input.resolution ?? 'RESOLVED', note: input.note }),
  }),
  reopenException: t.field({
    type: exceptionPayload('ReopenExceptionPayload', 'The exception, open again.'),
    errors: { ...canonErrors, directResult: true },
    description:
      'Opens a closed exception again (refused while another is live for the same system, record and code).',
    args: { input: t.arg({ type: ReopenExceptionInput, required: true, description: 'The exception.' }) },
    resolve: (_r, { input }, ctx) => change(ctx, input, { kind: 'REOPEN', note: input.note }),
  }),
  resolveExceptions: t.field({
    type: BulkPayload,
    errors: { ...canonErrors, directResult: true },
    description: `Closes or acknowledges up to ${MAX_BULK_EXCEPTIONS} exceptions in one transaction (all or none).`,
    args: { input: t.arg({ type: BulkExceptionInput, required: true, description: 'The exceptions.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.exceptions.actions.changeMany(
        ctx,
        input.ids.map((id, i) => ({ id: String(id), lockVersion: input.lockVersions?.[i] ?? null })),
        input.acknowledgeOnly
          ? { kind: 'ACKNOWLEDGE' }
          : { kind: 'RESOLVE', state: input.resolution ?? 'RESOLVED', note: input.note ?? '' },
        input.idempotencyKey,
      ),
  }),
  releaseQuarantine: t.field({
    type: ReleasePayload,
    errors: { ...canonErrors, directResult: true },
    description: 'A steward lets a quarantined record through while its exception stays open (audited).',
    args: { input: t.arg({ type: ReleaseQuarantineInput, required: true, description: 'The record.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.exceptions.actions.release(
        ctx,
        String(input.recordId),
        input.note,
        input.lockVersion ?? null,
        input.idempotencyKey,
      ),
  }),
}));
