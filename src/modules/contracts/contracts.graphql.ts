import { DEFAULT_DRAFT, draftOf } from '../../../codegen/drafts.ts';
import { builder } from '../../graphql/builder.ts';
import { connectionOfSorted, inOrder, totalCountField } from '../../graphql/cursors.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { connectionNames } from '../../graphql/naming.ts';
import { can } from '../auth/ability.ts';
import { ALL_CHANGE_KINDS } from './compatibility/change-kinds.ts';
import {
  COMPATIBILITY_MODES,
  type SchemaChange,
  type SchemaComparison,
} from './compatibility/compatibility.ts';
import { type Contract, MAJOR_POLICIES } from './contract.entity.ts';
import { contractUri } from './contract-ids.ts';
import { ContractVersion, VERSION_STATUSES } from './contract-version.entity.ts';
import type { CompatibilityReport } from './contracts.shared.ts';

export const CompatibilityModeEnum = builder.enumType('CompatibilityMode', {
  description:
    'As in Confluent Schema Registry. BACKWARD: data valid under the previous version stays valid; FORWARD: the reverse; FULL: both; *_TRANSITIVE: against every earlier live version.',
  values: COMPATIBILITY_MODES,
});
export const MajorPolicyEnum = builder.enumType('MajorPolicy', {
  description:
    'Which major line new proposals are validated against when they name none. STAY: the proposal major (set by a steward; until then the oldest major with a published version), so publishing a new major changes nothing for writers until they are moved; FOLLOW_LATEST: the newest published major.',
  values: MAJOR_POLICIES,
});
export const JsonSchemaDraftEnum = builder.enumType('JsonSchemaDraft', {
  description:
    'The JSON Schema drafts Canon accepts, recognised by $schema: each is validated with its own ajv class and compared in its own vocabulary.',
  values: {
    DRAFT_04: { value: 'draft-04', description: 'http://json-schema.org/draft-04/schema#' },
    DRAFT_06: { value: 'draft-06', description: 'http://json-schema.org/draft-06/schema#' },
    DRAFT_07: { value: 'draft-07', description: 'http://json-schema.org/draft-07/schema#' },
    DRAFT_2019_09: { value: '2019-09', description: 'https://json-schema.org/draft/2019-09/schema' },
    DRAFT_2020_12: { value: '2020-12', description: 'https://json-schema.org/draft/2020-12/schema' },
  } as const,
});
const VersionStatusEnum = builder.enumType('ContractVersionStatus', {
  description: 'DRAFT → PUBLISHED → DEPRECATED → RETIRED.',
  values: VERSION_STATUSES,
});
const SemverBumpEnum = builder.enumType('SemverBump', {
  description: 'The semver bump a change needs: MAJOR breaks, MINOR adds, PATCH only annotates.',
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
    kind: t.field({ type: ChangeKindEnum, description: 'What kind of change.', resolve: (c) => c.kind }),
    path: t.exposeString('path', { description: 'JSON pointer into the schema, e.g. #/properties/uom.' }),
    message: t.exposeString('message', { description: 'The change, as a sentence.' }),
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
  requiredBump: t.field({
    type: SemverBumpEnum,
    description: 'The semver bump the change needs.',
    resolve: (c: SchemaComparison) => c.requiredBump,
  }),
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
    contract: t.exposeString('contract', { description: 'The contract name.' }),
    mode: t.field({
      type: CompatibilityModeEnum,
      description: 'Its compatibility mode.',
      resolve: (r) => r.mode,
    }),
    compatible: t.exposeBoolean('compatible', {
      description: 'True when the mode allows publishing the schema.',
    }),
    comparedWith: t.exposeStringList('comparedWith', { description: 'The versions it was checked against.' }),
    violations: t.field({
      type: [SchemaChangeRef],
      description: 'The changes the mode does not allow.',
      resolve: (r) => r.violations,
    }),
    suggestedVersion: t.field({
      type: 'SemVer',
      nullable: true,
      description: 'The lowest version number the schema may be published as.',
      resolve: (r) => r.suggestedVersion,
    }),
  }),
});

