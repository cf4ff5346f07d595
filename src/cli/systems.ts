/** `canon systems add | update | own | disown | remove | list`: the landscape's systems and who owns what. */
import { type Command, Option } from 'commander';
import { SYSTEM_KINDS, type SystemKind } from '../modules/systems/system-kinds.ts';
import { list, type RemoteFlags, remoteOptions, wholeNumber } from './options.ts';
import type { Transport } from './transport.ts';

interface Rule {
  id: string;
  domain: string;
  site: string | null;
  fields: string[] | null;
  requiredApprovals: number;
}

interface SystemRow {
  code: string;
  name: string;
  kind: string;
  sites: string[];
  active: boolean;
  systemOfRecordRules: Rule[];
}

const RULE_FIELDS = 'id domain site fields requiredApprovals';
const SYSTEM_FIELDS = `code name kind sites active systemOfRecordRules { ${RULE_FIELDS} }`;

const describeRule = (r: Omit<Rule, 'id'>) =>
  `${r.domain}${r.site ? ` on ${r.site}` : ''}${r.fields ? ` fields ${r.fields.join(',')}` : ''}${r.requiredApprovals ? ` (${r.requiredApprovals} approvals)` : ''}`;

const describeSystem = (s: SystemRow) =>
  `${s.code}: ${s.name} (${s.kind}${s.sites.length ? `, ${s.sites.join(',')}` : ''})${s.active ? '' : ' inactive'}`;

async function systemMutation(
  t: Transport,
  mutation: string,
  inputType: string,
  input: Record<string, unknown>,
): Promise<SystemRow> {
  const { payloadOf, ERROR_FIELDS } = await import('./transport.ts');
  const data = await t.call(
    `mutation($input: ${inputType}!) { ${mutation}(input: $input) {
       ... on ${inputType.replace(/Input$/, 'Payload')} { system { ${SYSTEM_FIELDS} } } ${ERROR_FIELDS} } }`,
    { input },
  );
  return payloadOf<{ system: SystemRow }>(data[mutation], `The system ${input.code}`).system;
}

/** The rule a `disown` names: its id, or the system, domain, site and fields it was assigned with. */
function matchingRule(system: SystemRow, domain: string, site?: string, fields?: string[]): Rule | undefined {
  const same = (a: string[] | null, b: string[] | undefined) =>
    JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
  return system.systemOfRecordRules.find(
    (r) => r.domain === domain && (r.site ?? undefined) === site && same(r.fields, fields),
  );
}

