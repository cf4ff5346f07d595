/** `canon token create | list | revoke | rotate`: API tokens, on the database or through a running Canon. */
import { type Command, Option } from 'commander';
import { ROLES, type Role } from '../modules/auth/roles.ts';
import { positiveInt, type RemoteFlags, remoteOptions } from './options.ts';

const TOKEN_FIELDS = 'id prefix name createdAt expiresAt lastUsedAt revokedAt actor { name role systemCode }';

interface TokenRow {
  id: string;
  prefix: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  actor: { name: string; role: string; systemCode: string | null };
}

const state = (t: TokenRow) =>
  t.revokedAt
    ? `revoked ${t.revokedAt}`
    : t.expiresAt && new Date(t.expiresAt) < new Date()
      ? `expired ${t.expiresAt}`
      : t.expiresAt
        ? `expires ${t.expiresAt}`
        : 'no expiry';

export function addTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens');
  remoteOptions(
    token
      .command('create')
      .description('create an API token and print it (shown once)')
      .addOption(new Option('--role <role>', 'role of the token').choices(ROLES).makeOptionMandatory())
      .option('--system <code>', 'system a connector token acts for (connector only)')
      .option('--name <name>', 'name of the actor the token authenticates as (created when new)')
      .option('--label <label>', 'label of the token itself')
      .option('--expires-in-days <days>', 'days until the token expires', positiveInt),
  ).action(
    async (
      opts: RemoteFlags & {
        role: Role;
        system?: string;
        name?: string;
        label?: string;
        expiresInDays?: number;
      },
    ) => {
      const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
      await withTransport(opts, 'canon token create', async (t) => {
        const data = await t.call(
          `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
             ... on CreateApiTokenPayload { token apiToken { ${TOKEN_FIELDS} } } ${ERROR_FIELDS} } }`,
          {
            input: {
              role: opts.role.toUpperCase(),
              systemCode: opts.system,
              actorName: opts.name,
              name: opts.label,
              expiresInDays: opts.expiresInDays,
            },
          },
        );
        const created = payloadOf<{ token: string; apiToken: TokenRow }>(data.createApiToken, 'The token');
        if (opts.json)
          console.log(
            JSON.stringify({
              token: created.token,
              id: created.apiToken.id,
              prefix: created.apiToken.prefix,
              actor: created.apiToken.actor.name,
              role: created.apiToken.actor.role.toLowerCase(),
            }),
          );
        else console.log(created.token);
      });
    },
  );
  remoteOptions(
    token
      .command('list')
      .description('list tokens (never their secrets): prefix, actor, role, state, last use')
      .option('--active', 'only tokens that are neither revoked nor expired'),
  ).action(async (opts: RemoteFlags & { active?: boolean }) => {
    const { withTransport } = await import('./transport.ts');
    const { allPages, printTable } = await import('./output.ts');
    await withTransport(opts, 'canon token list', async (t) => {
      let rows = await allPages<TokenRow>(t, 'apiTokens', TOKEN_FIELDS);
      if (opts.active)
        rows = rows.filter((r) => !r.revokedAt && !(r.expiresAt && new Date(r.expiresAt) < new Date()));
      if (opts.json) return console.log(JSON.stringify(rows));
      printTable(
        ['ID', 'PREFIX', 'ACTOR', 'ROLE', 'LABEL', 'STATE', 'LAST USED'],
        rows.map((r) => [
          r.id,
          r.prefix,
          r.actor.name,
          `${r.actor.role.toLowerCase()}${r.actor.systemCode ? ` (${r.actor.systemCode})` : ''}`,
          r.name,
          state(r),
          r.lastUsedAt ?? 'never',
        ]),
      );
    });
  });
  remoteOptions(
    token.command('revoke <id>').description('revoke a token at once (it stops working on every replica)'),
  ).action(async (id: string, opts: RemoteFlags) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon token revoke', async (t) => {
      const data = await t.call(
        `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) {
             ... on RevokeApiTokenPayload { apiToken { ${TOKEN_FIELDS} } } ${ERROR_FIELDS} } }`,
        { input: { id } },
      );
      const r = payloadOf<{ apiToken: TokenRow }>(data.revokeApiToken, `The token ${id}`);
      if (opts.json) console.log(JSON.stringify(r.apiToken));
      else console.log(`${r.apiToken.prefix} (${r.apiToken.actor.name}): revoked ${r.apiToken.revokedAt}`);
    });
  });
  remoteOptions(
    token
      .command('rotate <id>')
      .description(
        'replace a token by a new one for the same actor and print it (shown once); the old one stops working',
      ),
  ).action(async (id: string, opts: RemoteFlags) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon token rotate', async (t) => {
      const data = await t.call(
        `mutation($input: RotateApiTokenInput!) { rotateApiToken(input: $input) {
           ... on RotateApiTokenPayload { token notice apiToken { ${TOKEN_FIELDS} } } ${ERROR_FIELDS} } }`,
        { input: { id } },
      );
      const r = payloadOf<{ token: string; notice: string | null; apiToken: TokenRow }>(
        data.rotateApiToken,
        `The token ${id}`,
      );
      if (opts.json)
        console.log(
          JSON.stringify({ token: r.token, id: r.apiToken.id, prefix: r.apiToken.prefix, notice: r.notice }),
        );
      else {
        console.log(r.token);
        if (r.notice) console.error(r.notice);
      }
    });
  });
}
