/** The NATS relay over GraphQL: `eventRelay` (its status) and `replayEvents` (admins). */
import { builder } from '../../../graphql/builder.ts';
import { canonErrors } from '../../../graphql/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../../graphql/naming.ts';
import type { RelayStatus } from './event-relay.ts';
import { MAX_REPLAY, type ReplayAnswer } from './relay.service.ts';

const RelayStateEnum = builder.enumType('EventRelayState', {
  description: "What this instance's relay is doing.",
  values: {
    DISABLED: { value: 'disabled', description: 'NATS_URL is not set: no events are relayed.' },
    CONNECTING: { value: 'connecting', description: 'Connecting to NATS (or waiting to retry).' },
    STANDBY: {
      value: 'standby',
      description: 'Connected; another instance leads, this one takes over when it stops.',
    },
    LEADING: { value: 'leading', description: 'Publishing the outbox to the stream.' },
    STOPPED: { value: 'stopped', description: 'The instance is shutting down.' },
  } as const,
});

const EventRelayRef = builder.objectRef<RelayStatus>('EventRelay').implement({
  description:
    'The relay of change events to NATS JetStream, as this instance sees it. Positions are the outbox sequences of the change feed.',
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled', { description: 'NATS_URL is set.' }),
    state: t.field({ type: RelayStateEnum, description: 'What the relay does.', resolve: (s) => s.state }),
    stream: t.exposeString('stream', { nullable: true, description: 'The JetStream stream (NATS_STREAM).' }),
    subjectPrefix: t.exposeString('subjectPrefix', {
      nullable: true,
      description: 'Subjects are <prefix>.<domain>.<event> (NATS_SUBJECT_PREFIX).',
    }),
    servers: t.exposeString('servers', {
      nullable: true,
      description: 'The NATS servers, without credentials.',
    }),
    connected: t.exposeBoolean('connected', { description: 'Connected to NATS now.' }),
    lastPublishedSequence: t.field({
      type: 'BigIntString',
      description: 'The last event the stream acknowledged (whichever instance published it).',
      resolve: (s) => s.lastPublishedSequence,
    }),
    headSequence: t.field({
      type: 'BigIntString',
      description: 'The newest committed event.',
      resolve: (s) => s.headSequence,
    }),
    lag: t.exposeInt('lag', { description: 'Committed events not yet on the stream.' }),
    published: t.exposeInt('published', { description: 'Events this instance published since it started.' }),
    duplicates: t.exposeInt('duplicates', {
      description: 'Events this instance sent that the stream already had (dropped by de-duplication).',
    }),
    failures: t.exposeInt('failures', { description: 'Failed attempts since start (each retried).' }),
    reconnects: t.exposeInt('reconnects', { description: 'Reconnections to NATS since start.' }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last attempt failed (null once publishing works again).',
    }),
    since: t.field({
      type: 'DateTime',
      description: 'Since when it is in its state.',
      resolve: (s) => new Date(s.since),
    }),
  }),
});

const ReplayEventsInput = builder.inputType('ReplayEventsInput', {
  description: 'A range of the outbox to publish to the stream again.',
  fields: (t) => ({
    fromSequence: t.field({
      type: 'BigIntString',
      required: true,
      description: 'The first event to publish.',
    }),
    toSequence: t.field({
      type: 'BigIntString',
      description: 'The last one (default: the newest committed).',
    }),
    limit: t.int({ description: `Events this call publishes at most, 1 to ${MAX_REPLAY} (the default).` }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const ReplayEventsPayload = builder.objectRef<ReplayAnswer>('ReplayEventsPayload').implement({
  description:
    'What was published again. JetStream drops the events it still remembers (within its duplicate window): consumers see those once; older ones arrive again, and consumers de-duplicate by sequence.',
  fields: (t) => ({
    fromSequence: t.field({
      type: 'BigIntString',
      description: 'The range asked for.',
      resolve: (r) => r.fromSequence,
    }),
    toSequence: t.field({ type: 'BigIntString', description: 'Its end.', resolve: (r) => r.toSequence }),
    lastSequence: t.field({
      type: 'BigIntString',
      nullable: true,
      description: 'The last event published (null: the range holds none); go on after it when `more`.',
      resolve: (r) => r.lastSequence,
    }),
    published: t.exposeInt('published', { description: 'Events the stream appended.' }),
    duplicates: t.exposeInt('duplicates', { description: 'Events the stream already had.' }),
    more: t.exposeBoolean('more', { description: 'The range holds more events than the limit let through.' }),
  }),
});

builder.queryFields((t) => ({
  eventRelay: t.field({
    type: EventRelayRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description: 'The relay of change events to NATS JetStream: state, position, lag (admins).',
    resolve: (_r, _a, ctx) => ctx.services.relayAdmin.status(ctx),
  }),
}));

builder.mutationFields((t) => ({
  replayEvents: t.field({
    type: ReplayEventsPayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Publishes a range of the outbox to the stream again (admins).',
    args: {
      input: t.arg({
        type: ReplayEventsInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) => ctx.services.relayAdmin.replay(ctx, input),
  }),
}));
