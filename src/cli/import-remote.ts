/**
 * `canon import <file> --url …`: the file uploaded to a running Canon (POST /imports/{domain}, the
 * server imports it in the background) and the job followed until it ends — progress on stderr,
 * Ctrl-C asks the server to stop after the batch in flight (cancelImport), the report fetched page
 * by page. The same options and output as an import on the database, but for mapping files (the
 * server takes `canon` and the built-in `odoo:<model>` mappings).
 */
import { basename } from 'node:path';
import { CanonError } from '../errors.ts';
import type { SourceFormat } from '../modules/onboarding/row-sources.ts';
import { type ImportOptions, importSummary, writeReport } from './import.ts';
import { progressReporter } from './progress.ts';
import { ERROR_FIELDS, payloadOf, remoteTransport } from './transport.ts';
import { requireServerMapping, uploadFile } from './upload.ts';

/** The import's options with the format and report format settled (from the file names when not given). */
export type RemoteImportOptions = ImportOptions & { format: SourceFormat; reportFormat: 'csv' | 'ndjson' };

const JOB_FIELDS =
  'id status mode message cancelRequested rowsTotal rowsDone rowsCreated rowsUpdated rowsUnchanged rowsProposed rowsRefused rowsWarned xrefsLinked';

async function upload(url: string, token: string, file: string, o: RemoteImportOptions): Promise<string> {
  requireServerMapping(o.mapping, 'import');
  const query = new URLSearchParams({
    mode: o.mode,
    mapping: o.mapping,
    format: o.format,
    encoding: o.encoding,
    batch: String(o.batch),
    skipInvalid: String(Boolean(o.skipInvalid)),
    resume: String(Boolean(o.resume)),
    name: basename(file),
    ...(o.system ? { system: o.system } : {}),
  });
  const body = await uploadFile<{ importJob?: { id: string } }>(
    { url, token },
    `/imports/${encodeURIComponent(o.domain)}?${query}`,
    file,
    o.format === 'ndjson' ? 'application/x-ndjson' : 'text/csv',
  );
  if (!body.importJob)
    throw new CanonError('INTERNAL_SERVER_ERROR', `${url} answered the upload without a job.`);
  return body.importJob.id;
}

/** Uploads, follows and reports; the exit code follows the local import's (0, 2 refused rows, 130 cancelled). */
export async function importThroughServer(
  target: { url: string; token: string },
  file: string,
  o: RemoteImportOptions,
): Promise<void> {
  const t = remoteTransport(target.url, target.token);
  const id = await upload(target.url, target.token, file, o);
  console.error(`import ${id} started on ${target.url}`);
  const progress = progressReporter('import');
  let cancelling = false;
  const onSigint = () => {
    if (cancelling) process.exit(130);
    cancelling = true;
    console.error('\nasking the server to stop after the batch in flight (Ctrl-C again to leave it running)');
    t.call(
      `mutation($input: CancelImportInput!) { cancelImport(input: $input) { ... on CancelImportPayload { importJob { id } } ${ERROR_FIELDS} } }`,
      {
        input: { id },
      },
    ).catch((error) => console.error((error as Error).message));
  };
  process.on('SIGINT', onSigint);
  let job: Record<string, any>;
  try {
    for (;;) {
      const data = await t.call(`query($id: ID!) { importJob(id: $id) { ${JOB_FIELDS} } }`, { id });
      job = payloadOf<Record<string, any>>(data.importJob, `The import ${id}`);
      progress.update(job.rowsDone, job.rowsTotal ?? undefined, `${job.rowsRefused} refused`);
      if (job.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  console.log(importSummary(job as never, Boolean(o.system)));
  if (job.status === 'FAILED')
    throw new CanonError(
      'INTERNAL_SERVER_ERROR',
      `import ${id} failed: ${job.message ?? 'see the server log'}`,
    );
  if (o.report) {
    const lines = await writeReport(
      async (after, limit) => {
        const data = await t.call(
          `query($id: ID!, $after: ID, $first: Int) { importJob(id: $id) { report(after: $after, first: $first) { id row businessKey pointer code message severity } } }`,
          { id, after, first: limit },
        );
        return data.importJob.report;
      },
      o.report,
      o.reportFormat,
      1_000,
    );
    console.log(`report: ${lines} line(s) in ${o.report}`);
  }
  if (job.status === 'CANCELLED') process.exitCode = 130;
  else if (job.rowsRefused > 0) process.exitCode = 2;
}
