/**
 * Exceptions over GraphQL: the owners' queues, one exception with its comments, quarantines, the
 * resolution-time summary, connectors' reports and the stewards' actions (one or in bulk).
 */
import { builder } from '../../graphql/builder.ts';
import { connectionOf, encodeCursor, forwardPage, totalCountField } from '../../graphql/cursors.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { connectionNames, enumOf, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import type { ChangeEvent } from '../events/change-feed.service.ts';
import { ChangeEventRef } from '../events/events.graphql.ts';
import { RecordInterface, type View, withAsOf } from '../records/record.graphql.ts';
import { ResolutionRef, XrefRef } from '../xref/xref.graphql.ts';
import type { Resolution, XrefView } from '../xref/xref-rows.ts';
import {
  EXCEPTION_SOURCES,
  EXCEPTION_STATES,
  type ExceptionComment,
  type IntegrationException,
  OWNER_REASONS,
  type Quarantine,
} from './exception.entities.ts';
import { type ExceptionChange, MAX_BULK_EXCEPTIONS } from './exception-actions.ts';
import type { ExceptionFilter, ExceptionSummaryRow } from './exception-reads.ts';

const StateEnum = enumOf('ExceptionState', 'Where an exception stands.', EXCEPTION_STATES, {
  OPEN: 'Filed, nobody has taken it yet.',
  ACKNOWLEDGED: 'Someone is on it.',
  RESOLVED: 'Fixed (by a steward, or by itself when the system later applied the record).',
  WONT_FIX: 'Closed without a fix, with a note why.',
});
const SourceEnum = enumOf('ExceptionSource', 'Where an exception came from.', EXCEPTION_SOURCES, {
  ACKNOWLEDGEMENT: 'A system refused a change (acknowledgeChanges).',
  CONNECTOR: 'A connector reported a failure on its inbound side (reportException).',
  RECONCILE: 'A reconciliation found a difference.',
  IMPORT: 'A bulk import warned about a row.',
});
const OwnerReasonEnum = enumOf(
  'ExceptionOwnerReason',
  'Why the exception went to its owner.',
  OWNER_REASONS,
  {
    SYSTEM_OF_RECORD: "The team named on the system-of-record rule of the record's domain and site.",
    SYSTEM: 'The team of the system of record.',
    CONTRACT: "The team that owns the domain's contract.",
    DEFAULT_QUEUE: 'Nobody named a team: the default queue (CANON_EXCEPTIONS_DEFAULT_QUEUE).',
  },
);
const ResolutionEnum = enumOf('ExceptionResolution', 'How an exception is closed.', [
  'RESOLVED',
  'WONT_FIX',
] as const);

const CommentRef = builder.objectRef<ExceptionComment>('ExceptionComment').implement({
  description: 'A comment or link on an exception.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The comment id.' }),
    authorName: t.exposeString('authorName', { nullable: true, description: 'Who wrote it.' }),
    text: t.exposeString('text', { description: 'The comment.' }),
    link: t.exposeString('link', { nullable: true, description: 'A link (a ticket, a document).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When.' }),
  }),
});

const recordField = <T>(idOf: (x: T) => string | null | undefined) => ({
  type: RecordInterface,
  nullable: true as const,
  description: 'The record as it is now (null: none, or gone).',
  load: async (ids: string[], ctx: any) => withAsOf(await ctx.services.records.recordsByIds(ctx, ids)),
  resolve: (x: T) => idOf(x) ?? null,
});

