/**
 * `npm run fixtures:types`: rewrites test/fixtures/types/*.d.ts from the built-in contracts. Run it
 * only after an intended change of generated output (and bump GENERATOR_VERSION in codegen/generate.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInPackages, TYPE_FIXTURES_DIR } from './type-packages.ts';

for (const pkg of await builtInPackages()) {
  const file = join(TYPE_FIXTURES_DIR, `${pkg.name.split('/')[1]}-${pkg.version}.d.ts`);
  writeFileSync(file, pkg.files['index.d.ts']);
  console.log(`wrote ${file}`);
}
