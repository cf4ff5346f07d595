/** `canon systems add|own|list`: the landscape's systems and who owns what. */
import { type Command, Option } from 'commander';
import { SYSTEM_KINDS, type SystemKind } from '../modules/systems/system.entity.ts';
import { systemContext } from '../startup.ts';
import { list, wholeNumber, withServices } from './support.ts';

const describeRule = (r: {
  domain: string;
  site?: string | null;
  fields?: string[] | null;
  requiredApprovals: number;
}) =>
  `${r.domain}${r.site ? ` on ${r.site}` : ''}${r.fields ? ` fields ${r.fields.join(',')}` : ''}${r.requiredApprovals ? ` (${r.requiredApprovals} approvals)` : ''}`;

export function addSystemCommands(program: Command): void {
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
}