export const ExceptionRef = builder.objectRef<IntegrationException>('IntegrationException').implement({
  description:
    'An integration failure with an owner: a refusal, an inbound failure, a reconciliation difference.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The exception id.' }),
    source: t.field({ type: SourceEnum, description: 'Where it came from.', resolve: (x) => x.source }),
    systemCode: t.exposeString('systemCode', { description: 'The system that failed.' }),
    domain: t.exposeString('domain', { nullable: true, description: 'The domain.' }),
    site: t.exposeString('site', { nullable: true, description: "The record's site." }),
    recordId: t.exposeID('recordId', { nullable: true, description: 'The record.' }),
    record: t.loadable(recordField<IntegrationException>((x) => x.recordId)),
    revision: t.exposeInt('revision', { nullable: true, description: 'The revision that failed.' }),
    changeRequestId: t.exposeID('changeRequestId', {
      nullable: true,
      description: 'The change request behind the change.',
    }),
    sequence: t.field({
      type: 'BigIntString',
      nullable: true,
      description: 'The change event.',
      resolve: (x) => x.sequence ?? null,
    }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: "The system's own id of what failed.",
    }),
    code: t.exposeString('code', { description: "The system's error code." }),
    message: t.exposeString('message', { description: 'What went wrong.' }),
    payloadExcerpt: t.field({
      type: 'JSON',
      nullable: true,
      description: 'What failed (at most 4 KB).',
      resolve: (x) => x.payloadExcerpt ?? null,
    }),
    blocking: t.exposeBoolean('blocking', { description: 'Quarantines its record while live.' }),
    owner: t.exposeString('ownerTeam', { description: 'The team that owns it.' }),
    ownerReason: t.field({
      type: OwnerReasonEnum,
      description: 'Why that team.',
      resolve: (x) => x.ownerReason,
    }),
    state: t.field({
      type: StateEnum,
      description: 'OPEN, ACKNOWLEDGED, RESOLVED or WONT_FIX.',
      resolve: (x) => x.state,
    }),
    assignee: t.exposeString('assignee', { nullable: true, description: 'Who works on it.' }),
    occurrences: t.exposeInt('occurrences', {
      description: 'How often it happened while live (repeats are counted, not filed again).',
    }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', description: 'When it was filed.' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', description: 'When it last happened.' }),
    acknowledgedAt: t.expose('acknowledgedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When someone took it.',
    }),
    resolvedAt: t.expose('resolvedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was closed.',
    }),
    resolution: t.exposeString('resolution', {
      nullable: true,
      description: 'How (AUTO: … when it resolved itself).',
    }),
    resolutionSeconds: t.float({
      nullable: true,
      description: 'Closed: seconds from filed to closed.',
      resolve: (x) => (x.resolvedAt ? (x.resolvedAt.getTime() - x.firstSeenAt.getTime()) / 1000 : null),
    }),
    comments: t.loadableList({
      type: CommentRef,
      description: 'Comments and links, oldest first.',
      load: (ids: string[], ctx) => ctx.services.exceptions.reads.commentsOf(ctx, ids),
      resolve: (x) => x.id,
    }),
    lockVersion: t.exposeInt('lockVersion', { description: 'Give it back to detect a concurrent change.' }),
  }),
});

const QuarantineRef = builder.objectRef<Quarantine>('Quarantine').implement({
  description:
    'A record held back by a blocking exception (connectors may ask the feed and maps to hold or flag it).',
  fields: (t) => ({
    recordId: t.exposeID('recordId', { description: 'The record.' }),
    record: t.loadable(recordField<Quarantine>((q) => q.recordId)),
    domain: t.exposeString('domain', { nullable: true, description: 'Its domain.' }),
    exceptionId: t.exposeID('exceptionId', { description: 'The blocking exception that started it.' }),
    since: t.expose('since', { type: 'DateTime', description: 'Since when.' }),
    lockVersion: t.exposeInt('lockVersion', { description: 'Give it back to releaseQuarantine.' }),
  }),
});

builder.interfaceField(RecordInterface, 'quarantine', (t) =>
  t.loadable({
    type: QuarantineRef,
    nullable: true,
    description: 'Set while a blocking exception holds the record back (null: not quarantined, or released).',
    load: (ids: string[], ctx) => ctx.services.exceptions.reads.quarantinesOf(ids),
    resolve: (v: View) => v.id,
  }),
);

/** Quarantine flags of many records in one query (a DataLoader per request). */
const quarantinedFlag = <T>(idOf: (x: T) => string | null, description: string) => ({
  type: 'Boolean' as const,
  description,
  load: async (ids: string[], ctx: any) =>
    (await ctx.services.exceptions.reads.quarantinesOf(ids)).map((q: Quarantine | null) => q !== null),
  resolve: (x: T) => idOf(x) ?? NOT_A_RECORD,
});
const NOT_A_RECORD = '00000000-0000-0000-0000-000000000000';

builder.objectField(ChangeEventRef, 'quarantined', (t) =>
  t.loadable(
    quarantinedFlag<ChangeEvent>(
      (e) => (e.type.startsWith('RECORD_') ? e.subjectId : null),
      'True when the record of a record event is quarantined now (a blocking exception is open).',
    ),
  ),
);
builder.objectField(ResolutionRef, 'quarantined', (t) =>
  t.loadable(
    quarantinedFlag<Resolution>(
      (r) => r.recordId,
      'True when the record is quarantined now (a blocking exception is open).',
    ),
  ),
);
builder.objectField(XrefRef, 'quarantined', (t) =>
  t.loadable(
    quarantinedFlag<XrefView>(
      (x) => x.recordId,
      'True when the record is quarantined now (a blocking exception is open).',
    ),
  ),
);

