/**
 * Propagation over GraphQL: subscriptions (admins edit, readers see), acknowledgeChanges (connectors,
 * admins on a system's behalf), record.propagation, system.syncStatus and the backlog lists.
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
import { canonErrors, ErrorCodeEnum } from '../../graphql/errors.ts';
import { connectionNames, enumOf, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { RecordInterface, type View, withAsOf } from '../records/record.graphql.ts';
import { SystemRef } from '../systems/systems.graphql.ts';
import { ACK_OUTCOMES, type AckEntryResult, MAX_ACKS_PER_CALL } from './ack-entries.ts';
import type { AckBatchResult } from './ack-ingest.ts';
import { ACK_STATUSES, type Subscription } from './propagation.entities.ts';
import { PROPAGATION_STATES, type PropagationEntry, type SyncStatus } from './propagation-reads.ts';

const AckStatusEnum = enumOf('AcknowledgementStatus', 'What a system did with a change.', ACK_STATUSES, {
  APPLIED: 'Applied: the system holds the revision.',
  REFUSED: 'Refused: the system could not apply it (an exception is filed with its code and message).',
  SKIPPED: 'Skipped on purpose: nothing in it concerns the system.',
});
const AckOutcomeEnum = enumOf(
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

const SubscriptionRef = builder.objectRef<Subscription>('SystemSubscription').implement({
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

const AckEntryInputRef = builder.inputType('AcknowledgementInput', {
  description: 'What the system did with one change: name it by sequence, or by recordId and revision.',
  fields: (t) => ({
    sequence: t.field({ type: 'BigIntString', description: 'The feed sequence of the change.' }),
    recordId: t.id({ description: 'Or: the record…' }),
    revision: t.int({ description: '…and the revision the change made.' }),
    status: t.field({ type: AckStatusEnum, required: true, description: 'APPLIED, REFUSED or SKIPPED.' }),
    externalId: t.string({
      description: "APPLIED: the system's own id of the record, where it created one (linked as an xref).",
    }),
    code: t.string({ description: "REFUSED: the system's error code." }),
    message: t.string({ description: 'REFUSED: what went wrong.' }),
    blocking: t.boolean({ description: 'REFUSED: quarantine the record until the exception is resolved.' }),
  }),
});
const AcknowledgeChangesInput = builder.inputType('AcknowledgeChangesInput', {
  description: `Acknowledgements of one system, at most ${MAX_ACKS_PER_CALL} per call.`,
  fields: (t) => ({
    system: t.string({
      description: "The system (default: the connector token's); admins name it to act on its behalf.",
    }),
    changes: t.field({ type: [AckEntryInputRef], required: true, description: 'One entry per change.' }),
    idempotencyKey: t.string({
      description: `${IDEMPOTENCY_KEY_DESCRIPTION} Acknowledgements are idempotent per (system, sequence) even without one.`,
    }),
  }),
});
/** A rejected entry's error as data (an Error returned from a resolver would fail the whole field). */
const AckErrorRef = builder
  .objectRef<{ code: string; message: string; path: string[] | null }>('AcknowledgementError')
  .implement({
    description: 'Why one acknowledgement was rejected: a stable code, the input field at fault, a message.',
    fields: (t) => ({
      code: t.field({
        type: ErrorCodeEnum,
        description: 'Stable code (docs/errors.md).',
        resolve: (e) => e.code as never,
      }),
      message: t.exposeString('message', { description: 'What went wrong, as a sentence.' }),
      path: t.exposeStringList('path', {
        nullable: true,
        description: 'The input field at fault (changes.N.field).',
      }),
    }),
  });

