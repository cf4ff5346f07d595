/**
 * Keeps what each subscribed system is expected to apply, from the change events as they are
 * appended (in the writer's transaction, one statement per batch): the newest revision per (system,
 * record) and a pending row per event the system has yet to acknowledge. A write that came through
 * a system counts as applied by that system (its connector drops the echo and never acknowledges it).
 */
import { executeBound } from '../../db/bound-statements.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import type { AppendedEvent } from '../events/outbox.service.ts';

/** Subscriptions that match an event `e` (domain, site, data filter). */
export const SUBSCRIBED_JOIN = `join system_subscription s on s.domain = e.domain
      and (s.site is null or s.site = e.site) and (s.filter is null or e.data @> s.filter)`;

export async function projectChanges(em: Em, events: readonly AppendedEvent[]): Promise<void> {
  const changes = events.filter((e) => e.type === 'RECORD_CHANGED' && e.subjectId && e.domain);
  if (changes.length === 0) return;
  const col = (f: (e: AppendedEvent) => unknown) =>
    toPgArray(changes.map((e) => (f(e) == null ? null : String(f(e)))) as never);
  await executeBound(
    em,
    `with e as (
       select u.sequence::bigint as sequence, u.domain, u.record_id::uuid as record_id, u.revision::int as revision,
              u.payload::jsonb->>'site' as site, u.payload::jsonb->'data' as data, u.origin_system
         from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
              as u(sequence, domain, record_id, revision, payload, origin_system)
     ), matched as (
       select s.system_code, e.* from e ${SUBSCRIBED_JOIN}
     ), pending as (
       insert into propagation_pending (system_code, sequence, record_id, created_at)
       select system_code, sequence, record_id, clock_timestamp() from matched
        where origin_system is distinct from system_code
       on conflict do nothing
     )
     insert into propagation_state as ps (system_code, record_id, domain, expected_revision, expected_sequence,
            behind_since, applied_revision, applied_at, last_status, last_revision, last_sequence, last_at)
     select distinct on (system_code, record_id) system_code, record_id, domain, revision, sequence,
            case when own then null else clock_timestamp() end,
            case when own then revision end, case when own then clock_timestamp() end,
            case when own then 'APPLIED' end, case when own then revision end,
            case when own then sequence end, case when own then clock_timestamp() end
       from (select m.*, m.origin_system is not distinct from m.system_code as own from matched m) x
      order by system_code, record_id, sequence desc
     on conflict (system_code, record_id) do update set
       domain = excluded.domain,
       expected_revision = greatest(ps.expected_revision, excluded.expected_revision),
       expected_sequence = greatest(ps.expected_sequence, excluded.expected_sequence),
       -- the system's own write is current there; another's leaves it behind since the oldest one
       behind_since = case when excluded.last_status is not null then null
                           else coalesce(ps.behind_since, excluded.behind_since) end,
       applied_revision = greatest(ps.applied_revision, excluded.applied_revision),
       applied_at = case when excluded.applied_revision > coalesce(ps.applied_revision, -1)
                         then excluded.applied_at else ps.applied_at end,
       last_status = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                          then excluded.last_status else ps.last_status end,
       last_revision = greatest(ps.last_revision, excluded.last_revision),
       last_sequence = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                            then excluded.last_sequence else ps.last_sequence end,
       last_at = case when excluded.last_revision >= coalesce(ps.last_revision, -1)
                      then excluded.last_at else ps.last_at end`,
    [
      col((e) => e.sequence),
      col((e) => e.domain),
      col((e) => e.subjectId),
      col((e) => e.revision),
      toPgArray(changes.map((e) => e.payloadJson)),
      col((e) => e.origin?.systemCode ?? null),
    ],
  );
}