const SummaryRef = builder.objectRef<ExceptionSummaryRow>('ExceptionSummary').implement({
  description: 'Exceptions and resolution time of one owner, domain and code.',
  fields: (t) => ({
    owner: t.exposeString('owner', { description: 'The owning team.' }),
    domain: t.exposeString('domain', { nullable: true, description: 'The domain.' }),
    code: t.exposeString('code', { description: 'The error code.' }),
    open: t.exposeInt('open', { description: 'OPEN now.' }),
    acknowledged: t.exposeInt('acknowledged', { description: 'ACKNOWLEDGED now.' }),
    resolved: t.exposeInt('resolved', { description: 'RESOLVED.' }),
    wontFix: t.exposeInt('wontFix', { description: 'WONT_FIX.' }),
    meanResolutionSeconds: t.exposeFloat('meanResolutionSeconds', {
      nullable: true,
      description: 'Mean seconds from filed to closed.',
    }),
    p90ResolutionSeconds: t.exposeFloat('p90ResolutionSeconds', {
      nullable: true,
      description: '90th percentile of the same.',
    }),
    openUnderHour: t.exposeInt('openUnderHour', { description: 'Live, filed less than an hour ago.' }),
    openUnderDay: t.exposeInt('openUnderDay', { description: 'Live, filed 1 to 24 hours ago.' }),
    openUnderWeek: t.exposeInt('openUnderWeek', { description: 'Live, filed 1 to 7 days ago.' }),
    openOlder: t.exposeInt('openOlder', { description: 'Live, filed more than 7 days ago.' }),
    oldestOpenSeconds: t.exposeFloat('oldestOpenSeconds', {
      nullable: true,
      description: 'Age of the oldest live one.',
    }),
  }),
});

const filterArgs = (t: any) => ({
  owner: t.arg.string({ description: 'Only this owning team.' }),
  states: t.arg({ type: [StateEnum], description: 'Only these states (default: OPEN and ACKNOWLEDGED).' }),
  system: t.arg.string({ description: 'Only this system.' }),
  domain: t.arg.string({ description: 'Only this domain.' }),
  code: t.arg.string({ description: 'Only this error code.' }),
  recordId: t.arg.id({ description: 'Only this record.' }),
  assignee: t.arg.string({ description: 'Only exceptions assigned to this person.' }),
  olderThanSeconds: t.arg.int({ description: 'Only exceptions filed at least this long ago.' }),
});
const filterOf = (a: Record<string, unknown>): ExceptionFilter => ({
  owner: (a.owner as string | null) ?? undefined,
  states: (a.states as ExceptionFilter['states'] | null) ?? ['OPEN', 'ACKNOWLEDGED'],
  system: (a.system as string | null) ?? undefined,
  domain: (a.domain as string | null) ?? undefined,
  code: (a.code as string | null) ?? undefined,
  recordId: a.recordId ? String(a.recordId) : undefined,
  assignee: (a.assignee as string | null) ?? undefined,
  olderThanSeconds: (a.olderThanSeconds as number | null) ?? undefined,
});

const CURSOR = 'exception';
builder.queryFields((t) => ({
  exceptions: t.connection(
    {
      type: ExceptionRef,
      authScopes: { authenticated: true },
      description:
        'The exception queues, newest first: an owner’s queue, or filtered by system, domain, code, age.',
      args: filterArgs(t),
      resolve: async (_r, a, ctx) => {
        const page = forwardPage<[string, string]>(a, CURSOR);
        const filter = filterOf(a as unknown as Record<string, unknown>);
        const rows = await ctx.services.exceptions.reads.page(ctx, filter, page.limit + 1, page.after);
        return connectionOf(
          rows,
          page.limit,
          (x) => encodeCursor(CURSOR, [x.firstSeenAt.toISOString(), x.id]),
          {
            hasPreviousPage: Boolean(page.after),
            totalCount: () => ctx.services.exceptions.reads.count(ctx, filter),
          },
        );
      },
    },
    { ...connectionNames('IntegrationException', 'exceptions')[0], fields: totalCountField },
    connectionNames('IntegrationException', 'exceptions')[1],
  ),
  exception: t.field({
    type: ExceptionRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'One exception by id.',
    args: { id: t.arg.id({ required: true, description: 'The exception.' }) },
    resolve: async (_r, a, ctx) => (await ctx.services.exceptions.reads.byIds(ctx, [String(a.id)]))[0],
  }),
  exceptionSummary: t.field({
    type: [SummaryRef],
    authScopes: { authenticated: true },
    description: 'Resolution time (mean, p90) and live exceptions by age, per owner, domain and code.',
    args: {
      owner: t.arg.string({ description: 'Only this owning team.' }),
      domain: t.arg.string({ description: 'Only this domain.' }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.exceptions.reads.summary(ctx, {
        owner: a.owner ?? undefined,
        domain: a.domain ?? undefined,
      }),
  }),
  quarantines: t.connection(
    {
      type: QuarantineRef,
      authScopes: { authenticated: true },
      description: 'Records held back now, newest first.',
      args: { domain: t.arg.string({ description: 'Only this domain.' }) },
      resolve: async (_r, a, ctx) => {
        const page = forwardPage<[string, string]>(a, 'quarantine');
        const rows = await ctx.services.exceptions.reads.quarantines(
          ctx,
          a.domain ?? undefined,
          page.limit + 1,
          page.after,
        );
        return connectionOf(
          rows,
          page.limit,
          (q) => encodeCursor('quarantine', [q.since.toISOString(), q.recordId]),
          {
            hasPreviousPage: Boolean(page.after),
          },
        );
      },
    },
    connectionNames('Quarantine', 'quarantined records')[0],
    connectionNames('Quarantine', 'quarantined records')[1],
  ),
}));

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
  ctx: any,
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
