/** The SQL of record lists: one filter over the materialised current rows (as-of.ts), paged or counted. */
import { type RowFilter, recordRowsBranches, recordRowsSql } from './as-of.ts';
import { HEAD_COLUMNS } from './record-heads.ts';
import type { ListFilter } from './records.types.ts';

const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The least string above every string that starts with `prefix`, in byte order (UTF-8 orders as code
 * points): the prefix with its last character incremented; null when there is none.
 */
export function upperBoundOf(prefix: string): string | null {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // no surrogates in UTF-8
    if (next <= 0x10ffff) return chars.join('') + String.fromCodePoint(next);
  }
  return null;
}

/** The list filter over a revision alias `r` (data, status) and a record alias `k` (domain, key, site). */
export function listFilter(filter: ListFilter): RowFilter {
  return (r, k) => {
    const where = [`${k}.domain = ?`];
    const params: unknown[] = [filter.domain];
    if (filter.status !== 'ALL') {
      where.push(`${r}.status = ?`);
      params.push(filter.status ?? 'ACTIVE');
    }
    if (filter.site !== undefined) {
      where.push(`${k}.site = ?`);
      params.push(filter.site);
    }
    if (filter.keyPrefix) {
      // the range lets a prepared (generic) plan walk the pattern index; LIKE keeps the meaning exact
      const upper = upperBoundOf(filter.keyPrefix);
      where.push(
        `${k}.key::text ~>=~ ?::text${upper ? ` and ${k}.key::text ~<~ ?::text` : ''} and ${k}.key like ? escape '\\'`,
      );
      params.push(filter.keyPrefix, ...(upper ? [upper] : []), `${likeEscaped(filter.keyPrefix)}%`);
    }
    if (filter.search) {
      // both sides have trigram indexes on record_current
      where.push(`(${k}.key ilike ? escape '\\' or ${r}.data->>'name' ilike ? escape '\\')`);
      const pattern = `%${likeEscaped(filter.search)}%`;
      params.push(pattern, pattern);
    }
    if (filter.hasFindings !== undefined) {
      // the stewards' work list: records whose revision kept findings of rules set to WARNING
      where.push(`${r}.findings is ${filter.hasFindings ? 'not ' : ''}null`);
    }
    if (filter.dataContains) {
      where.push(`${r}.data @> ?::jsonb`);
      params.push(JSON.stringify(filter.dataContains));
    }
    if (filter.dataContainsAny) {
      // one of several containments: a level of a BOM structure in one statement
      where.push(
        filter.dataContainsAny.length === 0
          ? 'false'
          : `(${filter.dataContainsAny.map(() => `${r}.data @> ?::jsonb`).join(' or ')})`,
      );
      params.push(...filter.dataContainsAny.map((d) => JSON.stringify(d)));
    }
    return { sql: where.join(' and '), params };
  };
}

/**
 * A page of a domain's records in key order after a keyset cursor (key, key scope, id): each branch
 * of the rows query walks its index in key order from the cursor and stops at the page's end, and
 * the page is the first rows of their union. With `withTotal`, the count of every match comes in the
 * same statement.
 */
export function listPageSql(
  filter: ListFilter,
  page: { after?: [string, string, string]; limit: number; withTotal: boolean },
): { sql: string; params: unknown[] } {
  const asOf = filter.asOf ?? new Date();
  const branches = recordRowsBranches(asOf, listFilter(filter)).map((b) => {
    const k = b.recordAlias;
    return {
      sql: `(${b.sql}${page.after ? ` and (${k}.key, ${k}.key_scope, ${k}.record_id) > (?, ?, ?::uuid)` : ''}
             order by ${k}.key, ${k}.key_scope, ${k}.record_id limit ?)`,
      params: [...b.params, ...(page.after ?? []), page.limit + 1],
    };
  });
  const counted = page.withTotal ? recordRowsSql(asOf, listFilter(filter)) : null;
  const total = counted ? `, (select count(*) from (${counted.sql}) counted) as total_count` : '';
  // the records' heads come in the same statement: a page is one round trip
  // (a lateral join of the page's rows only, kept from being flattened by `offset 0`: the planner
  // would otherwise hash the whole table)
  return {
    sql: `select p.*, ${HEAD_COLUMNS} from (
            select r.*${total} from (${branches.map((b) => b.sql).join(' union all ')}) r
             order by r.key, r.key_scope, r.record_id limit ?) p
            cross join lateral (select * from golden_record g0 where g0.id = p.record_id offset 0) g
           order by p.key, p.key_scope, p.record_id`,
    params: [...(counted?.params ?? []), ...branches.flatMap((b) => b.params), page.limit + 1],
  };
}

/** How many records a list filter matches. */
export function listCountSql(filter: ListFilter): { sql: string; params: unknown[] } {
  const rows = recordRowsSql(filter.asOf ?? new Date(), listFilter(filter));
  return { sql: `select count(*)::text as n from (${rows.sql}) r`, params: rows.params };
}
