import { builder } from '../../graphql/builder.ts';
import { connectionOfSorted, inOrder, totalCountField } from '../../graphql/cursors.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { connectionNames, enumOf, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { can } from './ability.ts';
import { Actor } from './actor.entity.ts';
import { ApiToken } from './api-token.entity.ts';
import type { CreatedToken } from './auth.service.ts';
import { ACTOR_KINDS, ROLES } from './roles.ts';

export const RoleEnum = enumOf('Role', 'What an actor may do (docs/authorization.md).', ROLES, {
  admin: 'Manages contracts, systems, system-of-record rules and tokens.',
  steward: 'Proposes and approves changes (never their own).',
  viewer: 'Reads.',
  connector: 'A service account of one system: resolves xrefs, proposes where its system owns.',
  pipeline: 'A build pipeline: reads contracts and type packages.',
});

const ActorKindEnum = enumOf('ActorKind', 'A person or a service account.', ACTOR_KINDS, {
  USER: 'A person.',
  SERVICE: 'A service account (connector or pipeline).',
});

export const ActorRef = builder.node(Actor, {
  name: 'Actor',
  id: { resolve: (a) => a.id },
  loadMany: (ids: string[], ctx) => ctx.services.auth.actorsByIds(ctx, ids),
  description: 'A person or a service account.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The actor id.' }),
    name: t.exposeString('name', { description: 'Unique name.' }),
    kind: t.field({ type: ActorKindEnum, description: 'USER or SERVICE.', resolve: (a) => a.kind }),
    role: t.field({ type: RoleEnum, description: 'What it may do.', resolve: (a) => a.role }),
    systemCode: t.exposeString('systemCode', {
      nullable: true,
      description: 'The system a connector acts for.',
    }),
    active: t.exposeBoolean('active', { description: 'false: none of its tokens authenticate.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

const ApiTokenRef = builder.node(ApiToken, {
  name: 'ApiToken',
  id: { resolve: (tok) => tok.id },
  loadMany: async (ids: string[], ctx) => {
    const visible = await ctx.services.auth.listTokens(ctx);
    return inOrder(ids, visible, (tok) => tok.id);
  },
  description: 'An API token; its secret is shown only once, when it is created or rotated.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The token id (not its secret).' }),
    name: t.exposeString('name', { description: 'A label.' }),
    prefix: t.exposeString('prefix', {
      description: 'Identifies the token in lists and logs without revealing it.',
    }),
    actor: t.field({
      type: ActorRef,
      description: 'Who it authenticates as.',
      resolve: (tok) => tok.actor as Actor,
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'Null: never.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'Null: not revoked.' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Last authentication, to the minute.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was issued.' }),
  }),
});

const SECRET_NOT_SHOWN_AGAIN =
  'This answers a retry of a request already carried out: the token was issued then and its secret was shown once, in that answer. Canon keeps only its hash, so it cannot be shown again; rotate the token if the secret was lost.';

/** The answer of createApiToken and rotateApiToken. */
function createdTokenPayload(name: string, description: string) {
  return builder.objectRef<CreatedToken>(name).implement({
    description,
    fields: (t) => ({
      token: t.string({
        nullable: true,
        description: 'The secret: copy it now, Canon keeps only its hash. Null when this answers a retry.',
        resolve: (c) => c.token,
      }),
      apiToken: t.field({ type: ApiTokenRef, description: 'The token issued.', resolve: (c) => c.apiToken }),
      replayed: t.exposeBoolean('replayed', {
        description: 'True when this answers a retry with the same idempotency key.',
      }),
      notice: t.string({
        nullable: true,
        description: 'Set on a replay: why the secret is not in this answer.',
        resolve: (c) => (c.replayed ? SECRET_NOT_SHOWN_AGAIN : null),
      }),
    }),
  });
}
const CreateApiTokenPayload = createdTokenPayload(
  'CreateApiTokenPayload',
  'A new token: copy `token` now, Canon keeps only its hash.',
);
const RotateApiTokenPayload = createdTokenPayload(
  'RotateApiTokenPayload',
  'The new token that replaces the old one (revoked at once): copy `token` now.',
);
const RevokeApiTokenPayload = builder.objectRef<ApiToken>('RevokeApiTokenPayload').implement({
  description: 'The revoked token.',
  fields: (t) => ({
    apiToken: t.field({ type: ApiTokenRef, description: 'The token, revoked.', resolve: (tok) => tok }),
  }),
});

