/**
 * `pushContractVersions`: a folder of contracts in one call (what `canon contracts push` and CI use):
 * each version registered and published in reference order, already published content left alone, a
 * draft this caller left with other content replaced, and a version that fails to publish not kept as
 * a draft (contract-publication.ts).
 */
import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import type { PushResult } from './contracts.shared.ts';

const PushOutcomeEnum = builder.enumType('ContractPushOutcome', {
  description: 'What a push did with one version.',
  values: {
    PUBLISHED: { description: 'Registered and published now.' },
    UNCHANGED: { description: 'Already there with exactly this content; nothing done.' },
    DRAFT_REPLACED: {
      description:
        'A draft of this version with other content, left by an earlier push of yours, took this content and was published.',
    },
  },
});

const PushedVersion = builder.objectRef<PushResult>('ContractPushResult').implement({
  description: 'One version of a push and what happened to it.',
  fields: (t) => ({
    contract: t.exposeString('contract', { description: 'The contract name.' }),
    version: t.expose('version', { type: 'SemVer', description: 'The version.' }),
    outcome: t.field({ type: PushOutcomeEnum, description: 'What the push did.', resolve: (r) => r.outcome }),
  }),
});

const PushDocumentInput = builder.inputType('ContractPushDocumentInput', {
  description: 'One version to push.',
  fields: (t) => ({
    contract: t.string({ required: true, description: 'kebab-case contract name.' }),
    version: t.field({ type: 'SemVer', required: true, description: 'The semantic version.' }),
    schema: t.field({ type: 'JSON', required: true, description: 'The JSON Schema document.' }),
  }),
});

const PushInput = builder.inputType('PushContractVersionsInput', {
  description: 'Versions to register and publish, in any order (references decide the order).',
  fields: (t) => ({
    versions: t.field({ type: [PushDocumentInput], required: true, description: 'The versions.' }),
    idempotencyKey: t.string({
      description:
        'Accepted like on every mutation; a push is idempotent by content anyway: repeating it answers UNCHANGED for what it published.',
    }),
  }),
});

const PushPayload = builder.objectRef<{ results: PushResult[] }>('PushContractVersionsPayload').implement({
  description: 'Every version of the push, in the order it was handled.',
  fields: (t) => ({
    results: t.field({
      type: [PushedVersion],
      description: 'What happened to each.',
      resolve: (p) => p.results,
    }),
  }),
});

builder.mutationField('pushContractVersions', (t) =>
  t.field({
    type: PushPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Registers and publishes several versions (admins), as `canon contracts push` does. Stops at the first version that cannot be published, with its typed error (the versions before it stay published).',
    args: {
      input: t.arg({ type: PushInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: async (_r, { input }, ctx) => ({
      results: await ctx.services.contracts.push(
        ctx,
        input.versions.map((v) => ({ contract: v.contract, version: v.version, schema: v.schema })),
      ),
    }),
  }),
);
