/** `canon codegen`: the type packages of a contracts folder, offline (no database). */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isNpmScope } from '../../codegen/names.ts';
import { MissingContractError, writePackages } from '../../codegen/write-packages.ts';
import { loadConfig } from '../config.ts';
import { CanonError } from '../errors.ts';
import { withContractIds } from '../modules/contracts/contract-ids.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../modules/contracts/contracts-folder.ts';

export function addCodegenCommand(program: Command): void {
  program
    .command('codegen')
    .description(
      'write the npm type packages of a contracts folder (files and .tgz), offline: the same bytes the registry serves',
    )
    .requiredOption('--out <dir>', 'output folder')
    .option('--contracts <dir>', 'contracts folder (<name>/<version>.schema.json)', BUILT_IN_CONTRACTS_DIR)
    .option('--scope <scope>', 'npm scope (default: $CANON_PACKAGE_SCOPE or @canon)')
    .action(async (opts: { out: string; contracts: string; scope?: string }) => {
      const scope = opts.scope ?? loadConfig().packageScope;
      if (!isNpmScope(scope))
        throw new CanonError(
          'BAD_USER_INPUT',
          `--scope "${scope}" is not an npm scope: "@" and a lowercase name of letters, digits, "-", "_" or ".", e.g. @acme.`,
          { path: ['scope'] },
        );
      const asDocs = (dir: string) =>
        readContractsFolder(dir).map((d) => ({
          contract: d.contract,
          version: d.version,
          schema: withContractIds(d.contract, d.version, d.schema),
        }));
      const folder = resolve(opts.contracts);
      const docs = asDocs(folder);
      // a folder of one's own contracts may refer to the built-in ones without holding them
      const builtIns = folder === resolve(BUILT_IN_CONTRACTS_DIR) ? [] : asDocs(BUILT_IN_CONTRACTS_DIR);
      let written: Awaited<ReturnType<typeof writePackages>>;
      try {
        written = await writePackages(docs, resolve(opts.out), scope, builtIns);
      } catch (error) {
        if (error instanceof MissingContractError) throw new CanonError('REFERENCE_NOT_FOUND', error.message);
        throw error;
      }
      for (const p of written) console.log(`${p.name}@${p.version}  ${p.integrity}`);
    });
}
