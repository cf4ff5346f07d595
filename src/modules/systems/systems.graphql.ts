import { VersionConflictError } from '../../errors.ts';
import { builder } from '../../graphql/builder.ts';
import { connectionOfSorted, inOrder, totalCountField } from '../../graphql/cursors.ts';
import { canonErrors, errorsOf } from '../../graphql/errors.ts';
import { connectionNames, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { SorRule } from './sor-rule.entity.ts';
import { SYSTEM_KINDS, type System } from './system.entity.ts';

const SystemKindEnum = builder.enumType('SystemKind', {
  description: 'What kind of system it is.',
  values: SYSTEM_KINDS,
});

export const SystemRef = builder.objectRef<System>('System');

const SorRuleRef = builder.node(SorRule, {
  name: 'SystemOfRecordRule',
  id: { resolve: (r) => r.id },
  loadMany: async (ids: string[], ctx) =>
    inOrder(ids, await ctx.services.systems.rulesByIds(ctx, ids), (r) => r.id),
  description:
    'A system owns records of a domain (on a site, or everywhere), the whole record or only the fields named.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The rule id.' }),
    domain: t.exposeString('domain', { description: 'The domain (contract name) it covers.' }),
    systemCode: t.exposeString('systemCode', { description: 'Code of the owning system.' }),
    system: t.loadable({
      type: SystemRef,
      description: 'The owning system.',
      load: (codes: string[], ctx) => ctx.services.systems.byCodes(codes),
      resolve: (r) => r.systemCode,
    }),
    site: t.exposeString('site', { nullable: true, description: 'Null: every site.' }),
    fields: t.stringList({
      nullable: true,
      description: 'JSON pointers of the owned fields; null: the whole record.',
      resolve: (r) => r.fields ?? null,
    }),
    requiredApprovals: t.exposeInt('requiredApprovals', {
      description: "Steward approvals the system's proposals need (0 = applied at once).",
    }),
    team: t.exposeString('team', {
      nullable: true,
      description: "The team that owns this data (exceptions go to them); null: the system's team.",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was assigned.' }),
  }),
});

builder.node(SystemRef, {
  description: 'A system of the landscape.',
  id: { resolve: (s) => s.code },
  loadMany: (codes: string[], ctx) =>
    ctx.services.systems.byCodes(codes, ctx).then((r) => r.map((s) => (s instanceof Error ? null : s))),
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Unique code (odoo-main, mes-plant1, wms-eu, plm).' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    kind: t.field({ type: SystemKindEnum, description: 'ERP, MES, WMS, …', resolve: (s) => s.kind }),
    sites: t.exposeStringList('sites', { description: 'Sites it serves (empty: all).' }),
    active: t.exposeBoolean('active', { description: 'false: its connectors can no longer propose.' }),
    team: t.exposeString('team', {
      nullable: true,
      description: 'The team that answers for its integration failures when a rule names none.',
    }),
    lockVersion: t.exposeInt('lockVersion', {
      description: 'Send it back as expectedLockVersion to update safely.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    systemOfRecordRules: t.field({
      description: 'What it owns.',
      type: [SorRuleRef],
      resolve: (s, _a, ctx) => ctx.services.systems.rules(ctx, { system: s.code }),
    }),
  }),
});

builder.queryFields((t) => ({
  systems: t.connection(
    {
      type: SystemRef,
      authScopes: { authenticated: true },
      description: 'The systems of the landscape, by code.',
      resolve: async (_r, args, ctx) =>
        connectionOfSorted(await ctx.services.systems.list(ctx), args, 'system', (s) => s.code),
    },
    { ...connectionNames('System', 'systems')[0], fields: totalCountField },
    connectionNames('System', 'systems')[1],
  ),
  system: t.field({
    type: SystemRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'A system by code; null when unknown.',
    args: { code: t.arg.string({ required: true, description: 'The system code.' }) },
    resolve: (_r, a, ctx) => ctx.services.systems.get(ctx, a.code),
  }),
  systemOfRecordRules: t.connection(
    {
      type: SorRuleRef,
      authScopes: { authenticated: true },
      description: 'Who owns what: the rules by domain, system and age.',
      args: {
        domain: t.arg.string({ description: 'Only this domain.' }),
        system: t.arg.string({ description: 'Only this system.' }),
      },
      resolve: async (_r, a, ctx) =>
        connectionOfSorted(
          await ctx.services.systems.rules(ctx, {
            domain: a.domain ?? undefined,
            system: a.system ?? undefined,
          }),
          a,
          'sor-rule',
          (r) => `${r.domain}\u0000${r.systemCode}\u0000${r.id}`,
        ),
    },
    { ...connectionNames('SystemOfRecordRule', 'system-of-record rules')[0], fields: totalCountField },
    connectionNames('SystemOfRecordRule', 'system-of-record rules')[1],
  ),
}));

