/**
 * Consumer-aware contract changes over GraphQL: contractImpact (who consumes a contract and what a
 * version means for them), the wait of breaking versions (acknowledge, override) and the policy.
 */
import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { enumOf, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import type { Contract } from '../contracts/contract.entity.ts';
import { ContractVersionRef } from '../contracts/contracts.graphql.ts';
import type { ContractImpact, ImpactPolicy } from './consumer.entities.ts';
import { CONSUMER_KINDS, type ConsumerImpact, type ImpactView } from './impact-analysis.ts';

const ConsumerKindEnum = enumOf('ConsumerKind', 'How a consumer uses a contract.', CONSUMER_KINDS, {
  SUBSCRIBER: 'Its system subscribes to the domain (expected to apply its changes).',
  READER: 'Its tokens read the domain (maps, feed) in the last 30 days.',
  PACKAGE: "Its tokens installed the contract's generated type package.",
});
const ImpactStateEnum = enumOf(
  'ContractImpactState',
  'Where the wait of a version for its consumers stands.',
  ['NONE', 'PENDING', 'CLEARED', 'OVERRIDDEN'] as const,
  {
    NONE: 'Nothing waits (not breaking under the policy, no active consumer, or not asked to publish yet).',
    PENDING: 'The publication waits for the owners in waitingFor.',
    CLEARED: 'Every owner acknowledged: it may be published.',
    OVERRIDDEN: 'An admin ended the wait with a reason.',
  },
);

const ChangeRef = builder.objectRef<ImpactView['changes'][number]>('ContractImpactChange').implement({
  description: 'One change of the version against its predecessor.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'The change kind (docs/contracts.md).' }),
    path: t.exposeString('path', { description: 'Where in the schema.' }),
    message: t.exposeString('message', { description: 'What changed.' }),
  }),
});

const ConsumerRef = builder.objectRef<ConsumerImpact>('ContractConsumer').implement({
  description: 'A consumer of a contract and what a version means for it.',
  fields: (t) => ({
    systemCode: t.exposeString('system', {
      nullable: true,
      description: 'Its system (null: a token of no system).',
    }),
    tokenName: t.exposeString('tokenName', {
      nullable: true,
      description: 'The token, for consumers of no system.',
    }),
    kinds: t.field({
      type: [ConsumerKindEnum],
      description: 'How it consumes the contract.',
      resolve: (c) => c.kinds,
    }),
    owner: t.exposeString('owner', {
      description: "The team that acknowledges for it (its system's team, else the default queue).",
    }),
    lastActivity: t.expose('lastActivity', {
      type: 'DateTime',
      nullable: true,
      description: 'Its last read, download or acknowledgement.',
    }),
    majors: t.exposeIntList('majors', {
      description: 'The majors of the contract it is known to use (type package downloads).',
    }),
    packageVersions: t.exposeStringList('packageVersions', {
      description: 'The package versions it downloaded.',
    }),
    reads: t.exposeInt('reads', { description: 'Ids and events it read in the last 30 days.' }),
    blocking: t.exposeBoolean('blocking', { description: 'The version waits for its owner.' }),
    acknowledged: t.exposeBoolean('acknowledged', { description: 'Its owner acknowledged the version.' }),
    acknowledgedBy: t.exposeString('acknowledgedBy', { nullable: true, description: 'Who.' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true, description: 'When.' }),
    notes: t.exposeStringList('notes', { description: 'What the change means for it.' }),
  }),
});

const PolicyRef = builder
  .objectRef<{ waitOn: string[]; waitForReaders: boolean }>('ContractImpactPolicy')
  .implement({
    description: "What makes a contract's publications wait for its consumers.",
    fields: (t) => ({
      waitOn: t.exposeStringList('waitOn', { description: 'MAJOR and change kinds (default: MAJOR).' }),
      waitForReaders: t.exposeBoolean('waitForReaders', {
        description: 'Also wait for systems that only read the domain (default: subscribers only).',
      }),
    }),
  });

export const ContractImpactRef = builder.objectRef<ImpactView>('ContractImpact').implement({
  description: 'Who consumes a contract and what a version means for them; whether its publication waits.',
  fields: (t) => ({
    contract: t.exposeString('contract', { description: 'The contract.' }),
    version: t.exposeString('version', { description: 'The version.' }),
    predecessor: t.exposeString('predecessor', {
      nullable: true,
      description: 'The live version it is compared with.',
    }),
    reasons: t.exposeStringList('reasons', {
      description: 'Why it waits (MAJOR, change kinds the policy names); empty: it does not.',
    }),
    changes: t.field({
      type: [ChangeRef],
      description: 'Its changes against the predecessor.',
      resolve: (v) => v.changes,
    }),
    consumers: t.field({ type: [ConsumerRef], description: 'Every consumer.', resolve: (v) => v.consumers }),
    state: t.field({ type: ImpactStateEnum, description: 'Where the wait stands.', resolve: (v) => v.state }),
    waitingFor: t.exposeStringList('waitingFor', {
      description: 'Systems whose owners have yet to acknowledge.',
    }),
    overrideReason: t.exposeString('overrideReason', {
      nullable: true,
      description: "The admin's reason, when overridden.",
    }),
    policy: t.field({ type: PolicyRef, description: "The contract's policy.", resolve: (v) => v.policy }),
  }),
});

