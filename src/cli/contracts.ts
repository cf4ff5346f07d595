/**
 * `canon contracts push | check | list | show | diff | delete-draft | deprecate | retire`: the contract
 * registry, on the database or through a running Canon (--url/--token or CANON_URL/CANON_TOKEN).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RemoteFlags } from './options.ts';
import { remoteOptions } from './options.ts';
import type { Transport } from './transport.ts';

const OUTCOME_TEXT: Record<string, string> = {
  PUBLISHED: 'published',
  UNCHANGED: 'unchanged',
  DRAFT_REPLACED: 'published (replaced the draft an earlier push had left with other content)',
};

const VERSION_FIELDS =
  'version status createdAt publishedAt deprecatedAt deprecationReason retiredAt fingerprint';

async function transportAnd(opts: RemoteFlags, purpose: string, run: (t: Transport) => Promise<void>) {
  const { withTransport } = await import('./transport.ts');
  await withTransport(opts, purpose, run);
}

async function versionOf(t: Transport, name: string, version: string): Promise<Record<string, any>> {
  const { CanonError } = await import('../errors.ts');
  const data = await t.call(
    `query($name: String!, $version: SemVer!) { contract(name: $name) { version(version: $version) { ${VERSION_FIELDS} schema } } }`,
    { name, version },
  );
  const found = data.contract?.version;
  if (!data.contract) throw new CanonError('NOT_FOUND', `There is no contract "${name}".`);
  if (!found) throw new CanonError('NOT_FOUND', `${name} has no version ${version}.`);
  return found;
}

/** One lifecycle mutation on a version: deprecate, retire, delete-draft. */
function lifecycleCommand(
  contracts: Command,
  name: string,
  description: string,
  mutation: string,
  payload: string,
  extra: (c: Command) => Command = (c) => c,
) {
  remoteOptions(extra(contracts.command(`${name} <contract> <version>`).description(description))).action(
    async (contract: string, version: string, opts: RemoteFlags & { reason?: string }) => {
      const { payloadOf, ERROR_FIELDS } = await import('./transport.ts');
      await transportAnd(opts, `canon contracts ${name}`, async (t) => {
        const inputType = `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
        const data = await t.call(
          `mutation($input: ${inputType}!) { ${mutation}(input: $input) { ... on ${payload} ${ERROR_FIELDS} } }`,
          { input: { contract, version, ...(opts.reason ? { reason: opts.reason } : {}) } },
        );
        const r = payloadOf<Record<string, any>>(data[mutation], `${contract} ${version}`);
        if (opts.json) console.log(JSON.stringify(r));
        else
          console.log(
            `${contract}@${version}: ${r.contractVersion ? r.contractVersion.status.toLowerCase() : 'draft deleted'}`,
          );
      });
    },
  );
}

export function addContractCommands(program: Command): void {
  const contracts = program.command('contracts').description('contract registry');
  remoteOptions(
    contracts
      .command('push <dir>')
      .description(
        'register and publish every <name>/<version>.schema.json in a folder; published versions are left alone, a draft your earlier push left is replaced',
      ),
  ).action(async (dir: string, opts: RemoteFlags) => {
    const { readContractsFolder } = await import('../modules/contracts/contracts-folder.ts');
    const { payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    const docs = readContractsFolder(resolve(dir));
    await transportAnd(opts, 'canon contracts push', async (t) => {
      const data = await t.call(
        `mutation($input: PushContractVersionsInput!) { pushContractVersions(input: $input) {
           ... on PushContractVersionsPayload { results { contract version outcome } } ${ERROR_FIELDS} } }`,
        {
          input: {
            versions: docs.map((d) => ({ contract: d.contract, version: d.version, schema: d.schema })),
          },
        },
      );
      const { results } = payloadOf<{ results: { contract: string; version: string; outcome: string }[] }>(
        data.pushContractVersions,
        'The push',
      );
      if (opts.json) return console.log(JSON.stringify(results));
      for (const r of results)
        console.log(`${r.contract}@${r.version}: ${OUTCOME_TEXT[r.outcome] ?? r.outcome}`);
    });
  });
  remoteOptions(
    contracts
      .command('check <dir>')
      .description(
        'for CI: would a push of this folder be accepted? Exit 1 with the changes when a version is incompatible or lower than its changes need; --json for machines; GitHub annotations when GITHUB_ACTIONS is set',
      ),
  ).action(async (dir: string, opts: RemoteFlags) => {
    const { readContractsFolder } = await import('../modules/contracts/contracts-folder.ts');
    const { checkFolder, githubAnnotations, printCheck } = await import('./contracts-check.ts');
    const docs = readContractsFolder(resolve(dir));
    await transportAnd(opts, 'canon contracts check', async (t) => {
      const results = await checkFolder(t, docs);
      if (opts.json)
        console.log(JSON.stringify({ ok: results.every((r) => r.status !== 'FAILED'), results }));
      else printCheck(results);
      if (process.env.GITHUB_ACTIONS === 'true')
        for (const line of githubAnnotations(results)) console.log(line);
      if (results.some((r) => r.status === 'FAILED')) process.exitCode = 1;
    });
  });
  remoteOptions(
    contracts.command('list').description('list contracts: latest version, mode, versions by status'),
  ).action(async (opts: RemoteFlags) => {
    const { allPages, printTable } = await import('./output.ts');
    await transportAnd(opts, 'canon contracts list', async (t) => {
      const rows = await allPages<Record<string, any>>(
        t,
        'contracts',
        'name compatibility builtIn ownerTeam latestVersion { version status } versions(first: 100) { edges { node { version status } } }',
      );
      if (opts.json)
        return console.log(
          JSON.stringify(
            rows.map(({ versions, ...c }) => ({ ...c, versions: versions.edges.map((e: any) => e.node) })),
          ),
        );
      printTable(
        ['NAME', 'LATEST', 'MODE', 'VERSIONS'],
        rows.map((c) => [
          `${c.name}${c.builtIn ? ' (built-in)' : ''}`,
          c.latestVersion?.version ?? '-',
          c.compatibility,
          c.versions.edges
            .map(
              (e: any) =>
                `${e.node.version}${e.node.status === 'PUBLISHED' ? '' : ` ${e.node.status.toLowerCase()}`}`,
            )
            .join(', '),
        ]),
      );
    });
  });
  remoteOptions(
    contracts
      .command('show <contract> [version]')
      .description(
        "a contract's settings and versions; with a version, that version's schema (JSON on stdout)",
      ),
  ).action(async (name: string, version: string | undefined, opts: RemoteFlags) => {
    const { CanonError } = await import('../errors.ts');
    const { printTable } = await import('./output.ts');
    await transportAnd(opts, 'canon contracts show', async (t) => {
      if (version) {
        const v = await versionOf(t, name, version);
        if (opts.json) return console.log(JSON.stringify(v));
        return console.log(JSON.stringify(v.schema, null, 2));
      }
      const data = await t.call(
        `query($name: String!) { contract(name: $name) { name description compatibility majorPolicy ownerTeam builtIn
           versions(first: 100) { edges { node { ${VERSION_FIELDS} } } } } }`,
        { name },
      );
      if (!data.contract) throw new CanonError('NOT_FOUND', `There is no contract "${name}".`);
      const c = data.contract;
      const versions = c.versions.edges.map((e: any) => e.node);
      if (opts.json) return console.log(JSON.stringify({ ...c, versions }));
      console.log(
        `${c.name}${c.builtIn ? ' (built-in)' : ''}: ${c.compatibility}, major policy ${c.majorPolicy}${c.ownerTeam ? `, owned by ${c.ownerTeam}` : ''}`,
      );
      if (c.description) console.log(c.description);
      printTable(
        ['VERSION', 'STATUS', 'PUBLISHED', 'NOTE'],
        versions.map((v: any) => [
          v.version,
          v.status.toLowerCase(),
          v.publishedAt ?? '',
          v.deprecationReason ?? '',
        ]),
      );
    });
  });
  remoteOptions(
    contracts
      .command('diff <contract> <from> <to>')
      .description(
        'the changes between two versions (<to> may be a schema file): kind, path, compatibility, the bump they need',
      ),
  ).action(async (name: string, from: string, to: string, opts: RemoteFlags) => {
    const { payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await transportAnd(opts, 'canon contracts diff', async (t) => {
      const before = (await versionOf(t, name, from)).schema;
      const after = existsSync(to)
        ? JSON.parse(readFileSync(to, 'utf8'))
        : (await versionOf(t, name, to)).schema;
      const data = await t.call(
        `query($from: JSON!, $to: JSON!) { schemaDiff(from: $from, to: $to) {
           ... on SchemaDiff { backwardCompatible forwardCompatible requiredBump changes { kind path message compatible } }
           ${ERROR_FIELDS} } }`,
        { from: before, to: after },
      );
      const d = payloadOf<Record<string, any>>(data.schemaDiff, 'The diff');
      if (opts.json) return console.log(JSON.stringify(d));
      console.log(
        `${name} ${from} → ${to}: needs a ${d.requiredBump} bump; backward ${d.backwardCompatible ? 'compatible' : 'INCOMPATIBLE'}, forward ${d.forwardCompatible ? 'compatible' : 'INCOMPATIBLE'}`,
      );
      for (const c of d.changes)
        console.log(`  ${c.compatible ? ' ' : '!'} ${c.kind} ${c.path}: ${c.message}`);
    });
  });
  lifecycleCommand(
    contracts,
    'delete-draft',
    'delete a DRAFT version (published versions are never deleted)',
    'deleteContractDraft',
    'DeleteContractDraftPayload { deletedContractVersionId }',
  );
  lifecycleCommand(
    contracts,
    'deprecate',
    'deprecate a published version: it still validates, consumers are told to move on',
    'deprecateContractVersion',
    'DeprecateContractVersionPayload { contractVersion { status } }',
    (c) => c.option('--reason <text>', 'why, and what to move to'),
  );
  lifecycleCommand(
    contracts,
    'retire',
    'retire a deprecated version: no new records or proposals against it',
    'retireContractVersion',
    'RetireContractVersionPayload { contractVersion { status } }',
  );
}
