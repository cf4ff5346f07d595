/**
 * POST /imports/{domain}: a file uploaded as the request body (text/csv or application/x-ndjson) is
 * written to a temporary file while its sha256 is computed (uploads.ts), then imported in the
 * background like `canon import`; the answer (202) names the job, which `importJob(id)` follows and
 * `cancelImport` stops. Options come as query parameters: mode, system, mapping (canon or
 * odoo:<model>), format, encoding, batch, skipInvalid, resume.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ImportService } from './import.service.ts';
import type { ImportMode } from './import-job.entity.ts';
import { receiveUpload, uploadOptions } from './uploads.ts';

export async function handleImportUpload(
  imports: ImportService,
  ctx: CallContext,
  req: IncomingMessage,
  res: ServerResponse,
  domain: string,
  query: URLSearchParams,
): Promise<void> {
  const mode = (query.get('mode') ?? 'propose').toUpperCase() as ImportMode;
  if (mode !== 'PROPOSE' && mode !== 'APPLY')
    throw new CanonError('BAD_USER_INPUT', 'mode is propose or apply.', { path: ['mode'] });
  // the same rights as the import itself: administrators apply, stewards (and connectors) propose
  if (mode === 'APPLY') authorize(ctx.ability, ctx.actor, 'manage', 'GoldenRecord');
  else if (ctx.actor?.role !== 'connector')
    authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord', { domain });
  else authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
  const batchSize = Number(query.get('batch') ?? 1000);
  const { format, encoding, mappingName, mapping } = await uploadOptions(req, query, () =>
    imports.schemaOf(domain),
  );
  const { file, sha256 } = await receiveUpload(req);
  try {
    const options = JSON.stringify([
      domain,
      mode,
      query.get('system'),
      mappingName,
      batchSize,
      query.get('skipInvalid') === 'true',
      format,
      encoding,
    ]);
    const job = await imports.start(
      ctx,
      {
        domain,
        mode,
        system: query.get('system') ?? undefined,
        mapping,
        format,
        encoding,
        batchSize,
        skipInvalid: query.get('skipInvalid') === 'true',
        resume: query.get('resume') === 'true',
        source: (query.get('name') ?? `upload.${format}`).slice(0, 200),
        fingerprint: createHash('sha256').update(sha256).update(options).digest('hex'),
      },
      createReadStream(file),
      () => void rm(file, { force: true }),
    );
    res.writeHead(202, { 'content-type': 'application/json; charset=utf-8', location: `/imports/${job.id}` });
    res.end(JSON.stringify({ importJob: { id: job.id, status: job.status, domain: job.domain } }));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}
