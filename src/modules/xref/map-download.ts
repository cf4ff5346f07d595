/**
 * GET /maps/{system}/{domain}?format=ndjson|csv: a system's whole map, streamed in constant memory
 * (keyset pages of 10,000 rows, each rendered by PostgreSQL) from one snapshot, with the outbox sequence that snapshot is
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

/** CSV quoting in SQL: a field with a comma, quote or line break is quoted, quotes doubled. */
const csv = (v: string) =>
  `case when ${v} is null then '' when ${v} ~ '[",\r\n]' then '"' || replace(${v}, '"', '""') || '"' else ${v} end`;

const SYNCED = `to_char(x.synced_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Lines are built by PostgreSQL, a page at a time, and arrive as one text value per page: no
 * JavaScript object per row (the row-by-row version spent most of its time there).
 */
const LINE = {
  ndjson: `(select row_to_json(r)::text from (select x.external_id as "externalId", x.external_key as "externalKey",
             x.record_id as "recordId", g.key as "key", ${SYNCED} as "syncedAt") r)`,
  csv: `concat_ws(',', ${csv('x.external_id')}, ${csv('x.external_key')}, x.record_id::text, ${csv('g.key')}, ${SYNCED})`,
};

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
        const [page] = await conn.execute<{ n: number; last: string | null; text: string | null }[]>(
          `select count(*)::int as n, max(id)::text as last, string_agg(line, E'\n' order by id) as text
             from (select x.id, ${LINE[format]} as line
                     from xref x join golden_record g on g.id = x.record_id
                    where x.system_code = ? and x.domain = ? and x.state = 'ACTIVE' and x.id > ?
                    order by x.id limit ?) p`,
          [system, domain, after, PAGE],
          'all',
          tx,
        );
        if (page.text && !res.write(`${page.text}\n`)) await new Promise((r) => res.once('drain', r));
        if (page.n < PAGE || !page.last || req.destroyed) break;
        after = page.last;
      }
      res.end();
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}
