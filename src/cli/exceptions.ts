/**
 * `canon exceptions list | show | resolve | summary`: the exception queues from a terminal, on the
 * database or through a running Canon. Resolving several at once is one transaction (all or none).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { list, positiveInt, type RemoteFlags, remoteOptions } from './options.ts';

const STATES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'WONT_FIX'];
const states = (v: string) => {
  const values = v.split(',').map((s) => s.trim().toUpperCase().replace('-', '_'));
  const bad = values.find((s) => !STATES.includes(s));
  if (bad) throw new InvalidArgumentError(`${bad} is not one of ${STATES.join(', ')}`);
  return values;
};

const FIELDS = `id state source systemCode domain code message owner ownerReason assignee occurrences blocking
  recordId revision externalId firstSeenAt lastSeenAt resolvedAt resolution resolutionSeconds lockVersion
  record { key } payloadExcerpt comments { authorName text link createdAt }`;

const age = (iso: string) => {
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  return s < 3600
    ? `${Math.round(s / 60)}m`
    : s < 86400
      ? `${Math.round(s / 3600)}h`
      : `${Math.round(s / 86400)}d`;
};

export function addExceptionCommands(program: Command): void {
  const exceptions = program
    .command('exceptions')
    .description('integration exceptions: list, show, resolve, summary');

  remoteOptions(
    exceptions
      .command('list')
      .description('an owner’s queue, or exceptions by system, domain, code (newest first)')
      .option('--owner <team>', 'only this owning team')
      .option('--system <code>', 'only this system')
      .option('--domain <name>', 'only this domain')
      .option('--code <code>', 'only this error code')
      .option('--state <states>', 'comma-separated states (default OPEN,ACKNOWLEDGED)', states)
      .option('--older-than <seconds>', 'only those filed at least this long ago', positiveInt)
      .option('--limit <n>', 'at most this many (default 50)', positiveInt),
  ).action(async (opts: RemoteFlags & Record<string, any>) => {
    const { withTransport } = await import('./transport.ts');
    const { printTable } = await import('./output.ts');
    await withTransport(opts, 'canon exceptions list', async (t) => {
      const data = await t.call(
        `query($o: String, $s: String, $d: String, $c: String, $st: [ExceptionState!], $age: Int, $n: Int) {
           exceptions(owner: $o, system: $s, domain: $d, code: $c, states: $st, olderThanSeconds: $age, first: $n) {
             totalCount edges { node { ${FIELDS} } } } }`,
        {
          o: opts.owner,
          s: opts.system,
          d: opts.domain,
          c: opts.code,
          st: opts.state,
          age: opts.olderThan,
          n: opts.limit ?? 50,
        },
      );
      const rows = data.exceptions.edges.map((e: { node: Record<string, any> }) => e.node);
      if (opts.json) return console.log(JSON.stringify(rows));
      printTable(
        ['AGE', 'STATE', 'OWNER', 'SYSTEM', 'DOMAIN', 'RECORD', 'CODE', 'N', 'MESSAGE', 'ID'],
        rows.map((x: Record<string, any>) => [
          age(x.firstSeenAt),
          x.state,
          x.owner,
          x.systemCode,
          x.domain,
          x.record?.key ?? x.externalId ?? '',
          x.code,
          x.occurrences,
          x.message.length > 60 ? `${x.message.slice(0, 57)}...` : x.message,
          x.id,
        ]),
      );
      console.error(`${rows.length} of ${data.exceptions.totalCount}`);
    });
  });

  remoteOptions(
    exceptions.command('show <id>').description('one exception with its context and comments'),
  ).action(async (id: string, opts: RemoteFlags) => {
    const { withTransport } = await import('./transport.ts');
    const { CanonError } = await import('../errors.ts');
    await withTransport(opts, 'canon exceptions show', async (t) => {
      const data = await t.call(`query($id: ID!) { exception(id: $id) { ${FIELDS} } }`, { id });
      const x = data.exception;
      if (!x) throw new CanonError('NOT_FOUND', `The exception ${id} was not found or you may not see it.`);
      if (opts.json) return console.log(JSON.stringify(x));
      const lines = [
        `${x.code} (${x.state}) — ${x.message}`,
        `system ${x.systemCode}, ${x.source.toLowerCase()}, ${x.occurrences} occurrence(s), first ${x.firstSeenAt}, last ${x.lastSeenAt}`,
        `owner ${x.owner} (${x.ownerReason.toLowerCase().replaceAll('_', ' ')})${x.assignee ? `, assigned to ${x.assignee}` : ''}${x.blocking ? ', blocking (quarantines its record)' : ''}`,
        `record ${x.record?.key ?? '-'} ${x.recordId ?? ''}${x.revision ? ` revision ${x.revision}` : ''}${x.externalId ? `, the system's id ${x.externalId}` : ''}`,
        ...(x.resolvedAt
          ? [`closed ${x.resolvedAt} after ${Math.round(x.resolutionSeconds)} s: ${x.resolution}`]
          : []),
        ...(x.payloadExcerpt ? [`payload ${JSON.stringify(x.payloadExcerpt)}`] : []),
        ...x.comments.map(
          (c: Record<string, any>) =>
            `  ${c.createdAt} ${c.authorName ?? ''}: ${c.text}${c.link ? ` ${c.link}` : ''}`,
        ),
      ];
      console.log(lines.join('\n'));
    });
  });

  remoteOptions(
    exceptions
      .command('resolve <ids>')
      .description('close exceptions with a note (comma-separated ids: all or none)')
      .requiredOption('--note <text>', 'what was done')
      .option('--wont-fix', 'close them as WONT_FIX instead of RESOLVED'),
  ).action(async (ids: string, opts: RemoteFlags & { note: string; wontFix?: boolean }) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon exceptions resolve', async (t) => {
      const data = await t.call(
        `mutation($i: ResolveExceptionsInput!) { resolveExceptions(input: $i) { ... on ResolveExceptionsPayload { exceptions { id state } } ${ERROR_FIELDS} } }`,
        { i: { ids: list(ids), note: opts.note, resolution: opts.wontFix ? 'WONT_FIX' : 'RESOLVED' } },
      );
      const { exceptions: done } = payloadOf<{ exceptions: { id: string; state: string }[] }>(
        data.resolveExceptions,
        'The exceptions',
      );
      if (opts.json) return console.log(JSON.stringify(done));
      for (const x of done) console.log(`${x.id} ${x.state}`);
    });
  });

  remoteOptions(
    exceptions
      .command('summary')
      .description('resolution time (mean, p90) and live exceptions by age, per owner, domain and code')
      .option('--owner <team>', 'only this owning team')
      .option('--domain <name>', 'only this domain'),
  ).action(async (opts: RemoteFlags & { owner?: string; domain?: string }) => {
    const { withTransport } = await import('./transport.ts');
    const { printTable } = await import('./output.ts');
    await withTransport(opts, 'canon exceptions summary', async (t) => {
      const data = await t.call(
        `query($o: String, $d: String) { exceptionSummary(owner: $o, domain: $d) { owner domain code open acknowledged resolved wontFix
           meanResolutionSeconds p90ResolutionSeconds openUnderHour openUnderDay openUnderWeek openOlder } }`,
        { o: opts.owner, d: opts.domain },
      );
      if (opts.json) return console.log(JSON.stringify(data.exceptionSummary));
      const s = (v: number | null) =>
        v === null ? '' : v < 120 ? `${Math.round(v)}s` : `${Math.round(v / 60)}m`;
      printTable(
        ['OWNER', 'DOMAIN', 'CODE', 'LIVE', '<1H', '<1D', '<7D', 'OLDER', 'CLOSED', 'MEAN', 'P90'],
        data.exceptionSummary.map((r: Record<string, any>) => [
          r.owner,
          r.domain,
          r.code,
          r.open + r.acknowledged,
          r.openUnderHour,
          r.openUnderDay,
          r.openUnderWeek,
          r.openOlder,
          r.resolved + r.wontFix,
          s(r.meanResolutionSeconds),
          s(r.p90ResolutionSeconds),
        ]),
      );
    });
  });
}
