/**
 * `canon reconcile <extract> --url …`: the extract uploaded to a running Canon
 * (POST /reconciliations/{domain}), the job followed until it ends, its differences read page by page
 * into the same report, and the same summary as on the database. Mapping files only on the database.
 */
import { basename } from 'node:path';
import { CanonError } from '../errors.ts';
import type { Difference, ReconcileSummary } from '../modules/onboarding/reconcile.service.ts';
import type { SourceFormat } from '../modules/onboarding/row-sources.ts';
import { progressReporter } from './progress.ts';
import { payloadOf, remoteTransport } from './transport.ts';
import { requireServerMapping, uploadFile } from './upload.ts';

type Row = Partial<
  Record<
    'kind' | 'row' | 'externalId' | 'key' | 'recordId' | 'pointer' | 'canon' | 'system' | 'message',
    unknown
  >
>;

export async function reconcileThroughServer(
  target: { url: string; token: string },
  extract: string,
  o: {
    system: string;
    domain: string;
    mapping: string;
    format: SourceFormat;
    encoding: string;
    propose?: boolean;
  },
  write: (d: Row) => Promise<void>,
): Promise<ReconcileSummary> {
  requireServerMapping(o.mapping, 'reconcile');
  const query = new URLSearchParams({
    system: o.system,
    mapping: o.mapping,
    format: o.format,
    encoding: o.encoding,
    propose: String(Boolean(o.propose)),
    name: basename(extract),
  });
  const body = await uploadFile<{ reconciliation?: { id: string } }>(
    target,
    `/reconciliations/${encodeURIComponent(o.domain)}?${query}`,
    extract,
    o.format === 'ndjson' ? 'application/x-ndjson' : 'text/csv',
  );
  const id = body.reconciliation?.id;
  if (!id) throw new CanonError('INTERNAL_SERVER_ERROR', `${target.url} answered the upload without a job.`);
  console.error(`reconciliation ${id} started on ${target.url}`);
  const t = remoteTransport(target.url, target.token);
  const progress = progressReporter('reconcile', 'differences');
  let job: Record<string, any>;
  try {
    for (;;) {
      const data = await t.call(
        `query($id: ID!) { reconciliation(id: $id) { status message differencesFound
           summary { rows matched identical proposals counts { kind count } } } }`,
        { id },
      );
      job = payloadOf<Record<string, any>>(data.reconciliation, `The reconciliation ${id}`);
      progress.update(job.differencesFound);
      if (job.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    progress.stop();
  }
  if (job.status !== 'COMPLETED' || !job.summary)
    throw new CanonError(
      'INTERNAL_SERVER_ERROR',
      `reconciliation ${id} failed: ${job.message ?? 'see the server log'}`,
    );
  for (let after: string | undefined; ; ) {
    const data = await t.call(
      `query($id: ID!, $after: ID) { reconciliation(id: $id) { differences(first: 1000, after: $after) {
         id kind row externalId businessKey recordId pointer canonValue systemValue message } } }`,
      { id, after },
    );
    const page = data.reconciliation.differences as Record<string, unknown>[];
    for (const d of page)
      await write({
        kind: d.kind,
        row: d.row,
        externalId: d.externalId,
        key: d.businessKey,
        recordId: d.recordId,
        pointer: d.pointer,
        canon: d.canonValue,
        system: d.systemValue,
        message: d.message,
      });
    if (page.length < 1000) break;
    after = page[page.length - 1].id as string;
  }
  const s = job.summary;
  return {
    rows: s.rows,
    matched: s.matched,
    identical: s.identical,
    proposals: s.proposals,
    counts: Object.fromEntries(
      s.counts.map((c: { kind: string; count: number }) => [c.kind, c.count]),
    ) as Record<Difference['kind'], number>,
  };
}
