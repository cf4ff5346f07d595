/**
 * Files uploaded as a request body (imports, reconciliations): the body written to a temporary file
 * while its sha256 is computed, with a size limit, and the options every upload shares (format,
 * encoding, mapping) read from the query string.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CanonError } from '../../errors.ts';
import { canonMapping, type RowMapping } from './mappings.ts';
import { builtInMapping } from './odoo-mappings.ts';
import type { SourceEncoding, SourceFormat } from './row-sources.ts';

/** The largest file one upload may carry. */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

export interface UploadOptions {
  format: SourceFormat;
  encoding: SourceEncoding;
  mappingName: string;
  mapping: RowMapping;
}

/** Format, encoding and mapping of an upload, refused before its body is read when they are wrong. */
export async function uploadOptions(
  req: IncomingMessage,
  query: URLSearchParams,
  schemaOf: () => Promise<Record<string, unknown>>,
): Promise<UploadOptions> {
  const type = String(req.headers['content-type'] ?? '');
  const format = (query.get('format') ?? (/ndjson|jsonl/.test(type) ? 'ndjson' : 'csv')) as SourceFormat;
  if (format !== 'csv' && format !== 'ndjson')
    throw new CanonError('BAD_USER_INPUT', 'format is csv or ndjson.', { path: ['format'] });
  const encoding = (query.get('encoding') ?? 'utf8') as SourceEncoding;
  if (encoding !== 'utf8' && encoding !== 'latin1')
    throw new CanonError('BAD_USER_INPUT', 'encoding is utf8 or latin1.', { path: ['encoding'] });
  const mappingName = query.get('mapping') ?? 'canon';
  const mapping =
    builtInMapping(mappingName) ?? (mappingName === 'canon' ? canonMapping(await schemaOf()) : null);
  if (!mapping)
    throw new CanonError(
      'BAD_USER_INPUT',
      `Unknown mapping ${mappingName}: canon or odoo:<model> (mapping files: the CLI).`,
      { path: ['mapping'] },
    );
  return { format, encoding, mappingName, mapping };
}

/** Writes the request body to a temporary file; answers its path and sha256 (the caller removes it). */
export async function receiveUpload(req: IncomingMessage): Promise<{ file: string; sha256: string }> {
  const dir = join(tmpdir(), 'canon-uploads');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${randomUUID()}.upload`);
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, done) {
      bytes += chunk.length;
      if (bytes > MAX_UPLOAD_BYTES)
        return done(new CanonError('PAYLOAD_TOO_LARGE', `An upload is at most ${MAX_UPLOAD_BYTES} bytes.`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(req, counter, createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return { file, sha256: hash.digest('hex') };
}
