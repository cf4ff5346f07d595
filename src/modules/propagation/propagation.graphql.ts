/**
 * Propagation over GraphQL, the reads: subscriptions, record.propagation, system.syncStatus and the
 * backlog lists (the mutations are in propagation-mutations.graphql.ts).
 */
import { CanonError } from '../../errors.ts';
import { builder } from '../../graphql/builder.ts';
import {
  connectionOf,
  connectionOfSorted,
  encodeCursor,
  forwardPage,
  totalCountField,
} from '../../graphql/cursors.ts';
import { connectionNames, enumOf } from '../../graphql/naming.ts';
import { RecordInterface, type View, withAsOf } from '../records/record.graphql.ts';
import { SystemRef } from '../systems/systems.graphql.ts';
import { ACK_OUTCOMES } from './ack-entries.ts';
import { ACK_STATUSES, type Subscription } from './propagation.entities.ts';
import { PROPAGATION_STATES, type PropagationEntry, type SyncStatus } from './propagation-reads.ts';

export const AckStatusEnum = enumOf(
  'AcknowledgementStatus',
  'What a system did with a change.',
  ACK_STATUSES,
  {
    APPLIED: 'Applied: the system holds the revision.',
    REFUSED: 'Refused: the system could not apply it (an exception is filed with its code and message).',
    SKIPPED: 'Skipped on purpose: nothing in it concerns the system.',
  },
);
export const AckOutcomeEnum = enumOf(
  'AcknowledgementOutcome',
  'What Canon did with one acknowledgement.',
  ACK_OUTCOMES,
  {
    RECORDED: 'Recorded (the first acknowledgement of the change).',
    REPLACED: 'Replaced an earlier acknowledgement of the change with another status.',
    UNCHANGED: 'The same acknowledgement again: nothing changed.',
    REJECTED: 'Refused with the error given; nothing was written for it.',
  },
);
const PropagationStateEnum = enumOf(
  'PropagationState',
  'Where a record stands in a system.',
  PROPAGATION_STATES,
  {
    CURRENT: 'The system acknowledged the newest revision (applied or skipped).',
    BEHIND: 'The system has yet to acknowledge the newest revision.',
    FAILED: 'The system refused the newest revision it acknowledged.',
    NOT_EXPECTED: 'No subscription of the system covers the record.',
  },
);

export const SubscriptionRef = builder.objectRef<Subscription>('SystemSubscription').implement({
  description:
    'A system is expected to apply the changes of a domain (on a site; only records matching a filter).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The subscription id.' }),
    systemCode: t.exposeString('systemCode', { description: 'The system.' }),
    domain: t.exposeString('domain', { description: 'The domain.' }),
    site: t.exposeString('site', {
      nullable: true,
      description: 'Only records of this site; null: every site.',
    }),
    filter: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Only records whose data contains this JSON (as PostgreSQL @>); null: every record.',
      resolve: (s) => s.filter ?? null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was declared.' }),
  }),
});

const PropagationErrorRef = builder
  .objectRef<{ code: string; message: string }>('PropagationError')
  .implement({
    description: "The system's own error code and message of its last refusal.",
    fields: (t) => ({
      code: t.exposeString('code', { description: "The system's error code." }),
      message: t.exposeString('message', { description: 'What went wrong.' }),
    }),
  });

const RecordPropagationRef = builder.objectRef<PropagationEntry>('RecordPropagation').implement({
  description: 'Where one record stands in one system.',
  fields: (t) => ({
    systemCode: t.exposeString('system', { description: 'The system.' }),
    recordId: t.exposeID('recordId', { description: 'The record.' }),
    record: t.field({
      type: RecordInterface,
      nullable: true,
      description: 'The record as it is now.',
      resolve: async (e, _a, ctx) =>
        withAsOf(await ctx.services.records.recordsByIds(ctx, [e.recordId]))[0] ?? null,
    }),
    domain: t.exposeString('domain', { description: 'Its domain.' }),
    state: t.field({
      type: PropagationStateEnum,
      description: 'CURRENT, BEHIND, FAILED or NOT_EXPECTED.',
      resolve: (e) => e.state,
    }),
    expectedRevision: t.exposeInt('expectedRevision', {
      nullable: true,
      description: 'The newest revision the system is to apply.',
    }),
    appliedRevision: t.exposeInt('appliedRevision', {
      nullable: true,
      description: 'The newest revision it applied.',
    }),
    appliedAt: t.expose('appliedAt', { type: 'DateTime', nullable: true, description: 'When it said so.' }),
    behindSince: t.expose('behindSince', {
      type: 'DateTime',
      nullable: true,
      description: 'BEHIND or FAILED: since when the oldest revision it has yet to apply waits.',
    }),
    lastStatus: t.field({
      type: AckStatusEnum,
      nullable: true,
      description: 'Its newest acknowledgement (by revision).',
      resolve: (e) => e.lastStatus,
    }),
    lastRevision: t.exposeInt('lastRevision', {
      nullable: true,
      description: 'The revision that acknowledgement named.',
    }),
    lastAcknowledgedAt: t.expose('lastAcknowledgedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When.',
    }),
    lastError: t.field({
      type: PropagationErrorRef,
      nullable: true,
      description: 'Its last refusal of the record (kept after a later APPLIED, for the record).',
      resolve: (e) => e.lastError,
    }),
  }),
});

