import { readFileSync } from 'node:fs';
import { builder } from './builder.ts';

/** The version of the package this Canon runs from (npm sets npm_package_version only under npm run). */
export const CANON_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

builder.queryType({ description: 'Canon: canonical contracts and governed master data.' });
builder.mutationType({
  description: 'Every change: one `input`, a `…Result` union of its payload and typed errors.',
});

builder.queryField('version', (t) =>
  t.string({
    description: 'The running Canon version.',
    resolve: () => CANON_VERSION,
  }),
);
