/**
 * `canon export --url …`: the same snapshot from a running Canon (GET /exports/{domain}), streamed to
 * the file or standard output as it arrives, with progress on stderr.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { CanonError } from '../errors.ts';
import { progressReporter } from './progress.ts';
import { explainFetchFailure, explainHttpStatus } from './remote-errors.ts';

export async function exportThroughServer(
  target: { url: string; token: string },
  opts: {
    domain: string;
    format: 'ndjson' | 'csv';
    asOf?: Date;
    system?: string;
    all?: boolean;
    out?: string;
  },
): Promise<void> {
  const query = new URLSearchParams({ format: opts.format });
  if (opts.asOf) query.set('asOf', opts.asOf.toISOString());
  if (opts.system) query.set('system', opts.system);
  if (opts.all) query.set('status', 'ALL');
  let res: Response;
  try {
    res = await fetch(`${target.url}/exports/${encodeURIComponent(opts.domain)}?${query}`, {
      headers: { authorization: `Bearer ${target.token}` },
    });
  } catch (error) {
    throw explainFetchFailure(error, target.url, 0);
  }
  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    let error: { message: string; extensions?: { code?: string; path?: string[] } } | undefined;
    try {
      error = (JSON.parse(text) as { errors?: (typeof error)[] }).errors?.[0];
    } catch {
      // not Canon's JSON: said below from the status
    }
    if (error)
      throw new CanonError((error.extensions?.code ?? 'BAD_USER_INPUT') as never, error.message, {
        path: error.extensions?.path,
      });
    throw explainHttpStatus(res.status, target.url, text);
  }
  console.error(
    `export of ${opts.domain} consistent with change sequence ${res.headers.get('x-canon-sequence') ?? '?'}`,
  );
  const out: Writable = opts.out ? createWriteStream(opts.out) : process.stdout;
  const progress = progressReporter('export', opts.format === 'ndjson' ? 'records' : 'lines');
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (const byte of chunk) if (byte === 10) lines++;
    if (!out.write(chunk)) await once(out, 'drain');
    progress.update(lines);
  }
  progress.stop();
  if (opts.out) {
    out.end();
    await finished(out);
  }
  // NDJSON is a record a line; a CSV line count includes the header (and any line break inside a value)
  console.error(opts.format === 'ndjson' ? `${lines} record(s) exported` : `${lines} CSV line(s) exported`);
}
