import { defineConfig } from 'vitest/config';

/**
 * Files that never touch the pass's database: they start a PostgreSQL cluster of their own to kill,
 * stop or freeze it (test/support/private-cluster.ts). They run the same on both passes, so the
 * PostgreSQL pass (DATABASE_URL set) leaves them to the PGlite pass instead of running them twice.
 */
const OWN_CLUSTER_ONLY = [
  'test/integration/sigkill-batches.test.ts',
  'test/integration/database-faults.test.ts',
];

export default defineConfig({
  // Vite's default mode adds the `development` export condition, under which graphql 17 loads its
  // __dev__ build for our sources while Node loads the normal build for dependencies: two copies of
  // graphql-js ("Cannot use GraphQLObjectType from another module or realm"). Resolve as Node does.
  resolve: { conditions: ['module', 'node', 'production'] },
  ssr: { resolve: { conditions: ['module', 'node', 'production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(process.env.DATABASE_URL ? OWN_CLUSTER_ONLY : [])],
    // PGlite start-up is slow on a cold machine; database tests share one server per file.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own database (PGlite in memory, or a fresh PostgreSQL database).
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
  },
});
