/**
 * The `canon` command (DESIGN §10). Commands that change data work directly on the database
 * (DATABASE_URL, or the embedded data folder while no server holds it) as the internal system actor,
 * and are audited like any other change; `contracts push --url` goes through a running Canon instead.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { writePackages } from '../codegen/write-packages.ts';
import { initialise, openCanonDatabase, systemContext } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DataDirBusyError } from './db/data-dir-lock.ts';
import { CanonError } from './errors.ts';
import { createLogger } from './logger.ts';
import { ROLES, type Role } from './modules/auth/roles.ts';
import { withContractIds } from './modules/contracts/contract-ids.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from './modules/contracts/contracts-folder.ts';
import { SYSTEM_KINDS, type SystemKind } from './modules/systems/system.entity.ts';
import { createServices, type Services } from './services.ts';

async function withServices<T>(purpose: string, run: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openCanonDatabase(config, purpose);
  try {
    const services = createServices(db.orm, { packageScope: config.packageScope });
    await initialise(services, { ...config, environment: 'production' }, createLogger('warn'));
    return await run(services);
  } finally {
    await db.close();
  }
}

const list = (v: string) =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

const wholeNumber = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
};

const describeRule = (r: {
  domain: string;
  site?: string | null;
  fields?: string[] | null;
  requiredApprovals: number;
}) =>
  `${r.domain}${r.site ? ` on ${r.site}` : ''}${r.fields ? ` fields ${r.fields.join(',')}` : ''}${r.requiredApprovals ? ` (${r.requiredApprovals} approvals)` : ''}`;

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
};

async function pushOverHttp(url: string, token: string, dir: string): Promise<void> {
  const endpoint = `${url.replace(/\/$/, '')}/graphql`;
  const call = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: Record<string, any>; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    return body.data!;
  };
  for (const doc of readContractsFolder(dir)) {
    const reg = await call(
      `mutation($input: RegisterContractVersionInput!) { registerContractVersion(input: $input) {
         ... on RegisterContractVersionPayload { contractVersion { status } } ... on Error { code message } } }`,
      { input: { contract: doc.contract, version: doc.version, schema: doc.schema } },
    );
    const r = reg.registerContractVersion;
    if (r.code) throw new Error(`${doc.contract} ${doc.version}: ${r.code}: ${r.message}`);
    const status = r.contractVersion.status as string;
    if (status !== 'DRAFT') {
      console.log(`${doc.contract}@${doc.version}: unchanged (${status.toLowerCase()})`);
      continue;
    }
    const pub = await call(
      `mutation($input: PublishContractVersionInput!) { publishContractVersion(input: $input) {
         ... on PublishContractVersionPayload { contractVersion { status } }
         ... on Error { code message details { path message } } } }`,
      { input: { contract: doc.contract, version: doc.version } },
    );
    const p = pub.publishContractVersion;
    if (p.code)
      throw new Error(
        `${doc.contract} ${doc.version}: ${p.code}: ${p.message}\n${(p.details ?? []).map((d: any) => `  ${d.path}: ${d.message}`).join('\n')}`,
      );
    console.log(`${doc.contract}@${doc.version}: published`);
  }
}

export function buildCli(): Command {
  const program = new Command('canon')
    .description(
      'Canon: canonical data contracts and governed master data. Configuration comes from the environment (see README).',
    )
    .showHelpAfterError();

  program
    .command('serve')
    .description('start the server (same as npm start)')
    .action(async () => {
      const { serve } = await import('./server.ts');
      await serve();
    });

  program
    .command('migrate')
    .description('apply pending database migrations (also done on every start)')
    .action(async () => {
      const config = loadConfig();
      const db = await openCanonDatabase(config, 'canon migrate');
      await db.close();
      console.log(
        db.applied.length === 0
          ? 'database is up to date'
          : `applied ${db.applied.length} migration(s): ${db.applied.join(', ')}`,
      );
    });

  const contracts = program.command('contracts').description('contract registry');
  contracts
    .command('push <dir>')
    .description(
      'register and publish every <name>/<version>.schema.json in a folder; already published versions are left alone',
    )
    .option('--url <url>', 'push through a running Canon at this address instead of the database')
    .option('--token <token>', 'admin token for --url (default: $CANON_TOKEN)')
    .action(async (dir: string, opts: { url?: string; token?: string }) => {
      const folder = resolve(dir);
      if (opts.url) {
        const token = opts.token ?? process.env.CANON_TOKEN;
        if (!token) throw new CanonError('UNAUTHENTICATED', '--url needs --token or CANON_TOKEN.');
        await pushOverHttp(opts.url, token, folder);
        return;
      }
      await withServices('canon contracts push', async (services) => {
        const results = await services.contracts.push(systemContext('cli'), readContractsFolder(folder));
        for (const r of results)
          console.log(`${r.contract}@${r.version}: ${r.outcome === 'PUBLISHED' ? 'published' : 'unchanged'}`);
      });
    });

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

  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('create an API token and print it (shown once)')
    .addOption(new Option('--role <role>', 'role of the token').choices(ROLES).makeOptionMandatory())
    .option('--system <code>', 'system a connector token acts for (connector only)')
    .option('--name <name>', 'name of the actor the token authenticates as (created when new)')
    .option('--label <label>', 'label of the token itself')
    .option('--expires-in-days <days>', 'days until the token expires', positiveInt)
    .option('--json', 'print JSON (token, id, prefix, actor) instead of the bare token')
    .action(
      async (opts: {
        role: Role;
        system?: string;
        name?: string;
        label?: string;
        expiresInDays?: number;
        json?: boolean;
      }) => {
        await withServices('canon token create', async (services) => {
          const created = await services.auth.createToken(systemContext('cli'), {
            role: opts.role,
            systemCode: opts.system,
            actorName: opts.name,
            name: opts.label,
            expiresInDays: opts.expiresInDays,
          });
          if (opts.json) {
            console.log(
              JSON.stringify({
                token: created.token,
                id: created.apiToken.id,
                prefix: created.apiToken.prefix,
                actor: created.actor.name,
                role: created.actor.role,
              }),
            );
          } else console.log(created.token);
        });
      },
    );

  const systems = program.command('systems').description('systems of the landscape and who owns what');
  systems
    .command('add <code>')
    .description('register a system (registering the same details again changes nothing)')
    .requiredOption('--name <name>', 'display name, e.g. "Odoo production"')
    .addOption(new Option('--kind <kind>', 'kind of system').choices(SYSTEM_KINDS).makeOptionMandatory())
    .option('--sites <codes>', 'comma-separated site codes the system serves, e.g. EU1,US2', list)
    .action(async (code: string, opts: { name: string; kind: SystemKind; sites?: string[] }) => {
      await withServices('canon systems add', async (services) => {
        const system = await services.systems.register(systemContext('cli'), { code, ...opts });
        console.log(
          `${system.code}: ${system.name} (${system.kind}${system.sites.length ? `, ${system.sites.join(',')}` : ''})`,
        );
      });
    });
  systems
    .command('own <system> <domain>')
    .description('make a system the system of record of a domain, or of one site or some fields of it')
    .option('--site <code>', 'only records of this site')
    .option('--fields <pointers>', 'only these fields, as JSON pointers: /weight,/dimensions', list)
    .option('--approvals <n>', 'approvals its proposals need (default 0: applied at once)', wholeNumber)
    .action(
      async (
        system: string,
        domain: string,
        opts: { site?: string; fields?: string[]; approvals?: number },
      ) => {
        await withServices('canon systems own', async (services) => {
          const rule = await services.systems.assign(systemContext('cli'), {
            system,
            domain,
            site: opts.site ?? null,
            fields: opts.fields ?? null,
            requiredApprovals: opts.approvals,
          });
          console.log(`${rule.id}  ${describeRule(rule)}`);
        });
      },
    );
  systems
    .command('list')
    .description('list systems and their system-of-record rules')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withServices('canon systems list', async (services) => {
        const ctx = systemContext('cli');
        const [all, rules] = await Promise.all([services.systems.list(ctx), services.systems.rules(ctx)]);
        if (opts.json) {
          console.log(
            JSON.stringify(
              all.map((s) => ({
                code: s.code,
                name: s.name,
                kind: s.kind,
                sites: s.sites,
                active: s.active,
                owns: rules
                  .filter((r) => r.systemCode === s.code)
                  .map((r) => ({
                    id: r.id,
                    domain: r.domain,
                    site: r.site,
                    fields: r.fields,
                    requiredApprovals: r.requiredApprovals,
                  })),
              })),
            ),
          );
          return;
        }
        for (const s of all) {
          console.log(`${s.code}  ${s.kind}  ${s.name}${s.active ? '' : '  (inactive)'}`);
          for (const r of rules.filter((x) => x.systemCode === s.code))
            console.log(`  owns ${describeRule(r)}`);
        }
      });
    });

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
