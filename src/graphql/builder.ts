/**
 * The Pothos schema builder and its plugins. It defines no types: each module adds its own in its
 * `*.graphql.ts`, and schema.ts imports them.
 */
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { CanonError } from '../errors.ts';
import type { Role } from '../modules/auth/roles.ts';
import type { GraphQLContext } from './context.ts';

export type Scalars = {
  DateTime: { Input: Date; Output: Date | string };
  JSON: { Input: unknown; Output: unknown };
  Decimal: { Input: string; Output: string };
  SemVer: { Input: string; Output: string };
  BigIntString: { Input: string; Output: string | bigint | number };
};

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: Scalars;
  AuthScopes: { authenticated: boolean; role: Role };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: async (ctx) => ({
      authenticated: ctx.actor !== null,
      role: (role: Role) => ctx.actor?.role === role,
    }),
    unauthorizedError: (_parent, ctx, _info, result) =>
      ctx.actor
        ? new CanonError('FORBIDDEN', `Your role (${ctx.actor.role}) may not do this: ${result.message}`)
        : new CanonError('UNAUTHENTICATED', 'A valid API token is required (Authorization: Bearer <token>).'),
  },
  errors: { defaultTypes: [] },
  relay: {
    cursorType: 'String',
    clientMutationId: 'omit',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});
