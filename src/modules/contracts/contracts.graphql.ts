import { resolveArrayConnection } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { can } from '../auth/ability.ts';
import { ALL_CHANGE_KINDS } from './compatibility/change-kinds.ts';
import {
  COMPATIBILITY_MODES,
  type SchemaChange,
  type SchemaComparison,
} from './compatibility/compatibility.ts';
import { Contract } from './contract.entity.ts';
import { contractUri } from './contract-ids.ts';
import { ContractVersion, VERSION_STATUSES } from './contract-version.entity.ts';
import type { CompatibilityReport } from './contracts.service.ts';

export const CompatibilityModeEnum = builder.enumType('CompatibilityMode', {
  description:
    'As in Confluent Schema Registry. BACKWARD: data valid under the previous version stays valid; FORWARD: the reverse; FULL: both; *_TRANSITIVE: against every earlier live version.',
  values: COMPATIBILITY_MODES,
});
const VersionStatusEnum = builder.enumType('ContractVersionStatus', { values: VERSION_STATUSES });
const SemverBumpEnum = builder.enumType('SemverBump', {
  values: ['NONE', 'PATCH', 'MINOR', 'MAJOR'] as const,
});
const ChangeKindEnum = builder.enumType('SchemaChangeKind', {
  description:
    'Kinds of schema change, named as Confluent Schema Registry names them where it has a name (docs/contracts.md).',
  values: ALL_CHANGE_KINDS,
});

const SchemaChangeRef = builder.objectRef<SchemaChange>('SchemaChange').implement({
  description: 'One change between two schemas.',
  fields: (t) => ({
    kind: t.field({ type: ChangeKindEnum, resolve: (c) => c.kind }),
    path: t.exposeString('path', { description: 'JSON pointer into the schema, e.g. #/properties/uom.' }),
    message: t.exposeString('message'),
    compatible: t.exposeBoolean('compatible', {
      description: 'Whether data valid before stays valid after this change.',
    }),
  }),
});

const comparisonFields = (t: any) => ({
  backwardCompatible: t.exposeBoolean('backwardCompatible', {
    description: 'Data valid under `from` is valid under `to`.',
  }),
  forwardCompatible: t.exposeBoolean('forwardCompatible', {
    description: 'Data valid under `to` is valid under `from`.',
  }),
  requiredBump: t.field({ type: SemverBumpEnum, resolve: (c: SchemaComparison) => c.requiredBump }),
  changes: t.field({
    type: [SchemaChangeRef],
    description: 'Changes from → to.',
    resolve: (c: SchemaComparison) => c.changes,
  }),
  forwardChanges: t.field({
    type: [SchemaChangeRef],
    description: 'Changes to → from, which decide forward compatibility.',
    resolve: (c: SchemaComparison) => c.forwardChanges,
  }),
});

const SchemaDiffRef = builder.objectRef<SchemaComparison>('SchemaDiff').implement({
  description: 'The comparison of two JSON Schema documents, with the semver bump the change needs.',
  fields: (t) => comparisonFields(t),
});

const CompatibilityReportRef = builder.objectRef<CompatibilityReport>('CompatibilityReport').implement({
  description:
    "Whether a schema may become the contract's next version under its compatibility mode, and why.",
  fields: (t) => ({
    ...comparisonFields(t),
    contract: t.exposeString('contract'),
    mode: t.field({ type: CompatibilityModeEnum, resolve: (r) => r.mode }),
    compatible: t.exposeBoolean('compatible', {
      description: 'True when the mode allows publishing the schema.',
    }),
    comparedWith: t.exposeStringList('comparedWith'),
    violations: t.field({ type: [SchemaChangeRef], resolve: (r) => r.violations }),
    suggestedVersion: t.field({ type: 'SemVer', nullable: true, resolve: (r) => r.suggestedVersion }),
  }),
});

