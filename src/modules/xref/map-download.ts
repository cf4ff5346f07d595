/**
 * GET /maps/{system}/{domain}?format=ndjson|csv: a system's whole map, streamed in constant memory
 * (keyset pages of 10,000 rows) from one snapshot, with the outbox sequence that snapshot is
 * consistent with in `X-Canon-Sequence`: load the file, then follow changeFeed(afterSequence) —
 * no gap, no duplicate.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { IsolationLevel } from '@mikro-orm/core';
import type { Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';

const PAGE = 10_000;

function csvField(v: string | null): string {
  if (v === null) return '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export async function streamMap(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: CallContext,
  orm: Orm,
  system: string,
  domain: string,
  format: string,
): Promise<void> {
  authorize(ctx.ability, ctx.actor, 'read', 'Xref');
  if (format !== 'ndjson' && format !== 'csv')
    throw new CanonError('BAD_USER_INPUT', 'format is ndjson or csv.', { path: ['format'] });
  await orm.em.fork().transactional(
    async (em) => {
      const conn = em.getConnection();
      const tx = em.getTransactionContext();
      const seq = await conn.execute<{ s: string | null }[]>(
        'select max(sequence)::text as s from outbox_event',
        [],
        'all',
        tx,
      );
      res.writeHead(200, {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
        'x-canon-sequence': seq[0]?.s ?? '0',
        'cache-control': 'no-store',
      });
      if (format === 'csv') res.write('externalId,externalKey,recordId,key,syncedAt\n');
      let after = '0';
      for (;;) {
        const rows = await conn.execute<
          {
            id: string;
            external_id: string;
            external_key: string | null;
            record_id: string;
            key: string;
            synced_at: Date;
          }[]
        >(
          `select x.id::text, x.external_id, x.external_key, x.record_id, g.key, x.synced_at
             from xref x join golden_record g on g.id = x.record_id
            where x.system_code = ? and x.domain = ? and x.state = 'ACTIVE' and x.id > ?
            order by x.id limit ?`,
          [system, domain, after, PAGE],
          'all',
          tx,
        );
        let chunk = '';
        for (const r of rows) {
          const synced = new Date(r.synced_at).toISOString();
          chunk +=
            format === 'csv'
              ? `${csvField(r.external_id)},${csvField(r.external_key)},${r.record_id},${csvField(r.key)},${synced}\n`
              : `${JSON.stringify({ externalId: r.external_id, externalKey: r.external_key, recordId: r.record_id, key: r.key, syncedAt: synced })}\n`;
        }
        if (chunk && !res.write(chunk)) await new Promise((r) => res.once('drain', r));
        if (rows.length < PAGE || req.destroyed) break;
        after = rows[rows.length - 1].id;
      }
      res.end();
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}
