#!/usr/bin/env -S node --max-semi-space-size=16
// The `canon` command. Canon is written in TypeScript that Node 24 runs directly (type stripping),
// so this shim only checks the Node version and loads the CLI module.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `canon needs Node >= 24 (found ${process.version}). Run it through "npm run canon -- ..." or "npx canon ...", which use the project's pinned node@24.`,
  );
  process.exit(1);
}
await import('../src/cli.ts');