builder.objectField(ContractVersionRef, 'impact', (t) =>
  t.field({
    type: ContractImpactRef,
    description: 'Its consumers and what it means for them (compute on demand: one version at a time).',
    resolve: (v, _a, ctx) => ctx.services.consumers.impact(ctx, (v.contract as Contract).name, v.version),
  }),
);

builder.queryField('contractImpact', (t) =>
  t.field({
    type: ContractImpactRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      'Before publication: which systems and packages consume the contract, their last activity and majors, and what the version’s changes mean for each; whether its publication waits.',
    args: {
      contract: t.arg.string({ required: true, description: 'The contract.' }),
      version: t.arg.string({ required: true, description: 'The version (a draft, or a published one).' }),
    },
    resolve: (_r, a, ctx) => ctx.services.consumers.impact(ctx, a.contract, a.version),
  }),
);

const impactPayload = (name: string, description: string) =>
  builder.objectRef<ContractImpact>(name).implement({
    description,
    fields: (t) => ({
      impact: t.field({
        type: ContractImpactRef,
        description: 'The wait as it stands now.',
        resolve: (i, _a, ctx) => ctx.services.consumers.impact(ctx, i.contract, i.version),
      }),
    }),
  });

const AcknowledgeImpactInput = builder.inputType('AcknowledgeContractImpactInput', {
  description: "A consumer's owner acknowledges a waiting version.",
  fields: (t) => ({
    contract: t.string({ required: true, description: 'The contract.' }),
    version: t.string({ required: true, description: 'The version waiting.' }),
    system: t.string({ required: true, description: 'The consumer acknowledged for.' }),
    note: t.string({ description: 'What the team will do (upgrade plan, nothing to do…).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const OverrideImpactInput = builder.inputType('OverrideContractImpactInput', {
  description: 'Ends the wait of a version without every acknowledgement (admins).',
  fields: (t) => ({
    contract: t.string({ required: true, description: 'The contract.' }),
    version: t.string({ required: true, description: 'The version.' }),
    reason: t.string({ required: true, description: 'Why the consumers need not acknowledge.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const SetPolicyInput = builder.inputType('SetContractImpactPolicyInput', {
  description: "What makes a contract's publications wait for its consumers.",
  fields: (t) => ({
    contract: t.string({ required: true, description: 'The contract.' }),
    waitOn: t.stringList({
      required: true,
      description: 'MAJOR and change kinds (e.g. ENUM_ARRAY_NARROWED); empty: never wait.',
    }),
    waitForReaders: t.boolean({
      description: 'Also wait for systems that only read the domain (default false).',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const SetPolicyPayload = builder.objectRef<ImpactPolicy>('SetContractImpactPolicyPayload').implement({
  description: 'The policy as set.',
  fields: (t) => ({
    contract: t.exposeString('contract', { description: 'The contract.' }),
    policy: t.field({
      type: PolicyRef,
      description: 'The policy.',
      resolve: (p) => ({ waitOn: p.waitOn, waitForReaders: p.waitForReaders }),
    }),
  }),
});

builder.mutationFields((t) => ({
  acknowledgeContractImpact: t.field({
    type: impactPayload('AcknowledgeContractImpactPayload', 'The wait after the acknowledgement.'),
    errors: { ...canonErrors, directResult: true },
    description:
      "A consumer's owner acknowledges a breaking version (its connector, a steward or an admin); when every owner has, it may be published.",
    args: {
      input: t.arg({ type: AcknowledgeImpactInput, required: true, description: 'The acknowledgement.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.consumers.gate.acknowledge(
        ctx,
        { contract: input.contract, version: input.version, system: input.system, note: input.note ?? null },
        input.idempotencyKey,
      ),
  }),
  overrideContractImpact: t.field({
    type: impactPayload('OverrideContractImpactPayload', 'The wait, overridden.'),
    errors: { ...canonErrors, directResult: true },
    description: 'Ends the wait of a breaking version with a reason (admins; audited).',
    args: { input: t.arg({ type: OverrideImpactInput, required: true, description: 'The override.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.consumers.gate.override(
        ctx,
        { contract: input.contract, version: input.version, reason: input.reason },
        input.idempotencyKey,
      ),
  }),
  setContractImpactPolicy: t.field({
    type: SetPolicyPayload,
    errors: { ...canonErrors, directResult: true },
    description: "Sets what makes a contract's publications wait for its consumers (admins).",
    args: { input: t.arg({ type: SetPolicyInput, required: true, description: 'The policy.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.consumers.gate.setPolicy(
        ctx,
        { contract: input.contract, waitOn: input.waitOn, waitForReaders: input.waitForReaders ?? null },
        input.idempotencyKey,
      ),
  }),
}));
