/**
 * The set-based statements of an acknowledgement batch: each touches all of the batch's rows at
 * once (no per-row round trips), in record order so concurrent batches lock rows in one order.
 */
import { executeBound } from '../../db/bound-statements.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { LATEST_SEQUENCE_SQL } from '../events/outbox.service.ts';
import type { AckStatus } from './propagation.entities.ts';

export interface AckRow {
  sequence: string;
  recordId: string | null;
  domain: string | null;
  revision: number | null;
  status: AckStatus;
  code: string | null;
  message: string | null;
  externalId: string | null;
}

const arr = (values: readonly unknown[]) =>
  toPgArray(values.map((v) => (v === null || v === undefined ? null : String(v))) as never);

/**
 * Writes the acknowledgements; answers the sequences that changed something (new, or another status
 * than before) with whether they replaced an earlier one. The same status again is a no-op.
 */
export async function insertAcks(
  em: Em,
  system: string,
  actorId: string | null,
  rows: readonly AckRow[],
): Promise<Map<string, 'RECORDED' | 'REPLACED'>> {
  if (rows.length === 0) return new Map();
  const written = await executeBound<{ sequence: string; inserted: boolean }>(
    em,
    `insert into change_ack as a (system_code, sequence, record_id, revision, status, code, message, external_id,
            acknowledged_at, acknowledged_by)
     select ?, u.sequence::bigint, u.record_id::uuid, u.revision::int, u.status, u.code, u.message, u.external_id,
            clock_timestamp(), ?::uuid
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
            as u(sequence, record_id, revision, status, code, message, external_id)
      order by u.sequence::bigint
     on conflict (system_code, sequence) do update set
       status = excluded.status, code = excluded.code, message = excluded.message,
       external_id = coalesce(excluded.external_id, a.external_id),
       acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by
      where a.status is distinct from excluded.status or a.code is distinct from excluded.code
     returning sequence::text, (xmax = 0) as inserted`,
    [
      system,
      actorId,
      arr(rows.map((r) => r.sequence)),
      arr(rows.map((r) => r.recordId)),
      arr(rows.map((r) => r.revision)),
      arr(rows.map((r) => r.status)),
      arr(rows.map((r) => r.code)),
      arr(rows.map((r) => r.message)),
      arr(rows.map((r) => r.externalId)),
    ],
  );
  return new Map(written.map((w) => [String(w.sequence), w.inserted ? 'RECORDED' : 'REPLACED']));
}

/** An acknowledgement settles its change and every older change of the same record. */
export async function clearPending(em: Em, system: string, rows: readonly AckRow[]): Promise<void> {
  const withRecord = rows.filter((r) => r.recordId);
  const plain = rows.filter((r) => !r.recordId);
  if (withRecord.length > 0)
    await executeBound(
      em,
      `delete from propagation_pending p
        using (select u.record_id::uuid as record_id, max(u.sequence::bigint) as sequence
                 from unnest(?::text[], ?::text[]) as u(record_id, sequence) group by 1) x
        where p.system_code = ? and p.record_id = x.record_id and p.sequence <= x.sequence`,
      [arr(withRecord.map((r) => r.recordId)), arr(withRecord.map((r) => r.sequence)), system],
    );
  if (plain.length > 0)
    await executeBound(
      em,
      'delete from propagation_pending where system_code = ? and sequence = any(?::bigint[])',
      [system, arr(plain.map((r) => r.sequence))],
    );
}

/**
 * Moves each record's state by the newest acknowledgement of the batch (by revision; later in the
 * batch wins a tie): an acknowledgement of an older revision than the one already held changes
 * nothing but the applied revision's maximum. Answers, per record, the sequence that now defines it.
 */
