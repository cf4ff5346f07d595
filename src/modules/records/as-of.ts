/**
 * The one as-of query of golden records: for each record, the revision effective at a moment — the
 * latest `effective_from` not after it, the highest revision among equals. Reads by id, by domain,
 * children and the rules' lookups all wrap this fragment.
 */

/**
 * `select` of the current revision of the records matching `where` (SQL over `g0`, the golden
 * record, and `rv`, its revisions). `asOf` is a placeholder (`?`, bound by the caller after the
 * parameters of `where`) or an SQL expression such as `now()`.
 */
export function currentRevisionsSql(where: string, asOf = '?'): string {
  return `select distinct on (rv.record_id) rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version
      from record_revision rv join golden_record g0 on g0.id = rv.record_id
     where ${where} and rv.effective_from <= ${asOf}
     order by rv.record_id, rv.effective_from desc, rv.revision desc`;
}
