/**
 * Checks the console against the API's schema (docs/schema.graphql), before its typecheck and build:
 * every `graphql(`…`)` document in src/ must validate against the schema (an unknown field, a
 * removed argument or a changed type fails here), and src/graphql-env.d.ts is written for gql.tada,
 * which types each document's result and variables from it. A schema change that breaks the
 * console thus breaks `npm run check`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';
import { buildSchema, introspectionFromSchema, parse, validate } from 'graphql';

const here = fileURLToPath(new URL('.', import.meta.url));
const src = resolve(here, '../src');
const schema = buildSchema(readFileSync(resolve(here, '../../../docs/schema.graphql'), 'utf8'));

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );

const problems: string[] = [];
let documents = 0;
for (const file of sources(src)) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/graphql\(\s*`([^`]*)`/g)) {
    documents++;
    const line = text.slice(0, match.index).split('\n').length;
    try {
      for (const error of validate(schema, parse(match[1])))
        problems.push(`${relative(src, file)}:${line}: ${error.message}`);
    } catch (error) {
      problems.push(`${relative(src, file)}:${line}: ${(error as Error).message}`);
    }
  }
}
if (problems.length > 0) {
  console.error(`The console's GraphQL documents do not match docs/schema.graphql:\n${problems.join('\n')}`);
  process.exit(1);
}

writeFileSync(
  join(src, 'graphql-env.d.ts'),
  outputIntrospectionFile(minifyIntrospection(introspectionFromSchema(schema)), {
    fileType: '.d.ts',
    shouldPreprocess: true,
  }),
);
console.log(`console: ${documents} GraphQL documents match docs/schema.graphql`);