export const ContractRef = builder.objectRef<Contract>('Contract');

export const ContractVersionRef = builder.node(ContractVersion, {
  name: 'ContractVersion',
  id: { resolve: (v) => v.id },
  loadMany: async (ids: string[], ctx) =>
    inOrder(ids, await ctx.services.contracts.versionsByIds(ctx, ids), (v) => v.id),
  description: 'One version of a contract: a JSON Schema 2020-12 document, immutable once published.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The version id.' }),
    contractName: t.string({
      description: 'Name of its contract.',
      resolve: (v) => (v.contract as Contract).name,
    }),
    contract: t.field({
      type: ContractRef,
      description: 'Its contract.',
      resolve: (v) => v.contract as Contract,
    }),
    version: t.expose('version', { type: 'SemVer', description: 'The semantic version.' }),
    uri: t.string({
      description: 'The $id other contracts use to $ref this version.',
      resolve: (v) => contractUri((v.contract as Contract).name, v.version),
    }),
    status: t.field({
      type: VersionStatusEnum,
      description: 'Where it is in its life.',
      resolve: (v) => v.status,
    }),
    schema: t.field({ type: 'JSON', description: 'The JSON Schema document.', resolve: (v) => v.schema }),
    registryId: t.int({
      nullable: true,
      description:
        "The registry-wide integer id, given at publication (the Confluent-compatible API's global schema id); null for drafts.",
      resolve: (v) => v.registryId ?? null,
    }),
    registryVersion: t.int({
      nullable: true,
      description:
        "The version's place in its contract's publication order (the Confluent-compatible API's version number); null for drafts.",
      resolve: (v) => v.registrySequence ?? null,
    }),
    draft: t.field({
      type: JsonSchemaDraftEnum,
      description: 'The JSON Schema draft the document is written in (its $schema).',
      resolve: (v) => draftOf(v.schema) ?? DEFAULT_DRAFT,
    }),
    fingerprint: t.exposeString('fingerprint', {
      description: 'SHA-256 of the canonical schema without $id.',
    }),
    changelog: t.exposeString('changelog', { nullable: true, description: 'What changed, for people.' }),
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
    lockVersion: t.exposeInt('lockVersion', {
      description: 'Send it back as expectedLockVersion to edit a draft safely.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    publishedAt: t.expose('publishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was published.',
    }),
    deprecatedAt: t.expose('deprecatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was deprecated.',
    }),
    deprecationReason: t.exposeString('deprecationReason', {
      nullable: true,
      description: 'Why it was deprecated.',
    }),
    retiredAt: t.expose('retiredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was retired.',
    }),
  }),
});

