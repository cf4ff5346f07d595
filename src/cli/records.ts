/** `canon records get | history`: a golden record and its revisions, on the database or through a running Canon. */
import type { Command } from 'commander';
import { dateTime, type RemoteFlags, remoteOptions } from './options.ts';
import type { Transport } from './transport.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECORD_FIELDS =
  'id domain key site status revision latestRevision lockVersion contractVersion effectiveFrom updatedAt renamedFrom data findings { code path severity message }';

/** A record by id, or by its key in a domain (the key it has now, or one it had before a rekey). */
async function findRecord(
  t: Transport,
  domain: string,
  key: string,
  asOf?: string,
): Promise<Record<string, any>> {
  const { CanonError } = await import('../errors.ts');
  if (UUID.test(key)) {
    const data = await t.call(
      `query($id: ID!, $asOf: DateTime) { record(id: $id, asOf: $asOf) { ${RECORD_FIELDS} } }`,
      { id: key, asOf },
    );
    if (data.record && data.record.domain === domain) return data.record;
  }
  // keys sort before every longer key that starts with them: the first record of the prefix is the key's
  const data = await t.call(
    `query($domain: String!, $key: String!, $asOf: DateTime) {
       records(domain: $domain, filter: { keyPrefix: $key }, first: 1, asOf: $asOf) { edges { node { ${RECORD_FIELDS} } } } }`,
    { domain, key, asOf },
  );
  const found = data.records.edges[0]?.node;
  if (found?.key === key) return found;
  throw new CanonError(
    'NOT_FOUND',
    `No ${domain} record has the key "${key}"${asOf ? ` as of ${asOf}` : ''} (keys are case-sensitive; "canon export --domain ${domain}" lists them).`,
  );
}

export function addRecordCommands(program: Command): void {
  const records = program.command('records').description('golden records');
  remoteOptions(
    records
      .command('get <domain> <key>')
      .description('a record by its key (or id): status, revision, data, findings')
      .option('--as-of <time>', 'its value at this moment (valid time)', dateTime),
  ).action(async (domain: string, key: string, opts: RemoteFlags & { asOf?: string }) => {
    const { withTransport } = await import('./transport.ts');
    await withTransport(opts, 'canon records get', async (t) => {
      const r = await findRecord(t, domain, key, opts.asOf);
      if (opts.json) return console.log(JSON.stringify(r));
      console.log(
        `${r.domain} ${r.key}${r.site ? ` (site ${r.site})` : ''}: ${r.status.toLowerCase()}, revision ${r.revision}${r.latestRevision !== r.revision ? ` (latest ${r.latestRevision})` : ''}, contract ${r.contractVersion}, id ${r.id}`,
      );
      if (r.renamedFrom) console.log(`(found by its former key ${r.renamedFrom})`);
      for (const f of r.findings)
        console.log(`${f.severity.toLowerCase()}: ${f.path || '/'} ${f.code}: ${f.message}`);
      console.log(JSON.stringify(r.data, null, 2));
    });
  });
  remoteOptions(
    records
      .command('history <domain> <key>')
      .description('every revision of a record, oldest first: who, when, why, which fields changed'),
  ).action(async (domain: string, key: string, opts: RemoteFlags) => {
    const { withTransport } = await import('./transport.ts');
    const { printTable } = await import('./output.ts');
    await withTransport(opts, 'canon records history', async (t) => {
      const { id } = await findRecord(t, domain, key);
      const revisions: Record<string, any>[] = [];
      let after: string | null = null;
      for (;;) {
        const data: Record<string, any> = await t.call(
          `query($id: ID!, $after: String) { history(recordId: $id, first: 100, after: $after) {
             edges { node { revision operation status effectiveFrom recordedAt createdByName reason changeRequestId
               changes { op path before after } } } pageInfo { hasNextPage endCursor } } }`,
          { id, after },
        );
        revisions.push(...data.history.edges.map((e: { node: unknown }) => e.node));
        if (!data.history.pageInfo.hasNextPage) break;
        after = data.history.pageInfo.endCursor;
      }
      if (opts.json) return console.log(JSON.stringify(revisions));
      printTable(
        ['REV', 'OPERATION', 'STATUS', 'EFFECTIVE', 'RECORDED', 'BY', 'CHANGED', 'REASON'],
        revisions.map((v) => [
          v.revision,
          v.operation.toLowerCase(),
          v.status.toLowerCase(),
          v.effectiveFrom,
          v.recordedAt,
          v.createdByName ?? '',
          v.changes.map((c: { path: string }) => c.path).join(' '),
          v.reason ?? '',
        ]),
      );
    });
  });
}
