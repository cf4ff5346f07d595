/**
 * The Pothos schema builder and its plugins. It defines no types: each module adds its own in its
 * `*.graphql.ts`, and schema.ts imports them.
 */

import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import TracingPlugin, { isRootField } from '@pothos/plugin-tracing';
import { CanonError } from '../errors.ts';
import type { Role } from '../modules/auth/roles.ts';
import { noteAnsweredError } from './answered-errors.ts';
import type { GraphQLContext } from './context.ts';
import { traceResolver } from './tracing.ts';

export type Scalars = {
  DateTime: { Input: Date; Output: Date | string };
  Date: { Input: string; Output: string };
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
  plugins: [TracingPlugin, ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DataloaderPlugin],
  // root fields get a span while tracing is on (graphql/tracing.ts); the wrapper is one test while off
  tracing: {
    default: (config) => isRootField(config),
    wrap: (resolver) => traceResolver(resolver as never) as never,
  },
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
  errors: {
    defaultTypes: [],
    onResolvedError: noteAnsweredError,
    // one name per field, set here: `proposeChange` answers a `ProposeChangeResult`
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName[0].toUpperCase()}${fieldName.slice(1)}Result`,
      description: 'The answer: its payload, or a typed error (every error implements Error).',
    },
  },
  relay: {
    cursorType: 'String',
    clientMutationId: 'omit',
    // Canon's `id` fields are database ids that connectors store and send back (recordId, xrefs,
    // audit subjects); the Relay global id sits beside them as `nodeId` (as PostGraphile does)
    idFieldName: 'nodeId',
    idFieldOptions: {
      description: 'Global object id (Relay): opaque, stable; `node(nodeId:)` finds the object again.',
    },
    nodeTypeOptions: { description: 'An object with a global id (Relay).' },
    nodeQueryOptions: {
      description: 'Any object by its global id (a `nodeId`); null when unknown or not visible to you.',
      args: { id: { description: 'A `nodeId`.' } },
    },
    nodesQueryOptions: {
      description: 'Objects by global id (`nodeId`s), in input order (null for unknown ones).',
      args: { ids: { description: 'Up to 100 `nodeId`s.' } },
    },
    pageInfoTypeOptions: { description: 'Where a page stands in its list (Relay).' },
    cursorFieldOptions: {
      description: 'Opaque keyset cursor: pass it as `after` for the rows after this one.',
    },
    nodeFieldOptions: { description: 'The row.' },
    edgesFieldOptions: { description: 'The rows of this page, each with its cursor.' },
    pageInfoFieldOptions: { description: 'Whether there is more, and the cursors to continue from.' },
    hasNextPageFieldOptions: { description: 'True when rows follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when this page started after a cursor.' },
    startCursorFieldOptions: { description: 'Cursor of the first row of this page.' },
    endCursorFieldOptions: { description: 'Cursor of the last row: pass it as `after` for the next page.' },
    firstArgOptions: { description: 'How many rows (default and maximum depend on the list).' },
    afterArgOptions: { description: 'Rows after this cursor (an endCursor or edge cursor of this list).' },
    lastArgOptions: { description: 'Not supported: lists page forward (BAD_USER_INPUT).' },
    beforeArgOptions: { description: 'Not supported: lists page forward (BAD_USER_INPUT).' },
  },
});
