/** The built-in contracts as stored documents, and their generated packages (shared by tests and the fixture script). */
import { resolve } from 'node:path';
import { type GeneratedPackage, generatePackage, referencedDocs } from '../../codegen/generate.ts';
import { withContractIds } from '../../src/modules/contracts/contract-ids.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../../src/modules/contracts/contracts-folder.ts';

export const TYPE_FIXTURES_DIR = resolve(import.meta.dirname, '../fixtures/types');

export const builtInDocs = () =>
  readContractsFolder(BUILT_IN_CONTRACTS_DIR).map((d) => ({
    contract: d.contract,
    version: d.version,
    schema: withContractIds(d.contract, d.version, d.schema),
  }));

export async function builtInPackages(): Promise<GeneratedPackage[]> {
  const docs = builtInDocs();
  return Promise.all(
    docs.map(async (doc) => generatePackage(doc, await referencedDocs(doc, docs), { scope: '@canon' })),
  );
}