export const ContractVersionRef = builder.objectType(ContractVersion, {
  name: 'ContractVersion',
  description: 'One version of a contract: a JSON Schema 2020-12 document, immutable once published.',
  fields: (t) => ({
    id: t.exposeID('id'),
    contract: t.string({ resolve: (v) => (v.contract as Contract).name }),
    version: t.expose('version', { type: 'SemVer' }),
    uri: t.string({
      description: 'The $id other contracts use to $ref this version.',
      resolve: (v) => contractUri((v.contract as Contract).name, v.version),
    }),
    status: t.field({ type: VersionStatusEnum, resolve: (v) => v.status }),
    schema: t.field({ type: 'JSON', resolve: (v) => v.schema }),
    fingerprint: t.exposeString('fingerprint', {
      description: 'SHA-256 of the canonical schema without $id.',
    }),
    changelog: t.exposeString('changelog', { nullable: true }),
    requiredBump: t.field({
      type: SemverBumpEnum,
      nullable: true,
      description: 'The bump its changes needed over the previous version (set at publication).',
      resolve: (v) => (v.requiredBump as 'NONE' | 'PATCH' | 'MINOR' | 'MAJOR' | null) ?? null,
    }),
    changes: t.field({
      type: [SchemaChangeRef],
      nullable: true,
      description: 'Changes from the previous version (set at publication).',
      resolve: (v) => (v.changes as SchemaChange[] | null) ?? null,
    }),
    lockVersion: t.exposeInt('lockVersion'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true }),
    deprecatedAt: t.expose('deprecatedAt', { type: 'DateTime', nullable: true }),
    deprecationReason: t.exposeString('deprecationReason', { nullable: true }),
    retiredAt: t.expose('retiredAt', { type: 'DateTime', nullable: true }),
  }),
});

export const ContractRef = builder.objectType(Contract, {
  name: 'Contract',
  description: "A master-data domain's contract.",
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    compatibility: t.field({ type: CompatibilityModeEnum, resolve: (c) => c.compatibility }),
    description: t.exposeString('description', { nullable: true }),
    ownerTeam: t.exposeString('ownerTeam', { nullable: true }),
    builtIn: t.exposeBoolean('builtIn'),
    lockVersion: t.exposeInt('lockVersion'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    versions: t.loadableList({
      type: ContractVersionRef,
      description: 'Versions you may see, newest first (drafts are shown to admins and stewards).',
      load: (ids: string[], ctx) => ctx.services.contracts.versionsOf(ctx, ids),
      resolve: (c) => c.id,
    }),
    latestVersion: t.loadable({
      type: ContractVersionRef,
      nullable: true,
      description: 'The newest published version (optionally within one major line).',
      args: { major: t.arg.int() },
      load: (keys: string[], ctx) =>
        ctx.services.contracts.latestPublishedOf(
          ctx,
          keys.map((key) => {
            const [contractId, major] = key.split('|');
            return { contractId, major: major === '' ? undefined : Number(major) };
          }),
        ),
      resolve: (c, a) => `${c.id}|${a.major ?? ''}`,
    }),
    version: t.field({
      type: ContractVersionRef,
      nullable: true,
      args: { version: t.arg({ type: 'SemVer', required: true }) },
      resolve: (c, a, ctx) => ctx.services.contracts.getVersion(ctx, c.name, a.version),
    }),
    viewerCanPublish: t.boolean({ resolve: (_c, _a, ctx) => can(ctx.ability, 'publish', 'ContractVersion') }),
  }),
});

builder.queryFields((t) => ({
  contracts: t.connection({
    type: ContractRef,
    authScopes: { authenticated: true },
    description: 'All contracts, by name.',
    resolve: async (_r, args, ctx) =>
      resolveArrayConnection({ args }, await ctx.services.contracts.listContracts(ctx)),
  }),
  contract: t.field({
    type: ContractRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, { name }, ctx) => ctx.services.contracts.getContract(ctx, name),
  }),
  checkCompatibility: t.field({
    type: CompatibilityReportRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      "Would `schema` be accepted as the contract's next version (or as `version`)? Lists every change and why.",
    args: {
      contract: t.arg.string({ required: true }),
      schema: t.arg({ type: 'JSON', required: true }),
      version: t.arg({ type: 'SemVer' }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.contracts.checkCompatibility(ctx, a.contract, a.schema, a.version ?? undefined),
  }),
  schemaDiff: t.field({
    type: SchemaDiffRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      'Compares two JSON Schema documents: every change with kind, JSON pointer and sentence; compatibility both ways; the semver bump needed.',
    args: { from: t.arg({ type: 'JSON', required: true }), to: t.arg({ type: 'JSON', required: true }) },
    resolve: (_r, a, ctx) => ctx.services.contracts.schemaDiff(ctx, a.from, a.to),
  }),
}));

const RegisterInput = builder.inputType('RegisterContractVersionInput', {
  fields: (t) => ({
    contract: t.string({
      required: true,
      description: 'kebab-case contract name; created with the first version.',
    }),
    version: t.field({ type: 'SemVer', required: true }),
    schema: t.field({
      type: 'JSON',
      required: true,
      description: 'A JSON Schema 2020-12 document; Canon sets $schema and $id.',
    }),
    changelog: t.string(),
    compatibility: t.field({
      type: CompatibilityModeEnum,
      description: 'For a new contract (default BACKWARD).',
    }),
    description: t.string({ description: 'For a new contract.' }),
    ownerTeam: t.string({ description: 'For a new contract.' }),
  }),
});

const UpdateDraftInput = builder.inputType('UpdateContractDraftInput', {
  fields: (t) => ({
    contract: t.string({ required: true }),
    version: t.field({ type: 'SemVer', required: true }),
    schema: t.field({ type: 'JSON', required: true }),
    changelog: t.string(),
    expectedLockVersion: t.int({ description: 'Optimistic lock: the lockVersion you read.' }),
  }),
});

const UpdateContractInput = builder.inputType('UpdateContractInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    compatibility: t.field({ type: CompatibilityModeEnum }),
    description: t.string(),
    ownerTeam: t.string(),
    expectedLockVersion: t.int(),
  }),
});