export async function upsertStates(
  em: Em,
  system: string,
  rows: readonly AckRow[],
): Promise<Map<string, string>> {
  const withRecord = rows.filter((r) => r.recordId && r.revision !== null);
  if (withRecord.length === 0) return new Map();
  const result = await executeBound<{ record_id: string; last_sequence: string }>(
    em,
    `insert into propagation_state as ps (system_code, record_id, domain, applied_revision, applied_at,
            last_status, last_revision, last_sequence, last_at, last_error_code, last_error_message, behind_since)
     select distinct on (u.record_id) ?, u.record_id::uuid, u.domain,
            -- the newest APPLIED revision of the record in the batch, whichever entry defines its state
            max(case when u.status = 'APPLIED' then u.revision::int end) over (partition by u.record_id),
            case when bool_or(u.status = 'APPLIED') over (partition by u.record_id) then clock_timestamp() end,
            u.status, u.revision::int, u.sequence::bigint, clock_timestamp(), u.code, u.message,
            case when u.status = 'REFUSED' then clock_timestamp() end
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
            with ordinality as u(record_id, domain, revision, sequence, status, code, message, ord)
      order by u.record_id, u.revision::int desc, u.ord desc
     on conflict (system_code, record_id) do update set
       applied_revision = greatest(ps.applied_revision, excluded.applied_revision),
       applied_at = case when excluded.applied_revision > coalesce(ps.applied_revision, -1)
                         then excluded.applied_at else ps.applied_at end,
       last_status = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                          then excluded.last_status else ps.last_status end,
       last_sequence = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                            then excluded.last_sequence else ps.last_sequence end,
       last_at = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                      then excluded.last_at else ps.last_at end,
       last_error_code = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                               and excluded.last_status = 'REFUSED' then excluded.last_error_code
                              else ps.last_error_code end,
       last_error_message = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                                  and excluded.last_status = 'REFUSED' then excluded.last_error_message
                                 else ps.last_error_message end,
       -- current again: no longer behind; refused or still short of the newest: behind as before
       behind_since = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                            and excluded.last_status <> 'REFUSED'
                            and excluded.last_revision >= coalesce(ps.expected_revision, 0) then null
                           else coalesce(ps.behind_since, excluded.behind_since) end,
       last_revision = greatest(ps.last_revision, excluded.last_revision)
     returning record_id::text, last_sequence::text`,
    [
      system,
      arr(withRecord.map((r) => r.recordId)),
      arr(withRecord.map((r) => r.domain)),
      arr(withRecord.map((r) => r.revision)),
      arr(withRecord.map((r) => r.sequence)),
      arr(withRecord.map((r) => r.status)),
      arr(withRecord.map((r) => r.code)),
      arr(withRecord.map((r) => r.message)),
    ],
  );
  return new Map(result.map((r) => [r.record_id, String(r.last_sequence)]));
}

/**
 * The system's cursor after the batch: everything up to the sequence before its oldest pending change
 * (or the newest committed one when none is pending) is acknowledged. It never moves back.
 */
export async function advanceCursor(
  em: Em,
  system: string,
  highest: string | null,
): Promise<{ acknowledgedSequence: string; highestSequence: string }> {
  const [row] = await executeBound<{ acknowledged_sequence: string; highest_sequence: string }>(
    em,
    `insert into system_cursor as c (system_code, acknowledged_sequence, highest_sequence, last_acknowledged_at)
     select ?, least(coalesce((select min(sequence) - 1 from propagation_pending where system_code = ?), h.s), h.s),
            coalesce(?::bigint, 0), clock_timestamp()
       from (select l.s::bigint as s from (${LATEST_SEQUENCE_SQL}) l) h
     on conflict (system_code) do update set
       acknowledged_sequence = greatest(c.acknowledged_sequence, excluded.acknowledged_sequence),
       highest_sequence = greatest(c.highest_sequence, excluded.highest_sequence),
       last_acknowledged_at = excluded.last_acknowledged_at
     returning acknowledged_sequence::text, highest_sequence::text`,
    [system, system, highest],
  );
  return {
    acknowledgedSequence: String(row.acknowledged_sequence),
    highestSequence: String(row.highest_sequence),
  };
}
