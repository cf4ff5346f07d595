/**
 * Finds the change events acknowledgements name — by feed sequence, or by record and revision — in
 * one statement for a whole batch (the events module's read; propagation never reads the outbox).
 */
import { executeBound } from '../../db/bound-statements.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';

/** A reference to a change: its sequence, or the record and revision a RECORD_CHANGED announced. */
export interface ChangeRef {
  sequence?: string | null;
  recordId?: string | null;
  revision?: number | null;
  /** Also answer the record's data at that revision (read only where needed: it is the event's bulk). */
  withData?: boolean;
}

/** What an acknowledgement needs to know of the change it names. */
export interface ChangeFound {
  sequence: string;
  type: string;
  domain: string | null;
  subjectId: string | null;
  revision: number | null;
  site: string | null;
  originSystem: string | null;
  changeRequestId: string | null;
  /** The record's data at that revision (record changes). */
  data: Record<string, unknown> | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The events `refs` name, in input order (null where none matches). */
export async function lookupChanges(em: Em, refs: readonly ChangeRef[]): Promise<(ChangeFound | null)[]> {
  if (refs.length === 0) return [];
  const seq = refs.map((r) => (r.sequence && /^\d{1,19}$/.test(r.sequence) ? r.sequence : null));
  const rec = refs.map((r) => (!r.sequence && r.recordId && UUID.test(r.recordId) ? r.recordId : null));
  const wantData = refs.map((r) => (r.withData ? 't' : 'f'));
  const rev = refs.map((r) =>
    !r.sequence && r.recordId && Number.isInteger(r.revision) ? String(r.revision) : null,
  );
  type Row = {
    ord: string;
    sequence: string;
    type: string;
    domain: string | null;
    subject_id: string | null;
    revision: number | null;
    site: string | null;
    origin_system: string | null;
    change_request_id: string | null;
    data: unknown;
  };
  // two index lookups (by sequence, by record and revision) rather than one OR the planner scans for
  const rows = await executeBound<Row>(
    em,
    `select u.ord::text, e.sequence::text, e.type, e.domain, e.subject_id, e.revision, e.payload->>'site' as site,
            e.origin_system, e.origin->>'changeRequestId' as change_request_id,
            case when u.want then e.payload->'data' end as data
       from unnest(?::text[], ?::boolean[]) with ordinality as u(seq, want, ord)
       join outbox_event e on e.sequence = u.seq::bigint
      where u.seq is not null
     union all
     select u.ord::text, e.sequence::text, e.type, e.domain, e.subject_id, e.revision, e.payload->>'site' as site,
            e.origin_system, e.origin->>'changeRequestId' as change_request_id,
            case when u.want then e.payload->'data' end as data
       from unnest(?::text[], ?::text[], ?::boolean[]) with ordinality as u(rec, rev, want, ord)
       join lateral (select * from outbox_event o
                      where o.type = 'RECORD_CHANGED' and o.subject_id = u.rec and o.revision = u.rev::int
                      order by o.sequence limit 1) e on true
      where u.rec is not null`,
    [
      toPgArray(seq as never),
      toPgArray(wantData),
      toPgArray(rec as never),
      toPgArray(rev as never),
      toPgArray(wantData),
    ],
  );
  const found: (ChangeFound | null)[] = refs.map(() => null);
  for (const r of rows) {
    found[Number(r.ord) - 1] = {
      sequence: r.sequence,
      type: r.type,
      domain: r.domain,
      subjectId: r.subject_id,
      revision: r.revision,
      site: r.site,
      originSystem: r.origin_system,
      changeRequestId: r.change_request_id,
      data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown> | null,
    };
  }
  return found;
}

/**
 * The newest RECORD_CHANGED event of every record of a domain (`?` = the domain), as a query other
 * modules embed in their own set-based statements: columns record_id (uuid), revision, sequence,
 * site, data (jsonb), origin_system, created_at.
 */
export const LATEST_RECORD_CHANGES_SQL = `select distinct on (subject_id) subject_id::uuid as record_id, revision, sequence,
         payload->>'site' as site, payload->'data' as data, origin_system, created_at
    from outbox_event where type = 'RECORD_CHANGED' and domain = ?
   order by subject_id, sequence desc`;
