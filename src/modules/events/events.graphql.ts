import { builder } from '../../graphql/builder.ts';
import type { ChangeEvent } from './change-feed.service.ts';
import { OUTBOX_EVENT_TYPES } from './outbox.service.ts';

const ChangeTypeEnum = builder.enumType('ChangeType', { values: OUTBOX_EVENT_TYPES });

const ChangeEventRef = builder.objectRef<ChangeEvent>('ChangeEvent').implement({
  description: 'One committed change, from the outbox. Sequences are gapless in commit order.',
  fields: (t) => ({
    sequence: t.field({ type: 'BigIntString', resolve: (e) => e.sequence }),
    type: t.field({ type: ChangeTypeEnum, resolve: (e) => e.type as (typeof OUTBOX_EVENT_TYPES)[number] }),
    domain: t.exposeString('domain', { nullable: true }),
    subjectId: t.exposeString('subjectId', {
      nullable: true,
      description: 'The record (or contract version) changed.',
    }),
    revision: t.exposeInt('revision', { nullable: true }),
    payload: t.field({ type: 'JSON', resolve: (e) => e.payload }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const FeedPageRef = builder.objectRef<{ events: ChangeEvent[]; after: string }>('ChangeFeedPage').implement({
  fields: (t) => ({
    events: t.field({ type: [ChangeEventRef], resolve: (p) => p.events }),
    lastSequence: t.field({
      type: 'BigIntString',
      description: 'Pass as afterSequence for the next page.',
      resolve: (p) => p.events.at(-1)?.sequence ?? p.after,
    }),
  }),
});

builder.queryField('changeFeed', (t) =>
  t.field({
    type: FeedPageRef,
    authScopes: { authenticated: true },
    description:
      'Changes after a sequence, in order (at most 1000 per page). Start from the sequence a map snapshot reports.',
    args: {
      afterSequence: t.arg({ type: 'BigIntString', required: true }),
      first: t.arg.int({ defaultValue: 500 }),
      domain: t.arg.string(),
      types: t.arg({ type: [ChangeTypeEnum] }),
    },
    resolve: async (_r, a, ctx) => ({
      after: a.afterSequence,
      events: await ctx.services.changeFeed.page(ctx, {
        afterSequence: a.afterSequence,
        first: a.first ?? 500,
        domain: a.domain ?? undefined,
        types: a.types ?? undefined,
      }),
    }),
  }),
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
      afterSequence: t.arg({ type: 'BigIntString', required: true }),
      domain: t.arg.string(),
      types: t.arg({ type: [ChangeTypeEnum] }),
    },
    subscribe: (_r, a, ctx) => {
      const controller = new AbortController();
      const source = ctx.services.changeFeed.follow(
        ctx,
        { afterSequence: a.afterSequence, domain: a.domain ?? undefined, types: a.types ?? undefined },
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
