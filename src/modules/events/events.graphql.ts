import { builder } from '../../graphql/builder.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { connectionOf, encodeCursor, forwardPage } from '../../graphql/cursors.ts';
import { connectionNames } from '../../graphql/naming.ts';
import { can } from '../auth/ability.ts';
import { ContractVersion } from '../contracts/contract-version.entity.ts';
import { ContractVersionRef } from '../contracts/contracts.graphql.ts';
import { ChangeRequest } from '../records/change-request.entity.ts';
import { ChangeRequestRef } from '../records/change-request.graphql.ts';
import { ItemRef } from '../records/item/item.graphql.ts';
import { LocationRef } from '../records/location/location.graphql.ts';
import { LotRef } from '../records/lot/lot.graphql.ts';
import { DOMAIN_TYPES, GenericRecordRef, type View } from '../records/record.graphql.ts';
import { UomRef } from '../records/uom/uom.graphql.ts';
import { WorkCenterRef } from '../records/work-center/work-center.graphql.ts';
import type { ChangeEvent } from './change-feed.service.ts';
import { type EventOrigin, OUTBOX_EVENT_TYPES } from './outbox.service.ts';

const ChangeTypeEnum = builder.enumType('ChangeType', {
  description: 'What kind of change an event reports.',
  values: OUTBOX_EVENT_TYPES,
});

const ChangeSubject = builder.unionType('ChangeSubject', {
  description: 'What a change event is about: a golden record or a contract version.',
  types: [
    ContractVersionRef,
    ChangeRequestRef,
    UomRef,
    ItemRef,
    LocationRef,
    LotRef,
    WorkCenterRef,
    GenericRecordRef,
  ],
  resolveType: (subject) =>
    subject instanceof ContractVersion
      ? 'ContractVersion'
      : subject instanceof ChangeRequest
        ? 'ChangeRequest'
        : (DOMAIN_TYPES[(subject as View).domain] ?? 'GenericRecord'),
});

const EventOriginRef = builder.objectRef<EventOrigin>('EventOrigin').implement({
  description:
    'Who caused a change: the actor whose act committed it, the system the write came through, the proposal. A connector drops events whose systemCode is its own (the echo of its writes).',
  fields: (t) => ({
    actorId: t.exposeID('actorId', { nullable: true, description: 'The actor (null: Canon itself).' }),
    actorName: t.exposeString('actorName', { nullable: true, description: 'Their name then.' }),
    role: t.exposeString('role', { nullable: true, description: 'Their role then (lowercase).' }),
    systemCode: t.exposeString('systemCode', {
      nullable: true,
      description:
        "The system the write came through: the proposing connector's for an applied or decided proposal (also when a steward approved it), the caller's otherwise; null for stewards' and admins' own changes.",
    }),
    changeRequestId: t.exposeID('changeRequestId', {
      nullable: true,
      description: 'The proposal a record change or a decision belongs to.',
    }),
    proposedById: t.exposeID('proposedById', { nullable: true, description: 'Who proposed it.' }),
    idempotencyKey: t.exposeString('idempotencyKey', {
      nullable: true,
      description:
        'The idempotency key the proposer sent with proposeChange: a connector matches it against the requests it made.',
    }),
  }),
});

