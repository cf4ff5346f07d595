/**
 * `npm run console:build`: checks the console's documents against the schema, builds it with Vite
 * into src/console/dist, and reports the first-load size (the entry chunk, what it imports
 * statically and its CSS, gzipped) in dist/build-report.json. A first load over the budget fails
 * the build: the steward console must open fast on a plant's network.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const FIRST_LOAD_JS_BUDGET_KB = 350;

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const dist = join(root, 'dist');

// an install without dev dependencies (npm ci --omit=dev) has no Vite: the install and the start
// must not fail for it; the console is then whatever was built before (a build stage), or absent
const vite = await import('vite').catch(() => null);
if (!vite) {
  console.warn(
    existsSync(join(dist, 'index.html'))
      ? 'console: Vite is not installed (production install); serving the console built before'
      : 'console: Vite is not installed (production install) and no console is built: /console/ will say so. Build it where dev dependencies are installed: npm ci && npm run console:build',
  );
  process.exit(0);
}
const { build } = vite;
execFileSync(process.execPath, [join(root, 'scripts/graphql-env.ts')], { stdio: 'inherit' });
await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { manifest: true } });

type Chunk = { file: string; imports?: string[]; css?: string[]; isEntry?: boolean };
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, Chunk>;
const files = new Set<string>();
const visit = (key: string) => {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit('index.html');
const sizes = [...files].map((file) => {
  const bytes = readFileSync(join(dist, file));
  return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
const js = sizes.filter((s) => s.file.endsWith('.js')).reduce((n, s) => n + s.gzip, 0);
const css = sizes.filter((s) => s.file.endsWith('.css')).reduce((n, s) => n + s.gzip, 0);
const report = {
  firstLoadJsGzipKb: kb(js),
  firstLoadCssGzipKb: kb(css),
  budgetKb: FIRST_LOAD_JS_BUDGET_KB,
  files: sizes,
};
writeFileSync(join(dist, 'build-report.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `console: built into ${dist}; first load ${kb(js)} KB JavaScript + ${kb(css)} KB CSS gzipped (budget ${FIRST_LOAD_JS_BUDGET_KB} KB JavaScript)`,
);
if (kb(js) > FIRST_LOAD_JS_BUDGET_KB) {
  console.error(`console: the first load exceeds its ${FIRST_LOAD_JS_BUDGET_KB} KB budget`);
  process.exit(1);
}
