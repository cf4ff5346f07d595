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

/**
 * The same rule for one record at a time: a `cross join lateral` of `g` (the golden record) to its
 * revision effective at `asOf`, aliased `cur`. Lists walk records in key order with it and stop at
 * the page's end, instead of computing every record's current revision first.
 */
export function currentRevisionLateralSql(asOf = '?'): string {
  return `cross join lateral (
      select rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version
        from record_revision rv
       where rv.record_id = g.id and rv.effective_from <= ${asOf}
       order by rv.effective_from desc, rv.revision desc limit 1) cur`;
}
