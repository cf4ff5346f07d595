/** `canon token create`: an API token, printed once. */
import { type Command, Option } from 'commander';
import { ROLES, type Role } from '../modules/auth/roles.ts';
import { systemContext } from '../startup.ts';
import { positiveInt, withServices } from './support.ts';

export function addTokenCommands(program: Command): void {
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
}