const SyncStatusRef = builder.objectRef<SyncStatus>('SyncStatus').implement({
  description:
    "A system's durable feed cursor and backlog. A connector that restarts follows `changes` after acknowledgedSequence.",
  fields: (t) => ({
    acknowledgedSequence: t.field({
      type: 'BigIntString',
      description:
        'Every change up to it that the subscriptions make the system responsible for is acknowledged (the low-water mark; resume after it).',
      resolve: (s) => s.acknowledgedSequence,
    }),
    highestAcknowledgedSequence: t.field({
      type: 'BigIntString',
      description: 'The highest sequence it acknowledged (beyond the low-water mark when some are missing).',
      resolve: (s) => s.highestAcknowledgedSequence,
    }),
    headSequence: t.field({
      type: 'BigIntString',
      description: 'The newest committed sequence.',
      resolve: (s) => s.headSequence,
    }),
    lagSequences: t.field({
      type: 'BigIntString',
      description: 'headSequence − acknowledgedSequence.',
      resolve: (s) => (BigInt(s.headSequence) - BigInt(s.acknowledgedSequence)).toString(),
    }),
    lastAcknowledgedAt: t.expose('lastAcknowledgedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Its last call.',
    }),
    behindRecords: t.exposeInt('behindRecords', {
      description: 'Records of its subscriptions it has yet to apply.',
    }),
    failedRecords: t.exposeInt('failedRecords', {
      description: 'Records whose newest acknowledged revision it refused.',
    }),
    oldestUnacknowledgedAge: t.exposeInt('oldestUnacknowledgedAge', {
      description: 'Seconds since the oldest change it has yet to acknowledge was committed (0: none).',
    }),
  }),
});

builder.objectFields(SystemRef, (t) => ({
  subscriptions: t.loadableList({
    type: SubscriptionRef,
    description: 'The domains it is expected to apply.',
    load: (codes: string[], ctx) => ctx.services.propagation.subscriptions.ofSystems(ctx, codes),
    resolve: (s) => s.code,
  }),
  syncStatus: t.loadable({
    type: SyncStatusRef,
    description: 'Its feed cursor and backlog.',
    load: (codes: string[], ctx) => ctx.services.propagation.reads.syncStatus(ctx, codes),
    resolve: (s) => s.code,
  }),
}));

builder.interfaceField(RecordInterface, 'propagation', (t) =>
  t.loadableList({
    type: RecordPropagationRef,
    description: 'Where the record stands in each system that subscribes to it or acknowledged it.',
    load: (views: View[], ctx) =>
      ctx.services.propagation.reads.ofRecords(
        ctx,
        views.map((v) => ({
          id: v.id,
          domain: v.domain,
          site: v.site,
          revision: v.latestRevision,
          data: v.data,
        })),
      ),
    resolve: (v) => v,
  }),
);

const BACKLOG_CURSOR = 'propagation';
builder.queryFields((t) => ({
  subscriptions: t.connection(
    {
      type: SubscriptionRef,
      authScopes: { authenticated: true },
      description: 'Which systems are expected to apply which domains.',
      args: {
        system: t.arg.string({ description: 'Only this system.' }),
        domain: t.arg.string({ description: 'Only this domain.' }),
      },
      resolve: async (_r, a, ctx) =>
        connectionOfSorted(
          await ctx.services.propagation.subscriptions.list(ctx, {
            system: a.system ?? undefined,
            domain: a.domain ?? undefined,
          }),
          a,
          'subscription',
          (s) => `${s.systemCode}\u0000${s.domain}\u0000${s.site ?? ''}`,
        ),
    },
    { ...connectionNames('SystemSubscription', 'subscriptions')[0], fields: totalCountField },
    connectionNames('SystemSubscription', 'subscriptions')[1],
  ),
  propagationBacklog: t.connection(
    {
      type: RecordPropagationRef,
      authScopes: { authenticated: true },
      description: 'Records a system has yet to apply (BEHIND) or refused (FAILED), longest waiting first.',
      args: {
        system: t.arg.string({ required: true, description: 'The system.' }),
        state: t.arg({ type: PropagationStateEnum, required: true, description: 'BEHIND or FAILED.' }),
        domain: t.arg.string({ description: 'Only this domain.' }),
        olderThanSeconds: t.arg.int({ description: 'Only records waiting at least this long.' }),
      },
      resolve: async (_r, a, ctx) => {
        const page = forwardPage<[string, string]>(a, BACKLOG_CURSOR);
        if (a.state !== 'BEHIND' && a.state !== 'FAILED')
          throw new CanonError('BAD_USER_INPUT', 'The backlog lists BEHIND or FAILED records.', {
            path: ['state'],
          });
        const rows = await ctx.services.propagation.reads.entries(ctx, {
          system: a.system,
          state: a.state,
          domain: a.domain ?? undefined,
          olderThanSeconds: a.olderThanSeconds ?? undefined,
          limit: page.limit + 1,
          after: page.after,
        });
        return connectionOf(
          rows,
          page.limit,
          (e) => encodeCursor(BACKLOG_CURSOR, [(e.behindSince ?? new Date(0)).toISOString(), e.recordId]),
          { hasPreviousPage: Boolean(page.after) },
        );
      },
    },
    connectionNames('RecordPropagation', 'records behind or failed in a system')[0],
    connectionNames('RecordPropagation', 'records behind or failed in a system')[1],
  ),
}));
