/**
 * Exceptions over GraphQL: the owners' queues, one exception with its comments, quarantines, the
 * resolution-time summary, connectors' reports and the stewards' actions (one or in bulk).
 */
import { builder } from '../../graphql/builder.ts';
import { connectionOf, encodeCursor, forwardPage, totalCountField } from '../../graphql/cursors.ts';
import { connectionNames, enumOf } from '../../graphql/naming.ts';
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
export const ResolutionEnum = enumOf('ExceptionResolution', 'How an exception is closed.', [
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

export const QuarantineRef = builder.objectRef<Quarantine>('Quarantine').implement({
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
