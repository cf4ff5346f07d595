/**
 * `npm run schema:print`: writes the SDL to docs/schema.graphql (a test fails when it is stale) — the
 * hand-written schema with the types the built-in contracts give it, as a fresh instance serves it.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import semver from 'semver';
import { contractUri } from '../modules/contracts/contract-ids.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../modules/contracts/contracts-folder.ts';
import { buildTypedSchema } from '../modules/records/typed/typed-schema.ts';
import { schema } from './schema.ts';

export const SCHEMA_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/schema.graphql');

/** The schema of a fresh instance: the hand-written one with the built-in contracts' types. */
export function builtInSchema(): GraphQLSchema {
  const contracts = readContractsFolder(BUILT_IN_CONTRACTS_DIR).map((d) => ({
    id: contractUri(d.contract, d.version),
    domain: d.contract,
    major: semver.major(d.version),
    version: `${d.contract}@${d.version}`,
    schema: d.schema,
  }));
  return buildTypedSchema(schema, contracts).schema;
}

export const printedSchema = (): string => `${printSchema(lexicographicSortSchema(builtInSchema()))}\n`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
