/** `canon contracts push`: register and publish a folder of contracts, on the database or over HTTP. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CanonError } from '../errors.ts';
import { readContractsFolder } from '../modules/contracts/contracts-folder.ts';
import { systemContext } from '../startup.ts';
import { withServices } from './support.ts';

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

export function addContractCommands(program: Command): void {
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
}
