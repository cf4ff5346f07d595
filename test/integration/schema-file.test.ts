import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../../src/graphql/print-schema.ts';

it('docs/schema.graphql matches the schema (run npm run schema:print after changing it)', () => {
  expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
});

it('keeps the API names other tools rely on (DESIGN §10)', () => {
  const sdl = printedSchema();
  for (const field of ['contracts', 'contract(', 'checkCompatibility(', 'schemaDiff(', 'me:'])
    expect(sdl).toContain(field);
  for (const mutation of [
    'registerContractVersion(',
    'publishContractVersion(',
    'deprecateContractVersion(',
    'createApiToken(',
    'revokeApiToken(',
  ]) {
    expect(sdl).toContain(mutation);
  }
  expect(sdl).toMatch(
    /type SchemaDiff \{[^}]*backwardCompatible[^}]*changes[^}]*forwardCompatible[^}]*requiredBump/s,
  );
});
