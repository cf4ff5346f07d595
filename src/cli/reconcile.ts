/**
 * `canon reconcile <extract> --system S --domain D`: a system's extract against Canon — a summary on
 * the terminal, every difference in a CSV or NDJSON file, proposals for the fields the system owns
 * with `--propose`. `canon xrefs import <file>` links a system's ids to existing records by key.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import { finished } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { ReconcileSummary } from '../modules/onboarding/reconcile.service.ts';
import type { SourceEncoding, SourceFormat } from '../modules/onboarding/row-sources.ts';
import type { RemoteFlags } from './options.ts';

const formatOf = (file: string, given?: SourceFormat): SourceFormat =>
  given ?? (['.ndjson', '.jsonl'].includes(extname(file).toLowerCase()) ? 'ndjson' : 'csv');

const COLUMNS = [
  'kind',
  'row',
  'externalId',
  'key',
  'recordId',
  'pointer',
  'canon',
  'system',
  'message',
] as const;

export function addReconcileCommands(program: Command): void {
  program
    .command('reconcile <extract>')
    .description("compare a system's extract with the golden records and its cross-references")
    .requiredOption('--system <code>', 'the system the extract comes from')
    .requiredOption('--domain <domain>', 'the domain of the rows')
    .option('--mapping <name|file>', 'as for canon import', 'canon')
    .addOption(
      new Option('--format <format>', 'the extract format (default: from the extension)').choices([
        'csv',
        'ndjson',
      ]),
    )
    .addOption(
      new Option('--encoding <encoding>', 'the extract text encoding')
        .choices(['utf8', 'latin1'])
        .default('utf8'),
    )
    .option('--report <file>', 'every difference, as CSV (.csv) or NDJSON')
    .option('--propose', "propose the system's values where they differ in fields the system owns")
    .option('--url <url>', 'reconcile on a running Canon instead of the database (default: $CANON_URL)')
    .option('--token <token>', 'API token for --url (default: $CANON_TOKEN)')
    .action(
      async (
        extract: string,
        opts: RemoteFlags & {
          system: string;
          domain: string;
          mapping: string;
          format?: SourceFormat;
          encoding: SourceEncoding;
          report?: string;
          propose?: boolean;
        },
      ) => {
        const format = formatOf(extract, opts.format);
        const { neutralised } = await import('../modules/onboarding/export.service.ts');
        const out = opts.report ? createWriteStream(opts.report) : null;
        const csv = opts.report ? extname(opts.report).toLowerCase() === '.csv' : false;
        if (out && csv) out.write(stringify([COLUMNS as unknown as string[]]));
        const write = async (d: Partial<Record<(typeof COLUMNS)[number], unknown>>) => {
          if (!out) return;
          const line = csv
            ? stringify([
                COLUMNS.map((c) => {
                  const v = d[c];
                  return v === undefined || v === null
                    ? ''
                    : neutralised(typeof v === 'object' ? JSON.stringify(v) : String(v));
                }),
              ])
            : `${JSON.stringify(d)}\n`;
          if (!out.write(line)) await once(out, 'drain');
        };
        const { progressReporter } = await import('./progress.ts');
        const { remoteTarget } = await import('./transport.ts');
        const target = remoteTarget(opts);
        let summary: ReconcileSummary;
        if (target) {
          const { reconcileThroughServer } = await import('./reconcile-remote.ts');
          summary = await reconcileThroughServer(target, extract, { ...opts, format }, write);
        } else {
          const { withServices, systemContext } = await import('./support.ts');
          summary = await withServices('canon reconcile', async (services) => {
            const { resolveMapping } = await import('./import.ts');
            const mapping = await resolveMapping(services.imports, opts.mapping, opts.domain);
            const progress = progressReporter('reconcile');
            try {
              return await services.reconcile.run(
                systemContext('cli'),
                { ...opts, mapping, format },
                createReadStream(extract),
                write,
                (s) => progress.update(s.rows, undefined, `${s.rows - s.identical} not identical`),
              );
            } finally {
              progress.stop();
            }
          });
        }
        if (out) {
          out.end();
          await finished(out);
        }
        console.log(`${summary.rows} rows: ${summary.matched} matched (${summary.identical} identical)`);
        for (const [kind, n] of Object.entries(summary.counts))
          if (n > 0) console.log(`  ${kind.toLowerCase().replace(/_/g, ' ')}: ${n}`);
        if (opts.propose) console.log(`  proposals: ${summary.proposals}`);
        if (opts.report) console.log(`report: ${opts.report}`);
        const differences = Object.values(summary.counts).reduce((a, b) => a + b, 0);
        if (differences > 0) process.exitCode = 2;
      },
    );
  const xrefs = program.command('xrefs').description("a system's cross-references");
  xrefs
    .command('import <file>')
    .description(
      "link a system's ids to records already in Canon: lines of externalId, key (and externalKey)",
    )
    .requiredOption('--system <code>', 'the system the ids belong to')
    .requiredOption('--domain <domain>', 'the domain of the records')
    .addOption(new Option('--format <format>', 'default: from the extension').choices(['csv', 'ndjson']))
    .action(async (file: string, opts: { system: string; domain: string; format?: SourceFormat }) => {
      const { withServices, systemContext } = await import('./support.ts');
      await withServices('canon xrefs import', async (services) => {
        const { importXrefs } = await import('../modules/onboarding/xref-import.ts');
        const result = await importXrefs(
          services,
          systemContext('cli'),
          { system: opts.system, domain: opts.domain, format: formatOf(file, opts.format) },
          createReadStream(file),
        );
        console.log(
          `${result.rows} lines: ${result.linked} linked, ${result.unchanged} already linked, ${result.refused.length} refused`,
        );
        for (const r of result.refused.slice(0, 50)) console.log(`  line ${r.row}: ${r.code} ${r.message}`);
        if (result.refused.length > 50) console.log(`  … and ${result.refused.length - 50} more`);
        if (result.refused.length > 0) process.exitCode = 2;
      });
    });
}
