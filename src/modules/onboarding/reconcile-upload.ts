/**
 * POST /reconciliations/{domain}?system=S: a system's extract uploaded as the request body,
 * reconciled in the background (reconcile-jobs.ts); the answer (202) names the job, which
 * `reconciliation(id)` follows. Options: system (required), mapping, format, encoding, propose, name.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { XrefService } from '../xref/xref.service.ts';
import type { ImportService } from './import.service.ts';
import type { ReconcileJobs } from './reconcile-jobs.ts';
import { receiveUpload, uploadOptions } from './uploads.ts';

export async function handleReconcileUpload(
  deps: { jobs: ReconcileJobs; imports: ImportService; xref: XrefService },
  ctx: CallContext,
  req: IncomingMessage,
  res: ServerResponse,
  domain: string,
  query: URLSearchParams,
): Promise<void> {
  authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
  const system = query.get('system');
  if (!system)
    throw new CanonError('BAD_USER_INPUT', 'Name the system whose extract this is (?system=…).', {
      path: ['system'],
    });
  const propose = query.get('propose') === 'true';
  if (propose) authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord', { domain });
  const { format, encoding, mapping } = await uploadOptions(req, query, () => deps.imports.schemaOf(domain));
  await deps.xref.requireMapNames(ctx, system, domain); // an unknown system or domain: nothing is read
  const { file } = await receiveUpload(req);
  try {
    const job = await deps.jobs.start(
      ctx,
      {
        system,
        domain,
        mapping,
        format,
        encoding,
        propose,
        source: (query.get('name') ?? `extract.${format}`).slice(0, 200),
      },
      createReadStream(file),
      () => void rm(file, { force: true }),
    );
    res.writeHead(202, {
      'content-type': 'application/json; charset=utf-8',
      location: `/reconciliations/${job.id}`,
    });
    res.end(JSON.stringify({ reconciliation: { id: job.id, status: job.status, domain: job.domain } }));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}
