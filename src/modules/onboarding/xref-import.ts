/**
 * `canon xrefs import`: a system's ids for records already in Canon, matched by business key — a
 * file of (externalId, key[, externalKey]) lines linked batch by batch with linkXrefs' rules
 * (idempotent; an id linked to another record is refused, never moved).
 */
import type { Readable } from 'node:stream';
import { CanonError } from '../../errors.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import { readRows, type SourceFormat } from './row-sources.ts';

export interface XrefImportResult {
  rows: number;
  linked: number;
  unchanged: number;
  refused: { row: number; externalId: string | null; key: string | null; code: string; message: string }[];
}

const BATCH = 1000;

export async function importXrefs(
  deps: { records: RecordsService; xref: XrefService },
  ctx: CallContext,
  request: { system: string; domain: string; format: SourceFormat },
  input: Readable,
): Promise<XrefImportResult> {
  await deps.xref.requireMapNames(ctx, request.system, request.domain);
  const result: XrefImportResult = { rows: 0, linked: 0, unchanged: 0, refused: [] };
  let batch: { row: number; externalId: string; key: string; externalKey?: string }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const records = await deps.records.recordsByKeys(
      ctx,
      request.domain,
      batch.map((b) => ({ key: b.key })),
    );
    const links = batch.flatMap((b, i) => {
      const r = records[i];
      if (r?.status !== 'ACTIVE') {
        result.refused.push({
          row: b.row,
          externalId: b.externalId,
          key: b.key,
          code: 'REFERENCE_NOT_FOUND',
          message: `No live ${request.domain} record has the key ${b.key}.`,
        });
        return [];
      }
      return [
        {
          externalId: b.externalId,
          recordId: r.id,
          ...(b.externalKey ? { externalKey: b.externalKey } : {}),
        },
      ];
    });
    if (links.length > 0) {
      try {
        const r = await deps.xref.link(ctx, { system: request.system, domain: request.domain, links });
        result.linked += r.linked;
        result.unchanged += r.unchanged;
      } catch (error) {
        if (!(error instanceof CanonError)) throw error;
        // the batch is refused whole (an id linked elsewhere, say): report each of its lines
        for (const b of batch)
          result.refused.push({
            row: b.row,
            externalId: b.externalId,
            key: b.key,
            code: error.code,
            message: error.message,
          });
      }
    }
    batch = [];
  };
  for await (const row of readRows(input, request.format)) {
    result.rows++;
    const cells = row.cells ?? (row.object as Record<string, string> | undefined);
    const externalId = typeof cells?.externalId === 'string' ? cells.externalId.trim() : '';
    const key = typeof cells?.key === 'string' ? cells.key : '';
    if (row.problem || !externalId || !key) {
      result.refused.push({
        row: row.line,
        externalId: externalId || null,
        key: key || null,
        code: row.problem?.code ?? 'BAD_VALUE',
        message: row.problem?.message ?? 'Each line needs externalId and key.',
      });
      continue;
    }
    const externalKey =
      typeof cells?.externalKey === 'string' && cells.externalKey.trim()
        ? cells.externalKey.trim()
        : undefined;
    batch.push({ row: row.line, externalId, key, externalKey });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return result;
}
