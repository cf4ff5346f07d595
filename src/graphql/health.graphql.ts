import { builder } from './builder.ts';

builder.queryType({ description: 'Canon: canonical contracts and governed master data.' });
builder.mutationType({});

builder.queryField('version', (t) =>
  t.string({
    description: 'The running Canon version.',
    resolve: () => process.env.npm_package_version ?? '0.1.0',
  }),
);
