/**
 * The connectors' hot-path statements, as named prepared statements (src/db/prepared.ts). Kept free of
 * imports so the benchmark's reference servers run exactly these (bench/reference/).
 */
import type { PreparedStatement } from '../../db/prepared.ts';

/** resolveXrefs: an index-only scan of xref_active_unique per id (record id and key are in the index). */
export const RESOLVE: PreparedStatement = {
  name: 'canon_xref_resolve_v1',
  text: `select u.id as external_id, x.record_id, x.record_key as key
           from unnest($1::text[]) with ordinality as u(id, ord)
           left join xref x on x.system_code = $2 and x.domain = $3 and x.external_id = u.id and x.state = 'ACTIVE'
          order by u.ord`,
};

/** translateXrefs: the source id's record, then that record's newest live id in the target system. */
export const TRANSLATE: PreparedStatement = {
  name: 'canon_xref_translate_v1',
  text: `select u.id as external_id, a.record_id, t.external_id as target_id, t.external_key as target_key
           from unnest($1::text[]) with ordinality as u(id, ord)
           left join xref a on a.system_code = $2 and a.domain = $3 and a.external_id = u.id and a.state = 'ACTIVE'
           left join lateral (
             select b.external_id, b.external_key from xref b
              where b.record_id = a.record_id and b.system_code = $4 and b.domain = $5 and b.state = 'ACTIVE'
              order by b.synced_at desc, b.id desc limit 1) t on true
          order by u.ord`,
};

/**
 * resolveExternalKeys: a system's second ids (Odoo xml ids) to records. External keys are not unique
 * per system, so a key carried by live ids of two different records is reported, not guessed.
 */
export const RESOLVE_BY_KEY: PreparedStatement = {
  name: 'canon_xref_resolve_by_key_v1',
  text: `select u.k as external_key, x.external_id, x.record_id, x.record_key as key, x.records
           from unnest($1::text[]) with ordinality as u(k, ord)
           cross join lateral (
             select (array_agg(external_id order by synced_at desc, id desc))[1] as external_id,
                    (array_agg(record_id order by synced_at desc, id desc))[1] as record_id,
                    (array_agg(record_key order by synced_at desc, id desc))[1] as record_key,
                    count(distinct record_id) as records
               from xref
              where system_code = $2 and domain = $3 and external_key = u.k and state = 'ACTIVE') x
          order by u.ord`,
};