export function addSystemCommands(program: Command): void {
  const systems = program.command('systems').description('systems of the landscape and who owns what');
  remoteOptions(
    systems
      .command('add <code>')
      .description('register a system (registering the same details again changes nothing)')
      .requiredOption('--name <name>', 'display name, e.g. "Odoo production"')
      .addOption(new Option('--kind <kind>', 'kind of system').choices(SYSTEM_KINDS).makeOptionMandatory())
      .option('--sites <codes>', 'comma-separated site codes the system serves, e.g. EU1,US2', list),
  ).action(async (code: string, opts: RemoteFlags & { name: string; kind: SystemKind; sites?: string[] }) => {
    const { withTransport } = await import('./transport.ts');
    await withTransport(opts, 'canon systems add', async (t) => {
      const s = await systemMutation(t, 'registerSystem', 'RegisterSystemInput', {
        code,
        name: opts.name,
        kind: opts.kind,
        sites: opts.sites,
      });
      console.log(opts.json ? JSON.stringify(s) : describeSystem(s));
    });
  });
  remoteOptions(
    systems
      .command('update <code>')
      .description("change a system's name or sites, or make it active again")
      .option('--name <name>', 'new display name')
      .option('--sites <codes>', 'the sites it serves, all of them (replaces the list)', list)
      .option('--activate', 'make an inactive system active again')
      .option('--expected-lock-version <n>', 'refuse if the system changed since you read it', wholeNumber),
  ).action(
    async (
      code: string,
      opts: RemoteFlags & {
        name?: string;
        sites?: string[];
        activate?: boolean;
        expectedLockVersion?: number;
      },
    ) => {
      const { withTransport } = await import('./transport.ts');
      const { CanonError } = await import('../errors.ts');
      if (opts.name === undefined && opts.sites === undefined && !opts.activate)
        throw new CanonError('BAD_USER_INPUT', 'Nothing to change: give --name, --sites or --activate.');
      await withTransport(opts, 'canon systems update', async (t) => {
        const s = await systemMutation(t, 'updateSystem', 'UpdateSystemInput', {
          code,
          name: opts.name,
          sites: opts.sites,
          active: opts.activate ? true : undefined,
          expectedLockVersion: opts.expectedLockVersion,
        });
        console.log(opts.json ? JSON.stringify(s) : describeSystem(s));
      });
    },
  );
  remoteOptions(
    systems
      .command('own <system> <domain>')
      .description('make a system the system of record of a domain, or of one site or some fields of it')
      .option('--site <code>', 'only records of this site')
      .option('--fields <pointers>', 'only these fields, as JSON pointers: /weight,/dimensions', list)
      .option('--approvals <n>', 'approvals its proposals need (default 0: applied at once)', wholeNumber),
  ).action(
    async (
      system: string,
      domain: string,
      opts: RemoteFlags & { site?: string; fields?: string[]; approvals?: number },
    ) => {
      const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
      await withTransport(opts, 'canon systems own', async (t) => {
        const data = await t.call(
          `mutation($input: AssignSystemOfRecordInput!) { assignSystemOfRecord(input: $input) {
             ... on AssignSystemOfRecordPayload { systemOfRecordRule { ${RULE_FIELDS} } } ${ERROR_FIELDS} } }`,
          {
            input: {
              system,
              domain,
              site: opts.site,
              fields: opts.fields,
              requiredApprovals: opts.approvals,
            },
          },
        );
        const rule = payloadOf<{ systemOfRecordRule: Rule }>(
          data.assignSystemOfRecord,
          'The rule',
        ).systemOfRecordRule;
        console.log(opts.json ? JSON.stringify(rule) : `${rule.id}  ${describeRule(rule)}`);
      });
    },
  );
  remoteOptions(
    systems
      .command('disown <system> [domain]')
      .description(
        'end a system-of-record rule: name it as it was given to `own` (domain, --site, --fields), or give --rule <id>',
      )
      .option('--site <code>', 'the rule of this site')
      .option('--fields <pointers>', 'the rule of these fields', list)
      .option('--rule <id>', 'the rule by id (as `systems list --json` shows it)'),
  ).action(
    async (
      systemCode: string,
      domain: string | undefined,
      opts: RemoteFlags & { site?: string; fields?: string[]; rule?: string },
    ) => {
      const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
      const { CanonError } = await import('../errors.ts');
      if (!domain && !opts.rule) throw new CanonError('BAD_USER_INPUT', 'Give the domain (or --rule <id>).');
      await withTransport(opts, 'canon systems disown', async (t) => {
        const data = await t.call(`query($code: String!) { system(code: $code) { ${SYSTEM_FIELDS} } }`, {
          code: systemCode,
        });
        const system = payloadOf<SystemRow>(data.system, `The system ${systemCode}`);
        const rule = opts.rule
          ? system.systemOfRecordRules.find((r) => r.id === opts.rule)
          : matchingRule(system, domain as string, opts.site, opts.fields);
        if (!rule)
          throw new CanonError(
            'NOT_FOUND',
            `${systemCode} has no such rule; it owns: ${system.systemOfRecordRules.map(describeRule).join('; ') || 'nothing'}.`,
          );
        const removed = await t.call(
          `mutation($input: RemoveSystemOfRecordInput!) { removeSystemOfRecord(input: $input) {
             ... on RemoveSystemOfRecordPayload { removedRuleId } ${ERROR_FIELDS} } }`,
          { input: { id: rule.id } },
        );
        payloadOf(removed.removeSystemOfRecord, 'The rule');
        console.log(opts.json ? JSON.stringify(rule) : `${systemCode} no longer owns ${describeRule(rule)}`);
      });
    },
  );
  remoteOptions(
    systems
      .command('remove <code>')
      .description(
        'take a system out of the landscape: it becomes inactive (kept, with its ids and history), its rules stop applying and its connector tokens stop acting',
      ),
  ).action(async (code: string, opts: RemoteFlags) => {
    const { withTransport } = await import('./transport.ts');
    await withTransport(opts, 'canon systems remove', async (t) => {
      const s = await systemMutation(t, 'updateSystem', 'UpdateSystemInput', { code, active: false });
      console.log(
        opts.json
          ? JSON.stringify(s)
          : `${describeSystem(s)}; "systems update ${code} --activate" brings it back`,
      );
    });
  });
  remoteOptions(systems.command('list').description('list systems and their system-of-record rules')).action(
    async (opts: RemoteFlags) => {
      const { withTransport } = await import('./transport.ts');
      const { allPages } = await import('./output.ts');
      await withTransport(opts, 'canon systems list', async (t) => {
        const all = await allPages<SystemRow>(t, 'systems', SYSTEM_FIELDS);
        if (opts.json) {
          console.log(
            JSON.stringify(all.map(({ systemOfRecordRules, ...s }) => ({ ...s, owns: systemOfRecordRules }))),
          );
          return;
        }
        for (const s of all) {
          console.log(`${s.code}  ${s.kind}  ${s.name}${s.active ? '' : '  (inactive)'}`);
          for (const r of s.systemOfRecordRules) console.log(`  owns ${describeRule(r)}`);
        }
      });
    },
  );
}
