/** Typed GraphQL documents: gql.tada checks every query against docs/schema.graphql (graphql-env.d.ts). */
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    DateTime: string;
    Date: string;
    JSON: unknown;
    BigIntString: string;
    Decimal: string;
    SemVer: string;
    ID: string;
  };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
