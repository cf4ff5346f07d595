/**
 * Rows of an import file, streamed in constant memory: CSV (RFC 4180 as csv-parse reads it, a BOM
 * skipped, UTF-8 or Latin-1) or NDJSON. A row the file itself breaks — unbalanced quotes, a cell over
 * the size limit, a wrong number of cells, a line that is not JSON, bytes that are not the encoding —
 * comes out as a row with a `problem`, so it lands in the report with its line number and the rest
 * of the file goes on.
 */

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pipeline, Transform } from 'node:stream';
import { parse } from 'csv-parse';

export type SourceFormat = 'csv' | 'ndjson';
export type SourceEncoding = 'utf8' | 'latin1';

export interface SourceProblem {
  code: 'MALFORMED_ROW' | 'BAD_ENCODING' | 'DUPLICATE_HEADER' | 'ROW_TOO_LARGE';
  message: string;
  pointer: string;
}

/** A data row: CSV cells by header, or an NDJSON object; `line` is its first line in the file. */
export interface SourceRow {
  line: number;
  cells?: Record<string, string>;
  object?: Record<string, unknown>;
  problem?: SourceProblem;
}

/** A row (all its cells, or one NDJSON line) larger than this is refused. */
export const MAX_ROW_BYTES = 1024 * 1024;

/** Decodes bytes strictly: the first invalid sequence ends the file with a BAD_ENCODING row. */
function decoder(encoding: SourceEncoding): Transform {
  const text = new TextDecoder(encoding === 'utf8' ? 'utf-8' : 'latin1', { fatal: true });
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        const s = text.decode(chunk, { stream: true });
        offset += chunk.length;
        done(null, s);
      } catch {
        done(
          new EncodingError(
            `The file is not ${encoding === 'utf8' ? 'UTF-8' : 'Latin-1'} text (near byte ${offset}); save it as UTF-8 or pass --encoding latin1.`,
          ),
        );
      }
    },
    flush(done) {
      try {
        done(null, text.decode());
      } catch {
        done(new EncodingError('The file ends inside a multi-byte character: it is not UTF-8 text.'));
      }
    },
  });
}

class EncodingError extends Error {}

/** The header of a CSV file: its columns, or the problem that makes the file unreadable. */
export interface CsvHeader {
  columns: string[];
}

export async function* readRows(
  input: Readable,
  format: SourceFormat,
  encoding: SourceEncoding = 'utf8',
  onHeader?: (header: CsvHeader) => void,
): AsyncGenerator<SourceRow> {
  let failure: unknown;
  const text = pipeline(input, decoder(encoding), (error) => {
    failure ??= error;
  });
  const badEncoding = (e: EncodingError): SourceRow => ({
    line: 0,
    problem: { code: 'BAD_ENCODING', message: e.message, pointer: '' },
  });
  try {
    if (format === 'ndjson') yield* ndjsonRows(text);
    else yield* csvRows(text, onHeader);
  } catch (error) {
    if (failure instanceof EncodingError) return yield badEncoding(failure);
    if (!(error instanceof EncodingError)) throw error;
    return yield badEncoding(error);
  }
  // a parser destroyed by the decoder's error may end its rows quietly
  if (failure instanceof EncodingError) yield badEncoding(failure);
}

async function* ndjsonRows(text: Readable): AsyncGenerator<SourceRow> {
  let line = 0;
  for await (const raw of createInterface({ input: text, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    if (trimmed.length > MAX_ROW_BYTES) {
      yield {
        line,
        problem: {
          code: 'ROW_TOO_LARGE',
          message: `The line is over ${MAX_ROW_BYTES} characters.`,
          pointer: '',
        },
      };
      continue;
    }
    try {
      const value = JSON.parse(trimmed.charCodeAt(0) === 0xfeff ? trimmed.slice(1) : trimmed);
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        yield {
          line,
          problem: { code: 'MALFORMED_ROW', message: 'Each line must be one JSON object.', pointer: '' },
        };
      else yield { line, object: value as Record<string, unknown> };
    } catch (error) {
      yield {
        line,
        problem: { code: 'MALFORMED_ROW', message: `Not JSON: ${(error as Error).message}`, pointer: '' },
      };
    }
  }
}

async function* csvRows(text: Readable, onHeader?: (header: CsvHeader) => void): AsyncGenerator<SourceRow> {
  const skipped: SourceRow[] = [];
  const parser = text.pipe(
    parse({
      bom: true,
      info: true,
      max_record_size: MAX_ROW_BYTES,
      skip_records_with_error: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_skip: (error) => {
        const e = error as Error & { code?: string; lines?: number };
        skipped.push({
          line: e.lines ?? 0,
          problem: {
            code: e.code === 'CSV_MAX_RECORD_SIZE' ? 'ROW_TOO_LARGE' : 'MALFORMED_ROW',
            message: e.message,
            pointer: '',
          },
        });
      },
    }),
  );
  text.on('error', (e) => parser.destroy(e));
  let header: string[] | null = null;
  for await (const entry of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    while (skipped.length > 0) yield skipped.shift()!;
    const { record, info } = entry;
    if (!header) {
      header = record.map((c) => c.trim());
      onHeader?.({ columns: header });
      const seen = new Set<string>();
      for (const c of header) {
        if (seen.has(c)) {
          yield {
            line: info.lines,
            problem: {
              code: 'DUPLICATE_HEADER',
              message: `The column "${c}" appears twice in the header.`,
              pointer: c,
            },
          };
          return;
        }
        seen.add(c);
      }
      continue;
    }
    if (record.length !== header.length) {
      yield {
        line: info.lines,
        problem: {
          code: 'MALFORMED_ROW',
          message: `The row has ${record.length} cells; the header has ${header.length}.`,
          pointer: '',
        },
      };
      continue;
    }
    const cells: Record<string, string> = {};
    header.forEach((c, i) => {
      cells[c] = record[i];
    });
    yield { line: info.lines, cells };
  }
  while (skipped.length > 0) yield skipped.shift()!;
}
