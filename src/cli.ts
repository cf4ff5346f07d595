/**
 * The `canon` command (DESIGN §10). Commands that change data work directly on the database
 * (DATABASE_URL, or the embedded data folder while no server holds it) as the internal system actor,
 * and are audited like any other change; `contracts push --url` goes through a running Canon instead.
 * Each command group lives in src/cli/ and loads only what it needs.
 */
import { Command } from 'commander';
import { addAuditCommands } from './cli/audit.ts';
import { addCodegenCommand } from './cli/codegen.ts';
import { addContractCommands } from './cli/contracts.ts';
import { addExportCommand } from './cli/export.ts';
import { addImportCommand } from './cli/import.ts';
import { addReconcileCommands } from './cli/reconcile.ts';
import { addServerCommands } from './cli/server.ts';
import { addSystemCommands } from './cli/systems.ts';
import { addTokenCommands } from './cli/token.ts';
import { ConfigError } from './config.ts';
import { DataDirBusyError } from './db/data-dir-lock.ts';
import { CanonError } from './errors.ts';

export function buildCli(): Command {
  const program = new Command('canon')
    .description(
      'Canon: canonical data contracts and governed master data. Configuration comes from the environment (see README).',
    )
    .showHelpAfterError();
  addServerCommands(program);
  addContractCommands(program);
  addCodegenCommand(program);
  addTokenCommands(program);
  addSystemCommands(program);
  addAuditCommands(program);
  addImportCommand(program);
  addExportCommand(program);
  addReconcileCommands(program);
  return program;
}

export async function runCli(argv = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CanonError)
      console.error(
        `${error.code}: ${error.message}${error.details.map((d) => `\n  ${d.path}: ${d.message}`).join('')}`,
      );
    else if (error instanceof ConfigError || error instanceof DataDirBusyError) console.error(error.message);
    else console.error((error as Error).message ?? error);
    process.exitCode = 1;
  }
}

if (import.meta.main || process.argv[1]?.endsWith('/bin/canon.js')) await runCli();
