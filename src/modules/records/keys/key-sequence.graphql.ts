/** Key sequences over GraphQL: `keySequences` and `setKeySequence` (admins). */
import { builder } from '../../../graphql/builder.ts';
import { canonErrors } from '../../../graphql/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../../graphql/naming.ts';
import type { KeySequenceView } from './key-sequences.ts';

const KeySequenceRef = builder.objectRef<KeySequenceView>('KeySequence').implement({
  description:
    'Where Canon takes the keys it assigns to new records of a domain that arrive without one (proposeChange assignKey): prefix + zero-padded number.',
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The domain.' }),
    prefix: t.exposeString('prefix', { description: 'Put before the number, e.g. "ITEM-".' }),
    padding: t.exposeInt('padding', { description: 'Digits the number is padded to with zeros.' }),
    nextValue: t.exposeInt('nextValue', {
      description: 'The number the next assigned key gets (or a higher one, when taken).',
    }),
  }),
});

const SetKeySequenceInput = builder.inputType('SetKeySequenceInput', {
  description: "A domain's key sequence.",
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain (with a published contract).' }),
    prefix: t.string({
      required: true,
      description: '1 to 30 capital letters, digits and -_./, e.g. "ITEM-".',
    }),
    padding: t.int({ description: 'Digits, 1 to 12 (default 6).' }),
    nextValue: t.int({ description: 'Move the sequence to this number (default: where it is).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const SetKeySequencePayload = builder.objectRef<KeySequenceView>('SetKeySequencePayload').implement({
  description: 'The sequence now in force.',
  fields: (t) => ({
    keySequence: t.field({ type: KeySequenceRef, description: 'The sequence.', resolve: (s) => s }),
  }),
});

builder.queryFields((t) => ({
  keySequences: t.field({
    type: [KeySequenceRef],
    authScopes: { authenticated: true },
    description:
      'The key sequences of domains that have assigned keys or were configured (a domain without one starts at <DOMAIN>-000001).',
    resolve: (_r, _a, ctx) => ctx.services.records.keySequenceList(ctx),
  }),
}));

builder.mutationFields((t) => ({
  setKeySequence: t.field({
    type: SetKeySequencePayload,
    errors: { ...canonErrors, directResult: true },
    description: "Sets a domain's key sequence: prefix, padding, next value (admins).",
    args: {
      input: t.arg({
        type: SetKeySequenceInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.setKeySequence(ctx, {
        domain: input.domain,
        prefix: input.prefix,
        padding: input.padding ?? undefined,
        nextValue: input.nextValue ?? undefined,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
}));
