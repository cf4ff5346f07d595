/** `canon codegen`: the type packages of a contracts folder, offline (no database). */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writePackages } from '../../codegen/write-packages.ts';
import { loadConfig } from '../config.ts';
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
      const docs = readContractsFolder(resolve(opts.contracts)).map((d) => ({
        contract: d.contract,
        version: d.version,
        schema: withContractIds(d.contract, d.version, d.schema),
      }));
      const written = await writePackages(docs, resolve(opts.out), scope);
      for (const p of written) console.log(`${p.name}@${p.version}  ${p.integrity}`);
    });
}
