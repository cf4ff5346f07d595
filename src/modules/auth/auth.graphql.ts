import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { can } from './ability.ts';
import { Actor } from './actor.entity.ts';
import { ApiToken } from './api-token.entity.ts';
import type { CreatedToken } from './auth.service.ts';
import { ROLES } from './roles.ts';

export const RoleEnum = builder.enumType('Role', { values: ROLES });

const ActorRef = builder.objectType(Actor, {
  name: 'Actor',
  description: 'A person or a service account.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    role: t.field({ type: RoleEnum, resolve: (a) => a.role }),
    systemCode: t.exposeString('systemCode', { nullable: true }),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const ApiTokenRef = builder.objectType(ApiToken, {
  name: 'ApiToken',
  description: 'An API token; its secret is shown only once, when it is created or rotated.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', {
      description: 'Identifies the token in lists and logs without revealing it.',
    }),
    actor: t.field({ type: ActorRef, resolve: (tok) => tok.actor as Actor }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CreatedTokenRef = builder.objectRef<CreatedToken>('CreatedApiToken').implement({
  description: 'A new token: copy `token` now, Canon keeps only its hash.',
  fields: (t) => ({
    token: t.exposeString('token'),
    apiToken: t.field({ type: ApiTokenRef, resolve: (c) => c.apiToken }),
  }),
});

const Abilities = builder
  .objectRef<{ action: string; subject: string; conditions: unknown; inverted: boolean }>('AbilityRule')
  .implement({
    description: "One rule of the caller's CASL ability.",
    fields: (t) => ({
      action: t.exposeString('action'),
      subject: t.exposeString('subject'),
      conditions: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.conditions ?? null }),
      inverted: t.exposeBoolean('inverted'),
    }),
  });

const Me = builder.objectRef<{ id: string }>('Me').implement({
  description: 'The caller.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.string({ resolve: (_m, _a, ctx) => ctx.actor!.name }),
    role: t.field({ type: RoleEnum, resolve: (_m, _a, ctx) => ctx.actor!.role }),
    systemCode: t.string({ nullable: true, resolve: (_m, _a, ctx) => ctx.actor!.systemCode }),
    tokenId: t.id({ nullable: true, resolve: (_m, _a, ctx) => ctx.actor!.tokenId }),
    abilities: t.field({
      type: [Abilities],
      description: 'The rules Canon authorizes the caller with (CASL), for clients that adapt their UI.',
      resolve: (_m, _a, ctx) =>
        ctx.ability.rules.map((r) => ({
          action: [r.action].flat().join(','),
          subject: [r.subject ?? 'all'].flat().join(','),
          conditions: r.conditions ?? null,
          inverted: Boolean(r.inverted),
        })),
    }),
    viewerCanPublishContracts: t.boolean({
      resolve: (_m, _a, ctx) => can(ctx.ability, 'publish', 'ContractVersion'),
    }),
    viewerCanManageTokens: t.boolean({ resolve: (_m, _a, ctx) => can(ctx.ability, 'create', 'ApiToken') }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: Me,
    authScopes: { authenticated: true },
    description: 'Who the token belongs to, and what it may do.',
    resolve: (_r, _a, ctx) => ({ id: ctx.actor!.id }),
  }),
  apiTokens: t.field({
    type: [ApiTokenRef],
    authScopes: { authenticated: true },
    description: 'Your tokens; admins see all.',
    resolve: (_r, _a, ctx) => ctx.services.auth.listTokens(ctx),
  }),
}));

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    role: t.field({ type: RoleEnum, required: true }),
    actorName: t.string({ description: 'Actor the token authenticates as; created when new.' }),
    systemCode: t.string({ description: 'System a connector acts for (connector tokens only).' }),
    name: t.string({ description: 'A label for the token.' }),
    expiresInDays: t.int({ description: '1-3650; absent = no expiry.' }),
  }),
});

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedTokenRef,
    errors: { ...canonErrors, directResult: true },
    description: 'Issues a token (admins). The secret is in the answer only.',
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.auth.createToken(ctx, {
        role: input.role,
        actorName: input.actorName ?? undefined,
        systemCode: input.systemCode ?? undefined,
        name: input.name ?? undefined,
        expiresInDays: input.expiresInDays ?? undefined,
      }),
  }),
  revokeApiToken: t.field({
    type: ApiTokenRef,
    errors: { ...canonErrors, directResult: true },
    description: 'Revokes a token at once (your own, or any for admins). Revoking twice is harmless.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.auth.revokeToken(ctx, String(id)),
  }),
  rotateApiToken: t.field({
    type: CreatedTokenRef,
    errors: { ...canonErrors, directResult: true },
    description: 'Replaces a token with a new secret for the same actor and revokes the old one.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.auth.rotateToken(ctx, String(id)),
  }),
}));