const AckResultRef = builder.objectRef<AckEntryResult>('AcknowledgementResult').implement({
  description: 'What became of one acknowledgement.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Its place in the input.' }),
    sequence: t.field({
      type: 'BigIntString',
      nullable: true,
      description: 'The change.',
      resolve: (r) => r.sequence,
    }),
    recordId: t.exposeID('recordId', { nullable: true, description: 'Its record.' }),
    revision: t.exposeInt('revision', { nullable: true, description: 'The revision.' }),
    status: t.field({ type: AckStatusEnum, description: 'The status sent.', resolve: (r) => r.status }),
    outcome: t.field({ type: AckOutcomeEnum, description: 'What Canon did.', resolve: (r) => r.outcome }),
    error: t.field({
      type: AckErrorRef,
      nullable: true,
      description: 'Why it was rejected.',
      resolve: (r) =>
        r.error ? { code: r.error.code, message: r.error.message, path: r.error.fieldPath ?? null } : null,
    }),
  }),
});
const AcknowledgeChangesPayload = builder.objectRef<AckBatchResult>('AcknowledgeChangesPayload').implement({
  description: 'The batch, entry by entry, and the system cursor after it.',
  fields: (t) => ({
    systemCode: t.exposeString('system', { description: 'The system acknowledged for.' }),
    results: t.field({
      type: [AckResultRef],
      description: 'One per input entry, in input order.',
      resolve: (b) => b.results,
    }),
    recorded: t.int({
      description: 'New or replaced acknowledgements.',
      resolve: (b) => b.results.filter((r) => r.outcome === 'RECORDED' || r.outcome === 'REPLACED').length,
    }),
    unchanged: t.int({
      description: 'Repeats that changed nothing.',
      resolve: (b) => b.results.filter((r) => r.outcome === 'UNCHANGED').length,
    }),
    rejected: t.int({
      description: 'Entries refused with an error.',
      resolve: (b) => b.results.filter((r) => r.outcome === 'REJECTED').length,
    }),
    acknowledgedSequence: t.field({
      type: 'BigIntString',
      description: "The system's cursor now.",
      resolve: (b) => b.acknowledgedSequence,
    }),
    highestAcknowledgedSequence: t.field({
      type: 'BigIntString',
      description: 'The highest it acknowledged.',
      resolve: (b) => b.highestAcknowledgedSequence,
    }),
  }),
});
const SetSubscriptionInput = builder.inputType('SetSubscriptionInput', {
  description: 'A subscription to create, or whose filter to change (by system, domain and site).',
  fields: (t) => ({
    system: t.string({ required: true, description: 'The system.' }),
    domain: t.string({ required: true, description: 'The domain.' }),
    site: t.string({ description: 'Only this site (absent: every site).' }),
    filter: t.field({ type: 'JSON', description: 'Only records whose data contains this JSON object.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const SetSubscriptionPayload = builder.objectRef<Subscription>('SetSubscriptionPayload').implement({
  description: 'The subscription as set.',
  fields: (t) => ({
    subscription: t.field({ type: SubscriptionRef, description: 'It.', resolve: (s) => s }),
  }),
});
const RemoveSubscriptionInput = builder.inputType('RemoveSubscriptionInput', {
  description: 'A subscription to remove.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The subscription.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const RemoveSubscriptionPayload = builder.objectRef<{ id: string }>('RemoveSubscriptionPayload').implement({
  description: 'The subscription removed.',
  fields: (t) => ({ removedSubscriptionId: t.exposeID('id', { description: 'Its id.' }) }),
});

builder.mutationFields((t) => ({
  acknowledgeChanges: t.field({
    type: AcknowledgeChangesPayload,
    errors: { ...canonErrors, directResult: true },
    description: `What a system did with the changes it received (APPLIED, REFUSED, SKIPPED), at most ${MAX_ACKS_PER_CALL} per call; idempotent per (system, sequence). Refusals file exceptions; the system's cursor moves.`,
    args: { input: t.arg({ type: AcknowledgeChangesInput, required: true, description: 'The batch.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.propagation.acks.acknowledge(ctx, {
        system: input.system ?? null,
        changes: input.changes.map((c) => ({
          sequence: c.sequence ?? null,
          recordId: c.recordId === null || c.recordId === undefined ? null : String(c.recordId),
          revision: c.revision ?? null,
          status: c.status,
          externalId: c.externalId ?? null,
          code: c.code ?? null,
          message: c.message ?? null,
          blocking: c.blocking ?? null,
        })),
      }),
  }),
  setSubscription: t.field({
    type: SetSubscriptionPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Declares that a system applies a domain (admins); the records already there count as expected.',
    args: { input: t.arg({ type: SetSubscriptionInput, required: true, description: 'The subscription.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.propagation.subscriptions.set(
        ctx,
        {
          system: input.system,
          domain: input.domain,
          site: input.site ?? null,
          filter: (input.filter as Record<string, unknown> | null | undefined) ?? null,
        },
        input.idempotencyKey,
      ),
  }),
  removeSubscription: t.field({
    type: RemoveSubscriptionPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Removes a subscription (admins): the system is no longer expected to apply what it covered.',
    args: {
      input: t.arg({ type: RemoveSubscriptionInput, required: true, description: 'The subscription.' }),
    },
    resolve: async (_r, { input }, ctx) => ({
      id: await ctx.services.propagation.subscriptions.remove(ctx, String(input.id), input.idempotencyKey),
    }),
  }),
}));
