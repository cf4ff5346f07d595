/**
 * The one as-of query of golden records: for each record, the revision effective at a moment — the
 * latest `effective_from` not after it, the highest revision among equals. Reads by id, by domain,
 * children and the rules' lookups all wrap this fragment.
 */

/**
 * A read's moment in both times: valid time (the Date itself — what was in effect then) and, when
 * set, transaction time (`knownAt` — only revisions recorded by then count). A subclass of Date so it
 * travels through every `asOf` parameter and relation of a read unchanged; reads without `knownAt`
 * are plain Dates and see everything recorded so far.
 */
export class Moment extends Date {
  readonly knownAt: Date;
  constructor(validAt: Date, knownAt: Date) {
    super(validAt.getTime());
    this.knownAt = knownAt;
  }
}

/** An `asOf` from GraphQL arguments: a Moment when `knownAt` is given (valid time defaults to now). */
export function momentOf(asOf?: Date | null, knownAt?: Date | null): Date | undefined {
  if (knownAt) return new Moment(asOf ?? new Date(), knownAt);
  return asOf ?? undefined;
}

/** SQL condition on `rv` limiting it to revisions recorded by the moment's `knownAt` ('' when unset). */
export function knownAtSql(asOf: Date | undefined): string {
  // a literal from a Date's own ISO form: no user text reaches the SQL
  return asOf instanceof Moment ? ` and rv.created_at <= '${asOf.knownAt.toISOString()}'::timestamptz` : '';
}

/** A moment as a string for loader keys and back. */
export function encodeMoment(asOf: Date | undefined): string {
  if (!asOf) return '';
  return asOf instanceof Moment ? `${asOf.toISOString()}@${asOf.knownAt.toISOString()}` : asOf.toISOString();
}
export function decodeMoment(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const [valid, known] = s.split('@');
  return known ? new Moment(new Date(valid), new Date(known)) : new Date(valid);
}

/**
 * `select` of the current revision of the records matching `where` (SQL over `g0`, the golden
 * record, and `rv`, its revisions). `asOf` is a placeholder (`?`, bound by the caller after the
 * parameters of `where`) or an SQL expression such as `now()`; `moment`, the bound value, adds its
 * `knownAt` when it is a Moment.
 */
export function currentRevisionsSql(where: string, asOf = '?', moment?: Date): string {
  return `select distinct on (rv.record_id) rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version
      from record_revision rv join golden_record g0 on g0.id = rv.record_id
     where ${where} and rv.effective_from <= ${asOf}${knownAtSql(moment)}
     order by rv.record_id, rv.effective_from desc, rv.revision desc`;
}

/**
 * The same rule for one record at a time: a `cross join lateral` of `g` (the golden record) to its
 * revision effective at `asOf`, aliased `cur`. Lists walk records in key order with it and stop at
 * the page's end, instead of computing every record's current revision first.
 */
export function currentRevisionLateralSql(asOf = '?', moment?: Date): string {
  return `cross join lateral (
      select rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version
        from record_revision rv
       where rv.record_id = g.id and rv.effective_from <= ${asOf}${knownAtSql(moment)}
       order by rv.effective_from desc, rv.revision desc limit 1) cur`;
}
