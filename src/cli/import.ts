/**
 * `canon import <file>`: a CSV or NDJSON file into a domain, batch by batch, with a progress bar on a
 * terminal (plain lines otherwise), a per-row report, and an exit code that says whether any row was
 * refused (0 none, 2 some, 1 the import itself failed). Ctrl-C stops after the batch in flight;
 * `--resume` continues the same file from the last committed batch.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { finished } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { stringify } from 'csv-stringify';
import type { ImportService } from '../modules/onboarding/import.service.ts';
import type { ImportJob } from '../modules/onboarding/import-job.entity.ts';
import {
  canonMapping,
  declarativeMapping,
  loadMappingFile,
  type RowMapping,
} from '../modules/onboarding/mappings.ts';
import { BUILT_IN_MAPPINGS, builtInMapping } from '../modules/onboarding/odoo-mappings.ts';
import type { SourceEncoding, SourceFormat } from '../modules/onboarding/row-sources.ts';
import { positiveInt, type RemoteFlags } from './options.ts';

/** The options of `canon import`, as commander parses them. */
export interface ImportOptions {
  domain: string;
  system?: string;
  mapping: string;
  mode: 'propose' | 'apply';
  batch: number;
  skipInvalid?: boolean;
  resume?: boolean;
  format?: SourceFormat;
  encoding: SourceEncoding;
  report?: string;
  reportFormat?: 'csv' | 'ndjson';
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function resolveMapping(
  imports: ImportService,
  name: string,
  domain: string,
): Promise<RowMapping> {
  const builtIn = builtInMapping(name);
  if (builtIn) return builtIn;
  const schema = await imports.schemaOf(domain);
  if (name === 'canon') return canonMapping(schema);
  return declarativeMapping(basename(name), await loadMappingFile(name), schema);
}

/** Writes a job's report (every line, in order) as CSV or NDJSON. */
/** A line of an import's report, as the report file holds it. */
export interface ReportLine {
  id: string;
  row: number | null;
  businessKey: string | null;
  pointer: string;
  code: string;
  message: string;
  severity: string;
}

/** Writes an import's report (read page by page from `page`) as CSV or NDJSON; returns the lines written. */
export async function writeReport(
  page: (after: string | undefined, limit: number) => Promise<ReportLine[]>,
  path: string,
  format: 'csv' | 'ndjson',
  limit = 5_000,
): Promise<number> {
  const out = createWriteStream(path);
  const csv =
    format === 'csv'
      ? stringify({ header: true, columns: ['row', 'businessKey', 'pointer', 'code', 'message', 'severity'] })
      : null;
  csv?.pipe(out);
  let after: string | undefined;
  let n = 0;
  for (;;) {
    const lines = await page(after, limit);
    for (const { id: _id, ...line } of lines) {
      if (csv) csv.write(line);
      else out.write(`${JSON.stringify(line)}\n`);
    }
    n += lines.length;
    if (lines.length < limit) break;
    after = lines[lines.length - 1].id;
  }
  if (csv) csv.end();
  else out.end();
  await finished(out);
  return n;
}

/** The summary line both ways of importing print. */
export function importSummary(
  job: {
    id: string;
    status: string;
    mode: string;
    rowsDone: number;
    rowsCreated: number;
    rowsUpdated: number;
    rowsUnchanged: number;
    rowsProposed: number;
    rowsRefused: number;
    rowsWarned: number;
    xrefsLinked: number;
  },
  withSystem: boolean,
): string {
  return `import ${job.id} ${job.status.toLowerCase()}: ${job.rowsDone} rows, ${job.rowsCreated} created, ${job.rowsUpdated} updated, ${job.rowsUnchanged} unchanged, ${job.mode === 'PROPOSE' ? `${job.rowsProposed} proposed, ` : ''}${job.rowsRefused} refused${job.rowsWarned > 0 ? `, ${job.rowsWarned} with warnings` : ''}${withSystem ? `, ${job.xrefsLinked} ids linked` : ''}`;
}

export function addImportCommand(program: Command): void {
  program
    .command('import <file>')
    .description('import a CSV or NDJSON file into a domain, validated and audited, batch by batch')
    .requiredOption('--domain <domain>', 'the domain the rows belong to, e.g. item')
    .option(
      '--system <code>',
      "link each row's external id (the mapping's id column) to its record in this system's map",
    )
    .option(
      '--mapping <name|file>',
      `canon (columns named after the contract's fields), ${BUILT_IN_MAPPINGS.join(', ')}, or a mapping file (JSON)`,
      'canon',
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'propose: one bulk change request per batch for stewards to approve; apply: write the records directly (administrators; audited as one import)',
      )
        .choices(['propose', 'apply'])
        .default('propose'),
    )
    .option('--batch <n>', 'rows per transaction', positiveInt, 1000)
    .option(
      '--skip-invalid',
      'apply the valid rows of a batch that has refused rows (default: the batch is refused whole)',
    )
    .option(
      '--resume',
      'continue the unfinished import of the same file and options after its last committed batch',
    )
    .addOption(
      new Option('--format <format>', 'the file format (default: from the extension)').choices([
        'csv',
        'ndjson',
      ]),
    )
    .addOption(
      new Option('--encoding <encoding>', 'the file text encoding')
        .choices(['utf8', 'latin1'])
        .default('utf8'),
    )
    .option(
      '--report <file>',
      'write every refused row and every warning (row, businessKey, pointer, code, message, severity) to this file',
    )
    .addOption(
      new Option('--report-format <format>', 'the report format (default: from the extension)').choices([
        'csv',
        'ndjson',
      ]),
    )
    .option('--url <url>', 'upload to a running Canon instead of the database (default: $CANON_URL)')
    .option('--token <token>', 'API token for --url (default: $CANON_TOKEN)')
    .action(async (file: string, opts: ImportOptions & RemoteFlags) => {
      const format: SourceFormat =
        opts.format ?? (['.ndjson', '.jsonl'].includes(extname(file).toLowerCase()) ? 'ndjson' : 'csv');
      const reportFormat =
        opts.reportFormat ??
        (opts.report && extname(opts.report).toLowerCase() === '.csv' ? 'csv' : 'ndjson');
      const { remoteTarget } = await import('./transport.ts');
      const target = remoteTarget(opts);
      if (target) {
        const { importThroughServer } = await import('./import-remote.ts');
        await importThroughServer(target, file, { ...opts, format, reportFormat });
        return;
      }
      const { withServices, systemContext } = await import('./support.ts');
      await withServices('canon import', async (services) => {
        const ctx = systemContext('cli');
        const mapping = await resolveMapping(services.imports, opts.mapping, opts.domain);
        const fingerprint = createHash('sha256')
          .update(await sha256Of(file))
          .update(
            JSON.stringify([
              opts.domain,
              opts.system ?? null,
              opts.mapping,
              opts.mode,
              opts.batch,
              Boolean(opts.skipInvalid),
              format,
              opts.encoding,
            ]),
          )
          .digest('hex');
        let stop = false;
        const onSigint = () => {
          if (stop) process.exit(130);
          stop = true;
          console.error(
            '\nstopping after the batch in flight (Ctrl-C again to quit at once; --resume continues)',
          );
        };
        process.on('SIGINT', onSigint);
        const { progressReporter } = await import('./progress.ts');
        const progress = progressReporter('import');
        let job: ImportJob;
        try {
          job = await services.imports.run(
            ctx,
            {
              domain: opts.domain,
              mode: opts.mode === 'apply' ? 'APPLY' : 'PROPOSE',
              system: opts.system,
              mapping,
              format,
              encoding: opts.encoding,
              batchSize: opts.batch,
              skipInvalid: Boolean(opts.skipInvalid),
              resume: Boolean(opts.resume),
              source: basename(file),
              fingerprint,
            },
            createReadStream(file),
            {
              onProgress: ({ job: j }) =>
                progress.update(j.rowsDone, j.rowsTotal ?? undefined, `${j.rowsRefused} refused`),
              shouldStop: () => stop,
            },
          );
        } finally {
          progress.stop();
          process.off('SIGINT', onSigint);
        }
        console.log(importSummary(job, Boolean(opts.system)));
        if (opts.report) {
          const reportFormat =
            opts.reportFormat ?? (extname(opts.report).toLowerCase() === '.csv' ? 'csv' : 'ndjson');
          const lines = await writeReport(
            async (after, limit) =>
              (await services.imports.report(ctx, job.id, { after, limit })).map((r) => ({
                id: r.id,
                row: r.rowNumber,
                businessKey: r.businessKey ?? null,
                pointer: r.pointer,
                code: r.code,
                message: r.message,
                severity: r.severity,
              })),
            opts.report,
            reportFormat,
          );
          console.log(`report: ${lines} line(s) in ${opts.report}`);
        }
        if (job.status === 'CANCELLED') process.exitCode = 130;
        else if (job.rowsRefused > 0) process.exitCode = 2;
      });
    });
}
