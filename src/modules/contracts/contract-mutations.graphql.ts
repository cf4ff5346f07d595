/** The contract registry's mutations: drafts, publication and lifecycle, contract settings. */
import { VersionConflictError } from '../../errors.ts';
import { builder } from '../../graphql/builder.ts';
import { canonErrors, errorsOf } from '../../graphql/errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import type { Contract } from './contract.entity.ts';
import type { ContractVersion } from './contract-version.entity.ts';
import {
  CompatibilityModeEnum,
  ContractRef,
  ContractVersionRef,
  JsonSchemaDraftEnum,
  MajorPolicyEnum,
} from './contracts.graphql.ts';

const RegisterInput = builder.inputType('RegisterContractVersionInput', {
  description: 'A new DRAFT version of a contract (and the contract, with its first version).',
  fields: (t) => ({
    contract: t.string({
      required: true,
      description: 'kebab-case contract name; created with the first version.',
    }),
    version: t.field({ type: 'SemVer', required: true, description: 'The semantic version.' }),
    schema: t.field({
      type: 'JSON',
      required: true,
      description:
        "A JSON Schema document in any accepted draft (its $schema; without one, the contract's defaultDraft); Canon sets $schema and $id (draft-04: id).",
    }),
    changelog: t.string({ description: 'What changed, for people.' }),
    compatibility: t.field({
      type: CompatibilityModeEnum,
      description: 'For a new contract (default BACKWARD).',
    }),
    description: t.string({ description: 'For a new contract.' }),
    ownerTeam: t.string({ description: 'For a new contract.' }),
    defaultDraft: t.field({
      type: JsonSchemaDraftEnum,
      description: 'For a new contract: the draft of documents without $schema (default DRAFT_2020_12).',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const UpdateDraftInput = builder.inputType('UpdateContractDraftInput', {
  description: 'A new schema for a DRAFT version.',
  fields: (t) => ({
    contract: t.string({ required: true, description: 'The contract name.' }),
    version: t.field({ type: 'SemVer', required: true, description: 'The draft version.' }),
    schema: t.field({ type: 'JSON', required: true, description: 'The replacing JSON Schema document.' }),
    changelog: t.string({ description: 'What changed, for people.' }),
    expectedLockVersion: t.int({ description: 'Optimistic lock: the lockVersion you read.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const UpdateContractInput = builder.inputType('UpdateContractInput', {
  description: "Changes to a contract's settings; absent fields stay as they are.",
  fields: (t) => ({
    name: t.string({ required: true, description: 'The contract name.' }),
    compatibility: t.field({ type: CompatibilityModeEnum, description: 'New compatibility mode.' }),
    description: t.string({ description: 'New description (null clears it).' }),
    ownerTeam: t.string({ description: 'New owning team (null clears it).' }),
    majorPolicy: t.field({
      type: MajorPolicyEnum,
      description: 'Which major new proposals are validated against when they name none.',
    }),
    proposalMajor: t.int({
      description:
        'Under STAY: the major new proposals are validated against (one with a published version); null: the oldest published major.',
    }),
    defaultDraft: t.field({
      type: JsonSchemaDraftEnum,
      description: 'The draft of submitted documents without $schema.',
    }),
    expectedLockVersion: t.int({ description: 'Optimistic lock: the lockVersion you read.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

/** Inputs that name one version of a contract. */
const versionInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      contract: t.string({ required: true, description: 'The contract name.' }),
      version: t.field({ type: 'SemVer', required: true, description: 'The version.' }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  });
const PublishInput = builder.inputType('PublishContractVersionInput', {
  description: 'The DRAFT to publish.',
  fields: (t) => ({
    contract: t.string({ required: true, description: 'The contract name.' }),
    version: t.field({ type: 'SemVer', required: true, description: 'The version.' }),
    allowBreaking: t.boolean({
      defaultValue: false,
      description: 'Admins: let a breaking new MAJOR through the compatibility mode.',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const DeprecateInput = builder.inputType('DeprecateContractVersionInput', {
  description: 'The PUBLISHED version to deprecate.',
  fields: (t) => ({
    contract: t.string({ required: true, description: 'The contract name.' }),
    version: t.field({ type: 'SemVer', required: true, description: 'The version.' }),
    reason: t.string({ description: 'Why, for the connectors still using it.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const RetireInput = versionInput('RetireContractVersionInput', 'The DEPRECATED version to retire.');
const DeleteDraftInput = versionInput('DeleteContractDraftInput', 'The DRAFT to delete.');

const versionPayload = (name: string, description: string) =>
  builder.objectRef<ContractVersion>(name).implement({
    description,
    fields: (t) => ({
      contractVersion: t.field({ type: ContractVersionRef, description: 'The version.', resolve: (v) => v }),
    }),
  });
const DeletePayload = builder.objectRef<{ id: string }>('DeleteContractDraftPayload').implement({
  description: 'The draft deleted.',
  fields: (t) => ({
    deletedContractVersionId: t.exposeID('id', { description: 'Id of the deleted draft.' }),
  }),
});
const UpdateContractPayload = builder.objectRef<Contract>('UpdateContractPayload').implement({
  description: 'The contract as changed.',
  fields: (t) => ({
    contract: t.field({ type: ContractRef, description: 'The contract.', resolve: (c) => c }),
  }),
});

builder.mutationFields((t) => ({
  registerContractVersion: t.field({
    type: versionPayload(
      'RegisterContractVersionPayload',
      'The DRAFT registered (or the version with this content).',
    ),
    errors: { ...canonErrors, directResult: true },
    description:
      'Registers a DRAFT version (admins). Registering the same content again returns the same version.',
    args: {
      input: t.arg({ type: RegisterInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.registerVersion(ctx, {
        contract: input.contract,
        version: input.version,
        schema: input.schema,
        changelog: input.changelog ?? undefined,
        compatibility: input.compatibility ?? undefined,
        description: input.description ?? undefined,
        ownerTeam: input.ownerTeam ?? undefined,
        defaultDraft: input.defaultDraft ?? undefined,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
  updateContractDraft: t.field({
    type: versionPayload('UpdateContractDraftPayload', 'The draft as changed.'),
    errors: { ...errorsOf(VersionConflictError), directResult: true },
    description: 'Replaces the schema of a DRAFT version.',
    args: {
      input: t.arg({
        type: UpdateDraftInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.updateDraft(ctx, {
        contract: input.contract,
        version: input.version,
        schema: input.schema,
        changelog: input.changelog ?? undefined,
        expectedLockVersion: input.expectedLockVersion ?? undefined,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
  deleteContractDraft: t.field({
    type: DeletePayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Deletes a DRAFT version (admins); published versions are never deleted.',
    args: {
      input: t.arg({
        type: DeleteDraftInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: async (_r, { input }, ctx) => ({
      id: await ctx.services.contracts.deleteDraft(ctx, input.contract, input.version, input.idempotencyKey),
    }),
  }),
  publishContractVersion: t.field({
    type: versionPayload('PublishContractVersionPayload', 'The version, now PUBLISHED.'),
    errors: { ...canonErrors, directResult: true },
    description:
      "Publishes a DRAFT after checking references, the contract's compatibility mode and that the version carries the semver bump its changes need. allowBreaking (admins) lets a breaking new MAJOR through.",
    args: {
      input: t.arg({ type: PublishInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.publish(ctx, {
        contract: input.contract,
        version: input.version,
        allowBreaking: input.allowBreaking ?? false,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
  deprecateContractVersion: t.field({
    type: versionPayload('DeprecateContractVersionPayload', 'The version, now DEPRECATED.'),
    errors: { ...canonErrors, directResult: true },
    description: 'Deprecates a PUBLISHED version: it still validates, connectors are told to move on.',
    args: {
      input: t.arg({ type: DeprecateInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.deprecate(ctx, {
        contract: input.contract,
        version: input.version,
        reason: input.reason ?? undefined,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
  retireContractVersion: t.field({
    type: versionPayload('RetireContractVersionPayload', 'The version, now RETIRED.'),
    errors: { ...canonErrors, directResult: true },
    description: 'Retires a DEPRECATED version: it no longer validates new data.',
    args: {
      input: t.arg({ type: RetireInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.retire(ctx, {
        contract: input.contract,
        version: input.version,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
  updateContract: t.field({
    type: UpdateContractPayload,
    errors: { ...errorsOf(VersionConflictError), directResult: true },
    description: "Changes a contract's compatibility mode, description or owner team (admins).",
    args: {
      input: t.arg({
        type: UpdateContractInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.updateContract(ctx, {
        name: input.name,
        compatibility: input.compatibility ?? undefined,
        description: input.description,
        ownerTeam: input.ownerTeam,
        majorPolicy: input.majorPolicy ?? undefined,
        proposalMajor: input.proposalMajor,
        defaultDraft: input.defaultDraft ?? undefined,
        expectedLockVersion: input.expectedLockVersion ?? undefined,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
}));
