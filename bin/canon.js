#!/usr/bin/env -S node --max-semi-space-size=16
// The `canon` command. Canon is TypeScript that Node 24 runs directly (type stripping). On an older
// Node (a pipeline image's default) this shim hands over to the Node 24 of the `node` npm package
// when one is installed beside Canon (the project pins it), and otherwise says what to install.
// The new-space flag (in the first line) caps memory as `npm start` does (docs/operations.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function pinnedNode() {
  try {
    const require = createRequire(import.meta.url);
    const bin = join(dirname(require.resolve('node/package.json')), 'bin', 'node');
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

if (major < 24) {
  const node = pinnedNode();
  if (!node) {
    console.error(
      `canon needs Node >= 24 (this is ${process.version}). Install Node 24, or add it beside Canon: npm install --save-dev node@24`,
    );
    process.exit(1);
  }
  // the signals a terminal sends reach both processes: this one waits for the child's exit code
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
  const r = spawnSync(node, ['--max-semi-space-size=16', cli, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? (r.signal ? 128 : 1));
} else {
  const { runCli } = await import(cli);
  await runCli();
}