export const ChangeEventRef = builder.objectRef<ChangeEvent>('ChangeEvent').implement({
  description: 'One committed change, from the outbox. Sequences are gapless in commit order.',
  fields: (t) => ({
    sequence: t.field({
      type: 'BigIntString',
      description: 'Its place in the feed: gapless, in commit order.',
      resolve: (e) => e.sequence,
    }),
    type: t.field({
      type: ChangeTypeEnum,
      description: 'What happened.',
      resolve: (e) => e.type as (typeof OUTBOX_EVENT_TYPES)[number],
    }),
    domain: t.exposeString('domain', {
      nullable: true,
      description: 'The domain of the record or contract.',
    }),
    subjectId: t.exposeString('subjectId', {
      nullable: true,
      description: 'The record (or contract version) changed.',
    }),
    subject: t.field({
      type: ChangeSubject,
      nullable: true,
      description:
        'What changed, as it is now: the record (record and xref events) or the contract version; null when you may not see it.',
      resolve: async (e, _a, ctx) => {
        if (!e.subjectId) return null;
        if (e.type.startsWith('CHANGE_REQUEST_')) {
          // the feed is open to every reader; the proposal only to those who may read proposals
          if (!can(ctx.ability, 'read', 'ChangeRequest')) return null;
          return (await ctx.services.records.changeRequestsByIds(ctx, [e.subjectId]))[0] ?? null;
        }
        if (e.type.startsWith('CONTRACT_'))
          return (await ctx.services.contracts.versionsByIds(ctx, [e.subjectId]))[0] ?? null;
        return (await ctx.services.records.recordsByIds(ctx, [e.subjectId]))[0] ?? null;
      },
    }),
    revision: t.exposeInt('revision', { nullable: true, description: 'The revision a record change made.' }),
    payload: t.field({
      type: 'JSON',
      description: 'What changed (the event body).',
      resolve: (e) => e.payload,
    }),
    origin: t.field({
      type: EventOriginRef,
      nullable: true,
      description:
        'Who caused it and through which system (null for events recorded before origins were kept).',
      resolve: (e) => e.origin,
    }),
    contractVersion: t.exposeString('contractVersion', {
      nullable: true,
      description:
        "The contract version the record's payload conforms to, e.g. item@1.0.0 (record and proposal events).",
    }),
    effectiveFrom: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'For record events: when the revision takes effect (valid time). A RECORD_CHANGED in the future announces a scheduled change; RECORD_EFFECTIVE follows when it becomes current.',
      resolve: (e) => {
        const at = (e.payload as { effectiveFrom?: unknown } | null)?.effectiveFrom;
        return typeof at === 'string' ? new Date(at) : null;
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was committed.' }),
  }),
});

const originArgs = (t: any) => ({
  originSystems: t.arg.stringList({
    description: 'Only changes whose write came through one of these systems.',
  }),
  excludeOriginSystem: t.arg.string({
    description: "Leave out changes whose write came through this system: a connector's own echoes.",
  }),
  holdQuarantined: t.arg.boolean({
    description:
      'Leave out record changes of records quarantined now (a blocking exception is open); RECORD_RELEASED says when to read them again.',
  }),
});

const FEED_CURSOR = 'feed';

builder.queryField('changeFeed', (t) =>
  t.connection(
    {
      type: ChangeEventRef,
      authScopes: { authenticated: true },
      description:
        'Changes in commit order, after a cursor or after `afterSequence` (the sequence a map snapshot reports); at most 1000 per page.',
      args: {
        afterSequence: t.arg({
          type: 'BigIntString',
          description: 'Start after this sequence when no cursor is given (default 0: from the start).',
        }),
        domain: t.arg.string({ description: 'Only this domain.' }),
        types: t.arg({ type: [ChangeTypeEnum], description: 'Only these kinds of change.' }),
        ...originArgs(t),
      },
      resolve: async (_r, a, ctx) => {
        const page = forwardPage<[string]>(a, FEED_CURSOR, { defaultSize: 500, maxSize: 1000 });
        const events = await ctx.services.changeFeed.page(ctx, {
          afterSequence: page.after?.[0] ?? a.afterSequence ?? '0',
          first: page.limit + 1,
          domain: a.domain ?? undefined,
          types: a.types ?? undefined,
          originSystems: (a.originSystems as string[] | null) ?? undefined,
          excludeOriginSystem: (a.excludeOriginSystem as string | null) ?? undefined,
          holdQuarantined: (a.holdQuarantined as boolean | null) ?? undefined,
        });
        const afterSequence = page.after?.[0] ?? a.afterSequence ?? '0';
        return {
          ...connectionOf(events, page.limit, (e) => encodeCursor(FEED_CURSOR, [e.sequence]), {
            hasPreviousPage: Boolean(page.after ?? a.afterSequence),
          }),
          afterSequence,
        };
      },
    },
    {
      ...connectionNames('ChangeEvent', 'changes')[0],
      // the page shape before API 1.0, kept for one release so polling connectors keep working
      fields: (c) => ({
        events: c.field({
          type: [ChangeEventRef],
          description: 'The changes of this page.',
          deprecationReason: 'Use edges { node } (API 1.0); removed in the next major release.',
          resolve: (page: { edges: { node: ChangeEvent }[] }) => page.edges.map((e) => e.node),
        }),
        lastSequence: c.field({
          type: 'BigIntString',
          description: 'The sequence of the last change of this page (afterSequence when the page is empty).',
          deprecationReason:
            "Use the last node's sequence, or pageInfo.endCursor as `after` (API 1.0); removed in the next major release.",
          resolve: (page: { edges: { node: ChangeEvent }[]; afterSequence: string }) =>
            page.edges.at(-1)?.node.sequence ?? page.afterSequence,
        }),
        headSequence: c.field({
          type: 'BigIntString',
          description:
            'The newest committed sequence now (whatever the filters): subscribe to `changes` after it to follow from this moment.',
          resolve: (_page: unknown, _a: unknown, ctx: GraphQLContext) =>
            ctx.services.changeFeed.latestSequence(),
        }),
      }),
    },
    connectionNames('ChangeEvent', 'changes')[1],
  ),
);

builder.subscriptionType({
  description: 'Server-sent events (POST /graphql with Accept: text/event-stream).',
});
builder.subscriptionField('changes', (t) =>
  t.field({
    type: ChangeEventRef,
    authScopes: { authenticated: true },
    description:
      'Every change after afterSequence, replayed from the outbox, then each new one as it commits — on any Canon instance.',
    args: {
      afterSequence: t.arg({
        type: 'BigIntString',
        required: true,
        description: 'Replay from after this sequence.',
      }),
      domain: t.arg.string({ description: 'Only this domain.' }),
      types: t.arg({ type: [ChangeTypeEnum], description: 'Only these kinds of change.' }),
      ...originArgs(t),
    },
    subscribe: (_r, a, ctx) => {
      const controller = new AbortController();
      const source = ctx.services.changeFeed.follow(
        ctx,
        {
          afterSequence: a.afterSequence,
          domain: a.domain ?? undefined,
          types: a.types ?? undefined,
          originSystems: (a.originSystems as string[] | null) ?? undefined,
          excludeOriginSystem: (a.excludeOriginSystem as string | null) ?? undefined,
          holdQuarantined: (a.holdQuarantined as boolean | null) ?? undefined,
        },
        controller.signal,
      );
      return {
        [Symbol.asyncIterator]() {
          return this;
        },
        next: () => source.next(),
        return: async () => {
          controller.abort();
          return source.return(undefined);
        },
        throw: async (error: unknown) => {
          controller.abort();
          return source.throw(error);
        },
      } as unknown as AsyncIterable<ChangeEvent>;
    },
    resolve: (event) => event,
  }),
);
