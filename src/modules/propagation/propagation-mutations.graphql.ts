/**
 * The propagation mutations: acknowledgeChanges (what a system did with its changes, entry by entry)
 * and the subscriptions admins declare.
 */
import { builder } from '../../graphql/builder.ts';
import { canonErrors, ErrorCodeEnum } from '../../graphql/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { type AckEntryResult, MAX_ACKS_PER_CALL } from './ack-entries.ts';
import type { AckBatchResult } from './ack-ingest.ts';
import type { Subscription } from './propagation.entities.ts';
import { AckOutcomeEnum, AckStatusEnum, SubscriptionRef } from './propagation.graphql.ts';

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