builder.node(ContractRef, {
  id: { resolve: (c) => c.id },
  loadMany: async (ids: string[], ctx) =>
    inOrder(ids, await ctx.services.contracts.contractsByIds(ctx, ids), (c) => c.id),
  description: "A master-data domain's contract.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The contract id.' }),
    name: t.exposeString('name', { description: 'kebab-case name: the domain.' }),
    compatibility: t.field({
      type: CompatibilityModeEnum,
      description: 'What a new version must keep compatible.',
      resolve: (c) => c.compatibility,
    }),
    description: t.exposeString('description', { nullable: true, description: 'What the domain is.' }),
    ownerTeam: t.exposeString('ownerTeam', { nullable: true, description: 'The team that owns it.' }),
    builtIn: t.exposeBoolean('builtIn', { description: 'One of the five built-in domains.' }),
    majorPolicy: t.field({
      type: MajorPolicyEnum,
      description: 'Which major new proposals are validated against when they name none.',
      resolve: (c) => c.majorPolicy,
    }),
    defaultDraft: t.field({
      type: JsonSchemaDraftEnum,
      description: 'The draft of a submitted document that has no $schema.',
      resolve: (c) => c.defaultDraft,
    }),
    proposalMajor: t.int({
      nullable: true,
      description:
        'The major new proposals are validated against now (the contractMajor of proposeChange overrides it); null while nothing is published.',
      resolve: async (c, _a, ctx) =>
        (await ctx.services.contracts.effectiveProposalMajor(ctx, c.name)) ?? null,
    }),
    lockVersion: t.exposeInt('lockVersion', {
      description: 'Send it back as expectedLockVersion to update safely.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its settings last changed.' }),
    versions: t.connection(
      {
        type: ContractVersionRef,
        description: 'Versions you may see, newest first (drafts are shown to admins and stewards).',
        resolve: async (c, args, ctx) => {
          const [versions] = await ctx.services.contracts.versionsOf(ctx, [c.id]);
          return connectionOfSorted(
            versions,
            args,
            'contract-version',
            (v) => versionSortKey(v.version),
            true,
          );
        },
      },
      { ...connectionNames('ContractVersion', 'versions of a contract')[0], fields: totalCountField },
      connectionNames('ContractVersion', 'versions of a contract')[1],
    ),
    latestVersion: t.loadable({
      type: ContractVersionRef,
      nullable: true,
      description: 'The newest published version (optionally within one major line).',
      args: { major: t.arg.int({ description: 'Only within this major line.' }) },
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
      description: 'One version by number; null when unknown or not visible to you.',
      args: { version: t.arg({ type: 'SemVer', required: true, description: 'The version number.' }) },
      resolve: (c, a, ctx) => ctx.services.contracts.getVersion(ctx, c.name, a.version),
    }),
    viewerCanPublish: t.boolean({
      description: 'May you publish versions of it?',
      resolve: (_c, _a, ctx) => can(ctx.ability, 'publish', 'ContractVersion'),
    }),
  }),
});

builder.queryFields((t) => ({
  contracts: t.connection(
    {
      type: ContractRef,
      authScopes: { authenticated: true },
      description: 'All contracts, by name.',
      resolve: async (_r, args, ctx) =>
        connectionOfSorted(await ctx.services.contracts.listContracts(ctx), args, 'contract', (c) => c.name),
    },
    { ...connectionNames('Contract', 'contracts')[0], fields: totalCountField },
    connectionNames('Contract', 'contracts')[1],
  ),
  contract: t.field({
    type: ContractRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'A contract by name; null when unknown.',
    args: { name: t.arg.string({ required: true, description: 'The contract name.' }) },
    resolve: (_r, { name }, ctx) => ctx.services.contracts.getContract(ctx, name),
  }),
  checkCompatibility: t.field({
    type: CompatibilityReportRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      "Would `schema` be accepted as the contract's next version (or as `version`)? Lists every change and why.",
    args: {
      contract: t.arg.string({ required: true, description: 'The contract name.' }),
      schema: t.arg({ type: 'JSON', required: true, description: 'The candidate JSON Schema document.' }),
      version: t.arg({
        type: 'SemVer',
        description: 'The version it would get (default: the next one needed).',
      }),
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
    args: {
      from: t.arg({ type: 'JSON', required: true, description: 'The earlier schema.' }),
      to: t.arg({ type: 'JSON', required: true, description: 'The later schema.' }),
      draft: t.arg({
        type: JsonSchemaDraftEnum,
        description:
          'The draft of a document without $schema (default: 2020-12, or draft-07 when only draft-07 accepts it).',
      }),
    },
    resolve: (_r, a, ctx) => ctx.services.contracts.schemaDiff(ctx, a.from, a.to, a.draft ?? undefined),
  }),
}));

/** Sorts semver strings as text: each part zero-padded (versions never exceed 9 digits a part here). */
function versionSortKey(version: string): string {
  return version
    .split('.')
    .map((n) => n.padStart(9, '0'))
    .join('.');
}