const DeletedDraft = builder.objectRef<{ id: string }>('DeletedContractDraft').implement({
  fields: (t) => ({ id: t.exposeID('id') }),
});

builder.mutationFields((t) => ({
  registerContractVersion: t.field({
    type: ContractVersionRef,
    errors: { ...canonErrors, directResult: true },
    description:
      'Registers a DRAFT version (admins). Registering the same content again returns the same version.',
    args: { input: t.arg({ type: RegisterInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.registerVersion(ctx, {
        contract: input.contract,
        version: input.version,
        schema: input.schema,
        changelog: input.changelog ?? undefined,
        compatibility: input.compatibility ?? undefined,
        description: input.description ?? undefined,
        ownerTeam: input.ownerTeam ?? undefined,
      }),
  }),
  updateContractDraft: t.field({
    type: ContractVersionRef,
    errors: { ...canonErrors, directResult: true },
    description: 'Replaces the schema of a DRAFT version.',
    args: { input: t.arg({ type: UpdateDraftInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.updateDraft(ctx, {
        contract: input.contract,
        version: input.version,
        schema: input.schema,
        changelog: input.changelog ?? undefined,
        expectedLockVersion: input.expectedLockVersion ?? undefined,
      }),
  }),
  deleteContractDraft: t.field({
    type: DeletedDraft,
    errors: { ...canonErrors, directResult: true },
    args: { contract: t.arg.string({ required: true }), version: t.arg({ type: 'SemVer', required: true }) },
    resolve: async (_r, a, ctx) => ({
      id: await ctx.services.contracts.deleteDraft(ctx, a.contract, a.version),
    }),
  }),
  publishContractVersion: t.field({
    type: ContractVersionRef,
    errors: { ...canonErrors, directResult: true },
    description:
      "Publishes a DRAFT after checking references, the contract's compatibility mode and that the version carries the semver bump its changes need. allowBreaking (admins) lets a breaking new MAJOR through.",
    args: {
      contract: t.arg.string({ required: true }),
      version: t.arg({ type: 'SemVer', required: true }),
      allowBreaking: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.contracts.publish(ctx, {
        contract: a.contract,
        version: a.version,
        allowBreaking: a.allowBreaking ?? false,
      }),
  }),
  deprecateContractVersion: t.field({
    type: ContractVersionRef,
    errors: { ...canonErrors, directResult: true },
    args: {
      contract: t.arg.string({ required: true }),
      version: t.arg({ type: 'SemVer', required: true }),
      reason: t.arg.string(),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.contracts.deprecate(ctx, {
        contract: a.contract,
        version: a.version,
        reason: a.reason ?? undefined,
      }),
  }),
  retireContractVersion: t.field({
    type: ContractVersionRef,
    errors: { ...canonErrors, directResult: true },
    description: 'Retires a DEPRECATED version: it no longer validates new data.',
    args: { contract: t.arg.string({ required: true }), version: t.arg({ type: 'SemVer', required: true }) },
    resolve: (_r, a, ctx) => ctx.services.contracts.retire(ctx, { contract: a.contract, version: a.version }),
  }),
  updateContract: t.field({
    type: ContractRef,
    errors: { ...canonErrors, directResult: true },
    description: "Changes a contract's compatibility mode, description or owner team (admins).",
    args: { input: t.arg({ type: UpdateContractInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.contracts.updateContract(ctx, {
        name: input.name,
        compatibility: input.compatibility ?? undefined,
        description: input.description,
        ownerTeam: input.ownerTeam,
        expectedLockVersion: input.expectedLockVersion ?? undefined,
      }),
  }),
}));
