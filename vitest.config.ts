import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
