/**
 * GET /maps/{system}/{domain}?format=ndjson|csv: a system's whole map, streamed in constant memory
 * from one snapshot, with the outbox sequence that snapshot is consistent with in `X-Canon-Sequence`:
 * load the file, then follow changeFeed(afterSequence) — no gap, no duplicate.
 *
 * On a PostgreSQL server the lines are rendered by PostgreSQL and streamed with `COPY … TO STDOUT`
 * (one statement, one index scan, no per-row work in Node). On PGlite, which has no COPY to a
 * client, keyset pages of 10,000 rows are rendered here; both give the same lines.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { IsolationLevel } from '@mikro-orm/core';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Orm } from '../../db/orm.ts';
import { nativePool } from '../../db/prepared.ts';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { LATEST_SEQUENCE_SQL } from '../events/outbox.service.ts';

const PAGE = 10_000;
const CSV_HEADER = 'externalId,externalKey,recordId,key,syncedAt\n';
/** How long one download may hold its snapshot open (a client that stops reading stalls COPY). */
const COPY_TIMEOUT = '15min';

/** The same text as JavaScript's Date#toISOString (UTC, milliseconds, Z). */
const ISO_UTC = `to_char(synced_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One NDJSON line per row, built by PostgreSQL: to_json escapes strings exactly as JSON.stringify
 * does. It is sent as a one-column CSV whose quote and delimiter are control characters that JSON
 * text never contains raw, so COPY passes each line through untouched (text format would double
 * every backslash).
 */
const NDJSON_SELECT = `select '{"externalId":' || to_json(external_id)::text
    || ',"externalKey":' || coalesce(to_json(external_key)::text, 'null')
    || ',"recordId":"' || record_id::text
    || '","key":' || to_json(record_key)::text
    || ',"syncedAt":"' || ${ISO_UTC} || '"}'`;
/**
 * CSV is for spreadsheets: a cell starting with = + - @ (or a tab or carriage return) would be run
 * as a formula, so it gets a leading apostrophe, as OWASP advises. Programs read the NDJSON, which
 * carries every value exactly.
 */
const neutralised = (column: string) =>
  `case when ${column} ~ '^[=+@\t\r-]' then '''' || ${column} else ${column} end`;
const CSV_SELECT = `select ${neutralised('external_id')} as "externalId", ${neutralised('external_key')} as "externalKey",
    record_id as "recordId", ${neutralised('record_key')} as "key", ${ISO_UTC} as "syncedAt"`;

/** As PostgreSQL's COPY CSV writes it: null empty, an empty string quoted, quotes doubled. */
function csvField(raw: string | null): string {
  if (raw === null) return '';
  if (raw === '') return '""';
  const v = /^[=+@\t\r-]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function startResponse(res: ServerResponse, format: string, sequence: string | null | undefined): void {
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    'x-canon-sequence': sequence ?? '0',
    'cache-control': 'no-store',
  });
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
  const pool = await nativePool(orm);
  if (pool) await copyMap(pool, res, system, domain, format);
  else await pageMap(req, res, orm, system, domain, format);
}

async function copyMap(
  pool: pg.Pool,
  res: ServerResponse,
  system: string,
  domain: string,
  format: 'ndjson' | 'csv',
): Promise<void> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set local statement_timeout = '${COPY_TIMEOUT}'`);
    // a whole-map scan crosses jit_above_cost; compiling it costs more than it saves (~0.2 s in 3)
    await client.query('set local jit = off');
    // the first statement takes the snapshot: the sequence and the COPY see the same data
    const seq = await client.query<{ s: string | null }>(LATEST_SEQUENCE_SQL);
    // COPY takes no parameters: the values are quoted by pg (the route allows [a-z0-9-] only anyway)
    const where = `from xref where system_code = ${client.escapeLiteral(system)} and domain = ${client.escapeLiteral(domain)} and state = 'ACTIVE' order by id`;
    const copy =
      format === 'csv'
        ? `copy (${CSV_SELECT} ${where}) to stdout with (format csv, header true)`
        : `copy (${NDJSON_SELECT} ${where}) to stdout with (format csv, quote e'\\x01', delimiter e'\\x02')`;
    startResponse(res, format, seq.rows[0]?.s);
    try {
      await pipeline(client.query(copyTo(copy)), res);
    } catch (error) {
      // the client went away mid-download: the connection is mid-COPY and cannot be reused
      broken = true;
      if (!res.destroyed) throw error;
      return;
    }
    await client.query('commit');
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    client.release(broken);
  }
}

async function pageMap(
  req: IncomingMessage,
  res: ServerResponse,
  orm: Orm,
  system: string,
  domain: string,
  format: 'ndjson' | 'csv',
): Promise<void> {
  await orm.em.fork().transactional(
    async (em) => {
      const conn = em.getConnection();
      const tx = em.getTransactionContext();
      const seq = await conn.execute<{ s: string | null }[]>(LATEST_SEQUENCE_SQL, [], 'all', tx);
      startResponse(res, format, seq[0]?.s);
      if (format === 'csv') res.write(CSV_HEADER);
      let after = '0';
      for (;;) {
        const rows = await conn.execute<
          {
            id: string;
            external_id: string;
            external_key: string | null;
            record_id: string;
            record_key: string;
            synced_at: Date;
          }[]
        >(
          `select id::text, external_id, external_key, record_id, record_key, synced_at from xref
            where system_code = ? and domain = ? and state = 'ACTIVE' and id > ?
            order by id limit ?`,
          [system, domain, after, PAGE],
          'all',
          tx,
        );
        let chunk = '';
        for (const r of rows) {
          const synced = new Date(r.synced_at).toISOString();
          chunk +=
            format === 'csv'
              ? `${csvField(r.external_id)},${csvField(r.external_key)},${r.record_id},${csvField(r.record_key)},${synced}\n`
              : `${JSON.stringify({ externalId: r.external_id, externalKey: r.external_key, recordId: r.record_id, key: r.record_key, syncedAt: synced })}\n`;
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