const Abilities = builder
  .objectRef<{ action: string; subject: string; conditions: unknown; inverted: boolean }>('AbilityRule')
  .implement({
    description: "One rule of the caller's CASL ability.",
    fields: (t) => ({
      action: t.exposeString('action', { description: 'CASL action(s), comma-separated.' }),
      subject: t.exposeString('subject', { description: 'CASL subject(s), comma-separated.' }),
      conditions: t.field({
        type: 'JSON',
        nullable: true,
        description: 'Conditions on the subject (MongoDB query style), if any.',
        resolve: (r) => r.conditions ?? null,
      }),
      inverted: t.exposeBoolean('inverted', { description: 'true: a "cannot" rule.' }),
    }),
  });

const Me = builder.objectRef<{ id: string }>('Me').implement({
  description: 'The caller.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Your actor id.' }),
    name: t.string({ description: 'Your actor name.', resolve: (_m, _a, ctx) => ctx.actor!.name }),
    role: t.field({ type: RoleEnum, description: 'Your role.', resolve: (_m, _a, ctx) => ctx.actor!.role }),
    systemCode: t.string({
      nullable: true,
      description: 'The system you act for (connectors).',
      resolve: (_m, _a, ctx) => ctx.actor!.systemCode,
    }),
    tokenId: t.id({
      nullable: true,
      description: 'The token this request came with.',
      resolve: (_m, _a, ctx) => ctx.actor!.tokenId,
    }),
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
      description: 'May you publish contract versions?',
      resolve: (_m, _a, ctx) => can(ctx.ability, 'publish', 'ContractVersion'),
    }),
    viewerCanManageTokens: t.boolean({
      description: "May you issue and revoke others' tokens?",
      resolve: (_m, _a, ctx) => can(ctx.ability, 'create', 'ApiToken'),
    }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: Me,
    authScopes: { authenticated: true },
    description: 'Who the token belongs to, and what it may do.',
    resolve: (_r, _a, ctx) => ({ id: ctx.actor!.id }),
  }),
  apiTokens: t.connection(
    {
      type: ApiTokenRef,
      authScopes: { authenticated: true },
      description: 'Your tokens, newest first; admins see all.',
      resolve: async (_r, args, ctx) =>
        connectionOfSorted(await ctx.services.auth.listTokens(ctx), args, 'api-token', (tok) => tok.id, true),
    },
    { ...connectionNames('ApiToken', 'API tokens')[0], fields: totalCountField },
    connectionNames('ApiToken', 'API tokens')[1],
  ),
}));

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  description: 'A token to issue.',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, required: true, description: 'The role of its actor.' }),
    actorName: t.string({ description: 'Actor the token authenticates as; created when new.' }),
    systemCode: t.string({ description: 'System a connector acts for (connector tokens only).' }),
    name: t.string({ description: 'A label for the token.' }),
    expiresInDays: t.int({ description: '1-3650; absent = no expiry.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const TokenIdInput = (name: string, what: string) =>
  builder.inputType(name, {
    description: what,
    fields: (t) => ({
      id: t.id({ required: true, description: 'The token id.' }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  });
const RevokeApiTokenInput = TokenIdInput('RevokeApiTokenInput', 'The token to revoke.');
const RotateApiTokenInput = TokenIdInput('RotateApiTokenInput', 'The token to replace.');

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Issues a token (admins). The secret is in this answer only; a retry with the same idempotency key names the same token without it.',
    args: {
      input: t.arg({
        type: CreateApiTokenInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.auth.createToken(
        ctx,
        {
          role: input.role,
          actorName: input.actorName ?? undefined,
          systemCode: input.systemCode ?? undefined,
          name: input.name ?? undefined,
          expiresInDays: input.expiresInDays ?? undefined,
        },
        input.idempotencyKey,
      ),
  }),
  revokeApiToken: t.field({
    type: RevokeApiTokenPayload,
    errors: { ...canonErrors, directResult: true },
    description: 'Revokes a token at once (your own, or any for admins). Revoking twice is harmless.',
    args: {
      input: t.arg({
        type: RevokeApiTokenInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) => ctx.services.auth.revokeToken(ctx, String(input.id)),
  }),
  rotateApiToken: t.field({
    type: RotateApiTokenPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Replaces a token with a new secret for the same actor and revokes the old one; a retry with the same idempotency key names the same new token without its secret.',
    args: {
      input: t.arg({
        type: RotateApiTokenInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.auth.rotateToken(ctx, String(input.id), input.idempotencyKey),
  }),
}));
