/**
 * POST /imports/{domain}: a file uploaded as the request body (text/csv or application/x-ndjson) is
 * written to a temporary file while its sha256 is computed, then imported in the background like
 * `canon import`; the answer (202) names the job, which `importJob(id)` follows and `cancelImport`
 * stops. Options come as query parameters: system, mapping (canon or odoo:<model>), format,
 * encoding, batch, skipInvalid, resume.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ImportService } from './import.service.ts';
import type { ImportMode } from './import-job.entity.ts';
import { canonMapping } from './mappings.ts';
import { builtInMapping } from './odoo-mappings.ts';
import type { SourceEncoding, SourceFormat } from './row-sources.ts';

/** The largest file one upload may carry. */
export const MAX_IMPORT_BYTES = 2 * 1024 ** 3;

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
  const type = String(req.headers['content-type'] ?? '');
  const format = (query.get('format') ?? (/ndjson|jsonl/.test(type) ? 'ndjson' : 'csv')) as SourceFormat;
  if (format !== 'csv' && format !== 'ndjson')
    throw new CanonError('BAD_USER_INPUT', 'format is csv or ndjson.', { path: ['format'] });
  const encoding = (query.get('encoding') ?? 'utf8') as SourceEncoding;
  if (encoding !== 'utf8' && encoding !== 'latin1')
    throw new CanonError('BAD_USER_INPUT', 'encoding is utf8 or latin1.', { path: ['encoding'] });
  const batchSize = Number(query.get('batch') ?? 1000);
  const mappingName = query.get('mapping') ?? 'canon';
  const mapping =
    builtInMapping(mappingName) ??
    (mappingName === 'canon' ? canonMapping(await imports.schemaOf(domain)) : null);
  if (!mapping)
    throw new CanonError(
      'BAD_USER_INPUT',
      `Unknown mapping ${mappingName}: canon or odoo:<model> (mapping files: canon import).`,
      {
        path: ['mapping'],
      },
    );
  const dir = join(tmpdir(), 'canon-imports');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${randomUUID()}.upload`);
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, done) {
      bytes += chunk.length;
      if (bytes > MAX_IMPORT_BYTES)
        return done(new CanonError('PAYLOAD_TOO_LARGE', `An upload is at most ${MAX_IMPORT_BYTES} bytes.`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(req, counter, createWriteStream(file));
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
        fingerprint: createHash('sha256').update(hash.digest('hex')).update(options).digest('hex'),
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
