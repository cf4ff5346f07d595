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
  return `select distinct on (rv.record_id) rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version, rv.findings
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
      select rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version, rv.findings
        from record_revision rv
       where rv.record_id = g.id and rv.effective_from <= ${asOf}${knownAtSql(moment)}
       order by rv.effective_from desc, rv.revision desc limit 1) cur`;
}

/** The columns every record-rows query answers, over the revision alias `r` and the record alias `k`. */
const rowColumns = (r: string, k: string) =>
  `${r}.record_id, ${r}.revision, ${r}.data, ${r}.status, ${r}.effective_from, ${r}.contract_version, ${r}.findings, ${k}.key, ${k}.key_scope, ${k}.site`;

/** A filter over a record alias (`k`: domain, key, key_scope, site) and a revision alias (`r`: data, status). */
export type RowFilter = (r: string, k: string) => { sql: string; params: unknown[] };

/** One select of a record-rows query, its record alias (for conditions appended to its `where`). */
export interface RowsBranch {
  sql: string;
  params: unknown[];
  recordAlias: string;
}

/**
 * Records with the revision in effect at `asOf`, filtered: columns record_id, revision, data, status,
 * effective_from, contract_version, key, key_scope, site. Records whose materialised row
 * (record_current) is valid at that moment are read from it — one index scan for lists, filters and
 * lookups; the others (a past moment before their current revision, a future revision whose time has
 * come but is not refreshed yet, a record not yet in effect) are computed from history. The two
 * branches split the records exactly, so their union never repeats or drops one. A read with
 * `knownAt` (transaction time) is computed from history alone, in one branch. Each branch ends with
 * its `where`, so a caller may append conditions and an order to each (lists do, so every branch
 * stops at the page's end).
 */
export function recordRowsBranches(asOf: Date, filter: RowFilter): RowsBranch[] {
  if (asOf instanceof Moment) {
    const f = filter('cur', 'g');
    return [
      {
        sql: `select ${rowColumns('cur', 'g')}
                from (select g0.*, g0.id as record_id from golden_record g0) g ${currentRevisionLateralSql('?', asOf)}
               where ${f.sql}`,
        params: [asOf, ...f.params],
        recordAlias: 'g',
      },
    ];
  }
  const fast = filter('c', 'c');
  const slow = filter('cur', 'c');
  return [
    {
      sql: `select ${rowColumns('c', 'c')} from record_current c
             where c.effective_from <= ? and (c.next_effective_from is null or c.next_effective_from > ?)
               and ${fast.sql}`,
      params: [asOf, asOf, ...fast.params],
      recordAlias: 'c',
    },
    {
      sql: `select ${rowColumns('cur', 'c')} from record_current c cross join lateral (
                select rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version, rv.findings
                  from record_revision rv
                 where rv.record_id = c.record_id and rv.effective_from <= ?
                 order by rv.effective_from desc, rv.revision desc limit 1) cur
             where (c.effective_from is null or c.effective_from > ? or c.next_effective_from <= ?)
               and ${slow.sql}`,
      params: [asOf, asOf, asOf, ...slow.params],
      recordAlias: 'c',
    },
  ];
}

/** The branches of recordRowsBranches as one query (a union of them). */
export function recordRowsSql(asOf: Date, filter: RowFilter): { sql: string; params: unknown[] } {
  const branches = recordRowsBranches(asOf, filter);
  return {
    sql: branches.map((b) => b.sql).join('\n union all\n'),
    params: branches.flatMap((b) => b.params),
  };
}
