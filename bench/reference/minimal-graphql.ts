/**
 * The middle reference point: the same SQL behind one resolver of a minimal graphql-yoga server
 * (SDL schema, no authentication, default parse and validation caches). Shows what GraphQL itself
 * costs on this path. `node bench/reference/minimal-graphql.ts` with DATABASE_URL and PORT.
 */
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import pg from 'pg';
import { RESOLVE, type ResolveArgs } from './resolve-sql.ts';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const yoga = createYoga({
  logging: false,
  graphiql: false,
  schema: createSchema({
    typeDefs: `type XrefResolution { externalId: String! recordId: ID key: String }
      type Query { resolveXrefs(system: String!, domain: String!, externalIds: [String!]!): [XrefResolution!]! }`,
    resolvers: {
      Query: {
        resolveXrefs: async (_: unknown, args: ResolveArgs) => {
          const { rows } = await pool.query({
            ...RESOLVE,
            values: [args.externalIds, args.system, args.domain],
          });
          return rows.map((r) => ({ externalId: r.external_id, recordId: r.record_id, key: r.key }));
        },
      },
    },
  }),
});
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
