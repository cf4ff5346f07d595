/** The SQL of record lists: one filter, two shapes (a page, and all rows for a count). */
import { currentRevisionLateralSql, currentRevisionsSql } from './as-of.ts';
import type { ListFilter } from './records.types.ts';

/**
 * The records of a domain with their revision as of a moment, filtered, in two shapes over the same
 * conditions (on `g`, the golden record, and `cur`, its revision then): `page` walks the records in
 * key order with a lateral lookup and stops at the page's end; `all` computes every record's current
 * revision in one pass, which is what a count needs (half the time of 100,000 lookups).
 */
export function listQuery(filter: ListFilter): {
  page: { from: string; where: string; params: unknown[] };
  all: { sql: string; params: unknown[] };
} {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== 'ALL') {
    where.push('cur.status = ?');
    params.push(filter.status ?? 'ACTIVE');
  }
  if (filter.site !== undefined) {
    where.push('g.site = ?');
    params.push(filter.site);
  }
  if (filter.keyPrefix) {
    where.push(`g.key like ? escape '\\'`);
    params.push(`${filter.keyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (filter.search) {
    where.push(`(g.key ilike ? escape '\\' or cur.data->>'name' ilike ? escape '\\')`);
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(pattern, pattern);
  }
  if (filter.dataContains) {
    where.push('cur.data @> ?::jsonb');
    params.push(JSON.stringify(filter.dataContains));
  }
  const asOf = filter.asOf ?? new Date();
  return {
    page: {
      from: `golden_record g ${currentRevisionLateralSql('?', asOf)}`,
      where: ['g.domain = ?', ...where].join(' and '),
      params: [asOf, filter.domain, ...params],
    },
    all: {
      sql: `select cur.* from (${currentRevisionsSql('g0.domain = ?', '?', asOf)}) cur
        join golden_record g on g.id = cur.record_id
        ${where.length > 0 ? `where ${where.join(' and ')}` : ''}`,
      params: [filter.domain, asOf, ...params],
    },
  };
}
