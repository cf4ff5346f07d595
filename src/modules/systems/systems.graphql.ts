import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { SorRule } from './sor-rule.entity.ts';
import { SYSTEM_KINDS, System } from './system.entity.ts';

const SystemKindEnum = builder.enumType('SystemKind', { values: SYSTEM_KINDS });

const SorRuleRef = builder.objectType(SorRule, {
  name: 'SystemOfRecordRule',
  description:
    'A system owns records of a domain (on a site, or everywhere), the whole record or only the fields named.',
  fields: (t) => ({
    id: t.exposeID('id'),
    domain: t.exposeString('domain'),
    system: t.exposeString('systemCode'),
    site: t.exposeString('site', { nullable: true, description: 'Null: every site.' }),
    fields: t.stringList({
      nullable: true,
      description: 'JSON pointers of the owned fields; null: the whole record.',
      resolve: (r) => r.fields ?? null,
    }),
    requiredApprovals: t.exposeInt('requiredApprovals', {
      description: "Steward approvals the system's proposals need (0 = applied at once).",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const SystemRef = builder.objectType(System, {
  name: 'System',
  description: 'A system of the landscape.',
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    kind: t.field({ type: SystemKindEnum, resolve: (s) => s.kind }),
    sites: t.exposeStringList('sites'),
    active: t.exposeBoolean('active'),
    lockVersion: t.exposeInt('lockVersion'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    systemOfRecordRules: t.field({
      type: [SorRuleRef],
      resolve: (s, _a, ctx) => ctx.services.systems.rules(ctx, { system: s.code }),
    }),
  }),
});

builder.queryFields((t) => ({
  systems: t.field({
    type: [SystemRef],
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) => ctx.services.systems.list(ctx),
  }),
  system: t.field({
    type: SystemRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { code: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.systems.get(ctx, a.code),
  }),
  systemOfRecordRules: t.field({
    type: [SorRuleRef],
    authScopes: { authenticated: true },
    args: { domain: t.arg.string(), system: t.arg.string() },
    resolve: (_r, a, ctx) =>
      ctx.services.systems.rules(ctx, { domain: a.domain ?? undefined, system: a.system ?? undefined }),
  }),
}));

const RegisterSystemInput = builder.inputType('RegisterSystemInput', {
  fields: (t) => ({
    code: t.string({ required: true, description: 'e.g. odoo-main, mes-plant1, wms-eu, plm' }),
    name: t.string({ required: true }),
    kind: t.field({ type: SystemKindEnum, required: true }),
    sites: t.stringList({ description: 'Sites the system serves.' }),
  }),
});
const UpdateSystemInput = builder.inputType('UpdateSystemInput', {
  fields: (t) => ({
    code: t.string({ required: true }),
    name: t.string(),
    sites: t.stringList(),
    active: t.boolean({ description: 'false deactivates the system: its connectors can no longer propose.' }),
    expectedLockVersion: t.int(),
  }),
});
const AssignInput = builder.inputType('AssignSystemOfRecordInput', {
  fields: (t) => ({
    domain: t.string({ required: true }),
    system: t.string({ required: true }),
    site: t.string({ description: 'Only records of this site; absent: every site.' }),
    fields: t.stringList({
      description: 'JSON pointers of the fields the system owns (e.g. /capacity); absent: the whole record.',
    }),
    requiredApprovals: t.int({
      description: "Steward approvals the system's proposals need (default 0: applied at once).",
    }),
  }),
});
const Removed = builder
  .objectRef<{ id: string }>('RemovedSystemOfRecordRule')
  .implement({ fields: (t) => ({ id: t.exposeID('id') }) });

builder.mutationFields((t) => ({
  registerSystem: t.field({
    type: SystemRef,
    errors: { ...canonErrors, directResult: true },
    description: 'Registers a system (admins). Registering the same details again is harmless.',
    args: { input: t.arg({ type: RegisterSystemInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.systems.register(ctx, {
        code: input.code,
        name: input.name,
        kind: input.kind,
        sites: input.sites ?? [],
      }),
  }),
  updateSystem: t.field({
    type: SystemRef,
    errors: { ...canonErrors, directResult: true },
    args: { input: t.arg({ type: UpdateSystemInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.systems.update(ctx, {
        code: input.code,
        name: input.name ?? undefined,
        sites: input.sites ?? undefined,
        active: input.active ?? undefined,
        expectedLockVersion: input.expectedLockVersion ?? undefined,
      }),
  }),
  assignSystemOfRecord: t.field({
    type: SorRuleRef,
    errors: { ...canonErrors, directResult: true },
    description:
      'Makes a system the system of record of a domain, a site of it, or some of its fields (admins). Overlapping rules are refused.',
    args: { input: t.arg({ type: AssignInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.systems.assign(ctx, {
        domain: input.domain,
        system: input.system,
        site: input.site ?? null,
        fields: input.fields ?? null,
        requiredApprovals: input.requiredApprovals ?? undefined,
      }),
  }),
  removeSystemOfRecord: t.field({
    type: Removed,
    errors: { ...canonErrors, directResult: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => ({ id: await ctx.services.systems.remove(ctx, String(a.id)) }),
  }),
}));
