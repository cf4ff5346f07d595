/**
 * The `canon` command (DESIGN §10). Every command works on the database directly (DATABASE_URL, or
 * the embedded data folder while no server holds it) as the internal system actor, audited like any
 * other change — or, for the commands that take --url/--token (or CANON_URL/CANON_TOKEN), through a
 * running Canon's API. Each command group lives in src/cli/ and is loaded only when it runs: the top
 * level's help and --version load nothing but this file.
 */
import { Command } from 'commander';
import { CANON_VERSION } from './version.ts';

type AddGroup = (program: Command) => void;

/** The command groups: name and description for the top-level help, and how to load the real thing. */
const GROUPS: { names: string[]; description: string; load: () => Promise<AddGroup> }[] = [
  {
    names: ['serve', 'migrate'],
    description: 'start the server (same as npm start) | apply pending database migrations',
    load: async () => (await import('./cli/server.ts')).addServerCommands,
  },
  {
    names: ['contracts'],
    description: 'contract registry: push, check (CI), list, show, diff, delete-draft, deprecate, retire',
    load: async () => (await import('./cli/contracts.ts')).addContractCommands,
  },
  {
    names: ['codegen'],
    description: 'write the npm type packages of a contracts folder, offline',
    load: async () => (await import('./cli/codegen.ts')).addCodegenCommand,
  },
  {
    names: ['token'],
    description: 'API tokens: create, list, revoke, rotate',
    load: async () => (await import('./cli/token.ts')).addTokenCommands,
  },
  {
    names: ['systems'],
    description: 'systems and who owns what: add, update, own, disown, remove, list',
    load: async () => (await import('./cli/systems.ts')).addSystemCommands,
  },
  {
    names: ['events'],
    description: 'change events on NATS JetStream: status, replay',
    load: async () => (await import('./cli/events.ts')).addEventCommands,
  },
  {
    names: ['records'],
    description: 'golden records: get, history',
    load: async () => (await import('./cli/records.ts')).addRecordCommands,
  },
  {
    names: ['bom'],
    description: 'bills of materials: explode, where-used',
    load: async () => (await import('./cli/bom.ts')).addBomCommands,
  },
  {
    names: ['match'],
    description: 'duplicates: match a domain, candidates, rules, set-rule, remove-rule, dismiss',
    load: async () => (await import('./cli/match.ts')).addMatchCommands,
  },
  {
    names: ['exceptions'],
    description: 'integration exceptions: list, show, resolve, summary',
    load: async () => (await import('./cli/exceptions.ts')).addExceptionCommands,
  },
  {
    names: ['merge', 'unmerge'],
    description: 'propose merging two duplicate records | undo a merge',
    load: async () => (await import('./cli/match.ts')).addMergeCommands,
  },
  {
    names: ['audit'],
    description: 'the audit trail: keygen, checkpoint, verify',
    load: async () => (await import('./cli/audit.ts')).addAuditCommands,
  },
  {
    names: ['import'],
    description: 'import a CSV or NDJSON file into a domain, batch by batch',
    load: async () => (await import('./cli/import.ts')).addImportCommand,
  },
  {
    names: ['export'],
    description: 'write every record of a domain as NDJSON or CSV',
    load: async () => (await import('./cli/export.ts')).addExportCommand,
  },
  {
    names: ['reconcile', 'xrefs'],
    description: "compare a system's extract with the golden records | import a system's ids",
    load: async () => (await import('./cli/reconcile.ts')).addReconcileCommands,
  },
];

function program(): Command {
  return (
    new Command('canon')
      .description(
        'Canon: canonical data contracts and governed master data. Configuration comes from the environment (see README); commands with --url/--token (or CANON_URL/CANON_TOKEN) call a running Canon instead of the database.',
      )
      .version(CANON_VERSION, '-V, --version', 'print the version')
      // a command's options stay its own: `canon match --domain D` vs `canon match candidates --domain D`
      .enablePositionalOptions()
      .showHelpAfterError()
  );
}

/** The command tree for `argv`: the group it names in full, the others as names in the help. */
export async function buildCli(argv = process.argv): Promise<Command> {
  const cli = program();
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  const wanted = GROUPS.find((g) => named && g.names.includes(named));
  for (const group of GROUPS) {
    if (group === wanted) (await group.load())(cli);
    else
      for (const [i, name] of group.names.entries())
        cli.command(name).description(group.description.split(' | ')[i] ?? group.description);
  }
  return cli;
}

/** Every group loaded: for tests and documentation that walk the whole tree. */
export async function buildFullCli(): Promise<Command> {
  const cli = program();
  for (const group of GROUPS) (await group.load())(cli);
  return cli;
}

export async function runCli(argv = process.argv): Promise<void> {
  try {
    await (await buildCli(argv)).parseAsync(argv);
  } catch (error) {
    const { describeFailure } = await import('./cli/failures.ts');
    console.error(describeFailure(error));
    process.exitCode = 1;
  }
}

// run as `node src/cli.ts` (npm run canon); bin/canon.js calls runCli itself
if (import.meta.main) await runCli();