const RegisterSystemInput = builder.inputType('RegisterSystemInput', {
  description: 'A system to register.',
  fields: (t) => ({
    code: t.string({ required: true, description: 'e.g. odoo-main, mes-plant1, wms-eu, plm' }),
    name: t.string({ required: true, description: 'Display name.' }),
    kind: t.field({ type: SystemKindEnum, required: true, description: 'What kind of system.' }),
    sites: t.stringList({ description: 'Sites the system serves.' }),
    team: t.string({ description: "The team that answers for the system's integration failures." }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const UpdateSystemInput = builder.inputType('UpdateSystemInput', {
  description: 'Changes to a system; absent fields stay as they are.',
  fields: (t) => ({
    code: t.string({ required: true, description: 'The system to change.' }),
    name: t.string({ description: 'New display name.' }),
    sites: t.stringList({ description: 'New list of sites.' }),
    active: t.boolean({ description: 'false deactivates the system: its connectors can no longer propose.' }),
    team: t.string({ description: 'New owning team (an empty string clears it).' }),
    expectedLockVersion: t.int({
      description: 'The lockVersion you read; another one is a VersionConflictError.',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const AssignInput = builder.inputType('AssignSystemOfRecordInput', {
  description: 'What a system is to own.',
  fields: (t) => ({
    domain: t.string({ required: true, description: 'The domain (contract name).' }),
    system: t.string({ required: true, description: 'Code of the owning system.' }),
    site: t.string({ description: 'Only records of this site; absent: every site.' }),
    fields: t.stringList({
      description: 'JSON pointers of the fields the system owns (e.g. /capacity); absent: the whole record.',
    }),
    requiredApprovals: t.int({
      description: "Steward approvals the system's proposals need (default 0: applied at once).",
    }),
    team: t.string({
      description:
        "The team that owns this data: exceptions about it go to them (default: the system's team).",
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const RemoveInput = builder.inputType('RemoveSystemOfRecordInput', {
  description: 'The rule to remove.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The rule id.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const systemPayload = (name: string, description: string) =>
  builder.objectRef<System>(name).implement({
    description,
    fields: (t) => ({ system: t.field({ type: SystemRef, description: 'The system.', resolve: (s) => s }) }),
  });
const RegisterSystemPayload = systemPayload('RegisterSystemPayload', 'The system registered.');
const UpdateSystemPayload = systemPayload('UpdateSystemPayload', 'The system as changed.');
const AssignPayload = builder.objectRef<SorRule>('AssignSystemOfRecordPayload').implement({
  description: 'The rule now in force.',
  fields: (t) => ({
    systemOfRecordRule: t.field({ type: SorRuleRef, description: 'The new rule.', resolve: (r) => r }),
  }),
});
const RemovePayload = builder.objectRef<{ id: string }>('RemoveSystemOfRecordPayload').implement({
  description: 'The rule removed.',
  fields: (t) => ({ removedRuleId: t.exposeID('id', { description: 'Id of the removed rule.' }) }),
});

builder.mutationFields((t) => ({
  registerSystem: t.field({
    type: RegisterSystemPayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Registers a system (admins). Registering the same details again is harmless.',
    args: {
      input: t.arg({
        type: RegisterSystemInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.systems.register(
        ctx,
        {
          code: input.code,
          name: input.name,
          kind: input.kind,
          sites: input.sites ?? [],
          team: input.team ?? null,
        },
        input.idempotencyKey,
      ),
  }),
  updateSystem: t.field({
    type: UpdateSystemPayload,
    errors: { ...errorsOf(VersionConflictError), directResult: true },
    description: "Changes a system's name, sites or active flag (admins).",
    args: {
      input: t.arg({
        type: UpdateSystemInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.systems.update(
        ctx,
        {
          code: input.code,
          name: input.name ?? undefined,
          sites: input.sites ?? undefined,
          active: input.active ?? undefined,
          team: input.team ?? undefined,
          expectedLockVersion: input.expectedLockVersion ?? undefined,
        },
        input.idempotencyKey,
      ),
  }),
  assignSystemOfRecord: t.field({
    type: AssignPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Makes a system the system of record of a domain, a site of it, or some of its fields (admins). Overlapping rules are refused.',
    args: {
      input: t.arg({ type: AssignInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.systems.assign(
        ctx,
        {
          domain: input.domain,
          system: input.system,
          site: input.site ?? null,
          fields: input.fields ?? null,
          requiredApprovals: input.requiredApprovals ?? undefined,
          team: input.team ?? null,
        },
        input.idempotencyKey,
      ),
  }),
  removeSystemOfRecord: t.field({
    type: RemovePayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Removes a system-of-record rule (admins); its system stops owning what it covered at once.',
    args: {
      input: t.arg({ type: RemoveInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: async (_r, { input }, ctx) => ({
      id: await ctx.services.systems.remove(ctx, String(input.id), input.idempotencyKey),
    }),
  }),
}));
