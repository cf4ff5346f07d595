/**
 * Upkeep of record_current (record-current.entity.ts): after a revision is written, and when a
 * future revision's moment has come, the records' rows are computed again from history in the same
 * transaction, so the row and the revisions it summarises never disagree.
 */
import { executeBound } from '../../db/bound-statements.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';

/**
 * Recomputes the current row of each record from its revisions, as of `at` (default now). The caller
 * holds the records' row locks (a writer has them from its update of golden_record), so the
 * statement's snapshot sees every committed revision: a refresh that raced a writer would otherwise
 * write back a row computed before the writer's revision.
 */
export async function refreshCurrent(em: Em, recordIds: readonly string[], at = new Date()): Promise<void> {
  if (recordIds.length === 0) return;
  const ids = [...new Set(recordIds)];
  await executeBound(
    em,
    `insert into record_current as c (record_id, domain, key, key_scope, site, revision, data, status,
            effective_from, contract_version, findings, next_effective_from)
     select g.id, g.domain, g.key, g.key_scope, g.site, cur.revision, cur.data, cur.status,
            cur.effective_from, cur.contract_version, cur.findings,
            (select min(n.effective_from) from record_revision n
              where n.record_id = g.id and (cur.effective_from is null or n.effective_from > cur.effective_from))
       from golden_record g left join lateral (
            select rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version, rv.findings
              from record_revision rv
             where rv.record_id = g.id and rv.effective_from <= ?
             order by rv.effective_from desc, rv.revision desc limit 1) cur on true
      where g.id = any(?::uuid[])
     on conflict (record_id) do update set domain = excluded.domain, key = excluded.key,
            key_scope = excluded.key_scope, site = excluded.site, revision = excluded.revision,
            data = excluded.data, status = excluded.status, effective_from = excluded.effective_from,
            contract_version = excluded.contract_version, findings = excluded.findings,
            next_effective_from = excluded.next_effective_from`,
    [at, toPgArray(ids)],
  );
}

/**
 * Refreshes rows whose next revision has taken effect since they were written. Records a writer holds
 * are skipped (`skip locked`): that writer's own refresh sees the new moment. Answers how many were
 * refreshed; the idle case is one probe of a partial index.
 */
export async function refreshStaleCurrent(em: Em, limit = 500): Promise<number> {
  const conn = em.getConnection();
  const tx = em.getTransactionContext();
  const stale = await conn.execute<{ record_id: string }[]>(
    'select record_id from record_current where next_effective_from <= now() limit ?',
    [limit],
    'all',
    tx,
  );
  if (stale.length === 0) return 0;
  const locked = await conn.execute<{ id: string }[]>(
    `select id from golden_record where id in (${stale.map(() => '?').join(',')}) order by id for update skip locked`,
    stale.map((r) => r.record_id),
    'all',
    tx,
  );
  await refreshCurrent(
    em,
    locked.map((r) => r.id),
  );
  return locked.length;
}
