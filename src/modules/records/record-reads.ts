/**
 * Reads of golden records: by id or business key as of a moment, keyset pages with filters and
 * counts, children, revisions with their field-level changes, location paths and unit conversion.
 */

import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { PreparedQueries, preparedOf } from '../../db/prepared.ts';
import { readConnection } from '../../db/read-connection.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { Moment, type RowFilter, recordRowsSql } from './as-of.ts';
import type { Data } from './domain-rules.ts';
import { fieldDiff } from './field-diff.ts';
import { GoldenRecord } from './golden-record.entity.ts';
import { aliasesOf, type KeyAliasRow, recordsByOldKeys } from './keys/key-aliases.ts';
import { HEAD_COLUMNS, headOf, headsByIds, type RecordHead } from './record-heads.ts';
import { listCountSql, listPageSql } from './record-list-query.ts';
import { RecordRevision } from './record-revision.entity.ts';
import type { CurrentRow, HistoryEntry, ListFilter, PageRequest, RecordView } from './records.types.ts';
import { isBuiltInDomain, rulesFor } from './rules-registry.ts';

export class RecordReads {
  private readonly orm: Orm;

  private readonly prepared: PreparedQueries;

  constructor(orm: Orm) {
    this.orm = orm;
    this.prepared = new PreparedQueries(orm);
  }

  /**
   * Records (their heads) matching a condition on golden_record `g`, each with its revision in effect
   * at the moment when there is one — one statement.
   */
  private async headsWithRows(
    em: Em,
    where: { sql: string; params: unknown[] },
    rows: RowFilter,
    asOf: Date,
  ): Promise<{ head: RecordHead; row: CurrentRow | null }[]> {
    const q = recordRowsSql(asOf, rows);
    const found = await this.select<CurrentRow & Record<string, unknown>>(
      em,
      `select r.*, ${HEAD_COLUMNS} from golden_record g left join (${q.sql}) r on r.record_id = g.id
        where ${where.sql}`,
      [...q.params, ...where.params],
      asOf,
    );
    return found.map((r) => ({ head: headOf(r), row: r.record_id ? r : null }));
  }

  /**
   * A read whose text comes from a bounded set (lists, lookups: values travel as parameters and
   * arrays) as a named prepared statement on the reads' pool: planned once per connection, where
   * planning these unions costs more than running them. Reads in a transaction, and reads of a
   * transaction time (whose moment is in the text), run as plain statements.
   */
  private select<T>(em: Em, sql: string, params: unknown[], asOf?: Date): Promise<T[]> {
    if (em.getTransactionContext() || asOf instanceof Moment)
      return readConnection(em).execute<T[]>(sql, params, 'all', em.getTransactionContext());
    return this.prepared.query<T>(preparedOf('canon_read', sql), params, { read: true });
  }

  private view(record: RecordHead, row: CurrentRow): RecordView {
    const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Data;
    return {
      id: record.id,
      domain: record.domain,
      // the key the record had at that moment (a read from before a rekey shows the old one)
      key: isBuiltInDomain(record.domain) ? rulesFor(record.domain).keyOf(data) : record.key,
      storedKey: record.key,
      site: record.site ?? null,
      status: row.status,
      revision: row.revision,
      latestRevision: record.latestRevision,
      keyScope: record.keyScope,
      data,
      effectiveFrom: new Date(row.effective_from),
      contractVersion: row.contract_version,
      findings: (typeof row.findings === 'string' ? JSON.parse(row.findings) : row.findings) ?? [],
      lockVersion: record.lockVersion,
      mergedInto: record.mergedInto ?? null,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  /** Several records by id as of a moment, in input order (null for unknown ones, or not yet effective). */
  async recordsByIds(ctx: CallContext, ids: readonly string[], asOf?: Date): Promise<(RecordView | null)[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const em = this.orm.em.fork();
    const valid = [...new Set(ids.filter((id) => isUuid(id)))];
    const found =
      valid.length > 0
        ? await this.headsWithRows(
            em,
            { sql: 'g.id = any(?::uuid[])', params: [toPgArray(valid)] },
            (_r, k) => ({ sql: `${k}.record_id = any(?::uuid[])`, params: [toPgArray(valid)] }),
            asOf ?? new Date(),
          )
        : [];
    const byId = new Map(found.map((f) => [f.head.id, f]));
    return ids.map((id) => {
      const hit = byId.get(id);
      return hit?.row ? this.view(hit.head, hit.row) : null;
    });
  }

  async record(ctx: CallContext, id: string, asOf?: Date): Promise<RecordView | null> {
    return (await this.recordsByIds(ctx, [id], asOf))[0];
  }

  /**
   * A record by id, following merges: a record MERGED at that moment answers its survivor (and the
   * survivor's, for a chain), marked `followedFrom` with the id asked for.
   */
  async recordFollowingMerges(ctx: CallContext, id: string, asOf?: Date): Promise<RecordView | null> {
    let v = await this.record(ctx, id, asOf);
    for (let hops = 0; v && v.status === 'MERGED' && v.mergedInto && hops < 16; hops++) {
      const survivor = await this.record(ctx, v.mergedInto, asOf);
      if (!survivor) break;
      v = { ...survivor, followedFrom: id };
    }
    return v;
  }

  /** Ids of the records merged into each of these (MERGED with mergedInto = it), in input order. */
  async mergedFrom(ids: readonly string[]): Promise<string[][]> {
    const rows = await readConnection(this.orm.em.fork()).execute<{ id: string; merged_into: string }[]>(
      `select id, merged_into from golden_record where merged_into = any(?::uuid[]) and status = 'MERGED' order by id`,
      [toPgArray([...new Set(ids)])],
    );
    return ids.map((id) => rows.filter((r) => r.merged_into === id).map((r) => r.id));
  }

  /**
   * Records of a domain by business key (several keys in one query, for DataLoader), as of a moment:
   * the live record with the key, else the newest that had it; a key given up in a rekey answers the
   * record that now has another one, marked `renamedFrom`.
   */
  async recordsByKeys(
    ctx: CallContext,
    domain: string,
    keys: readonly { key: string; scope?: string }[],
    asOf?: Date,
  ): Promise<(RecordView | null)[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const em = this.orm.em.fork();
    const wanted = [...new Set(keys.map((k) => k.key))];
    const at = asOf ?? new Date();
    const found =
      wanted.length > 0
        ? await this.headsWithRows(
            em,
            { sql: 'g.domain = ? and g.key = any(?::text[])', params: [domain, toPgArray(wanted)] },
            (_r, k) => ({
              sql: `${k}.domain = ? and ${k}.key = any(?::text[])`,
              params: [domain, toPgArray(wanted)],
            }),
            at,
          )
        : [];
    const records = found.map((f) => f.head);
    const current = new Map(found.flatMap((f) => (f.row ? [[f.head.id, f.row] as const] : [])));
    const matches = (k: { key: string; scope?: string }, key: string, scope: string) =>
      key === k.key && (k.scope === undefined || scope === k.scope);
    const unmatched = wanted.filter((key) => !records.some((r) => r.key === key));
    const renames = (await recordsByOldKeys(em, domain, unmatched)).filter(
      (h) => !records.some((r) => r.id === h.recordId),
    );
    if (renames.length > 0) {
      const renamedIds = toPgArray(renames.map((h) => h.recordId));
      for (const f of await this.headsWithRows(
        em,
        { sql: 'g.id = any(?::uuid[])', params: [renamedIds] },
        (_r, k) => ({ sql: `${k}.record_id = any(?::uuid[])`, params: [renamedIds] }),
        at,
      )) {
        records.push(f.head);
        if (f.row) current.set(f.head.id, f.row);
      }
    }
    return keys.map((k) => {
      const candidates = records.filter((r) => matches(k, r.key, r.keyScope));
      // the live one if any, otherwise the newest (a retired key may be reused)
      let record: RecordHead | undefined =
        candidates.find((r) => r.status === 'ACTIVE') ??
        candidates.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
      let renamedFrom: string | undefined;
      if (!record) {
        const hit = renames.find((h) => matches(k, h.alias, h.keyScope));
        record = hit ? records.find((r) => r.id === hit.recordId) : undefined;
        renamedFrom = hit?.alias;
      }
      const row = record && current.get(record.id);
      return record && row ? { ...this.view(record, row), ...(renamedFrom ? { renamedFrom } : {}) } : null;
    });
  }

  /** The keys a record had before its rekeys, newest first. */
  async keyAliases(ctx: CallContext, recordId: string): Promise<KeyAliasRow[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return aliasesOf(this.orm.em.fork(), recordId);
  }

  /** A page of a domain's records by key (keyset on key, key scope, id), as of a moment. */
  async list(
    ctx: CallContext,
    filter: ListFilter,
    page: PageRequest<[string, string, string]>,
    options: { withTotal?: boolean } = {},
  ): Promise<{ items: RecordView[]; total: number | null }> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const em = this.orm.em.fork();
    // on the first page the total comes in the same statement; after a cursor it is counted apart
    // (`count`) when asked. The page itself walks the key index and stops at its end.
    const withTotal = Boolean(options.withTotal && !page.after);
    const q = listPageSql(filter, { after: page.after, limit: page.limit, withTotal });
    const rows = await this.select<CurrentRow & { total_count?: string }>(em, q.sql, q.params, filter.asOf);
    return {
      items: await this.views(em, rows),
      total: withTotal ? Number(rows[0]?.total_count ?? 0) : null,
    };
  }

  /** How many records a list filter matches (for totalCount; computed only when asked). */
  async count(ctx: CallContext, filter: ListFilter): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const q = listCountSql(filter);
    const rows = await readConnection(this.orm.em.fork()).execute<{ n: string }[]>(q.sql, q.params);
    return Number(rows[0].n);
  }

  private async views(em: Em, rows: CurrentRow[]): Promise<RecordView[]> {
    // list pages carry their heads (record-list-query.ts); other rows look them up
    const missing = rows.filter((r) => !('h_id' in r)).map((r) => r.record_id);
    const byId = new Map((await headsByIds(em, missing)).map((h) => [h.id, h]));
    return rows.map((r) =>
      this.view('h_id' in r ? headOf(r as Record<string, unknown>) : byId.get(r.record_id)!, r),
    );
  }

  /** Live children (payload `parent` = key, same key scope) of several records in one query, as of a moment. */
  async childrenOf(
    ctx: CallContext,
    domain: string,
    parents: readonly { key: string; scope: string }[],
    asOf?: Date,
  ): Promise<RecordView[][]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (parents.length === 0) return [];
    const em = this.orm.em.fork();
    const parentKeys = [...new Set(parents.map((p) => p.key))];
    const q = recordRowsSql(asOf ?? new Date(), (r, k) => ({
      sql: `${k}.domain = ? and ${r}.status = 'ACTIVE' and ${r}.data->>'parent' in (${parentKeys.map(() => '?').join(',')})`,
      params: [domain, ...parentKeys],
    }));
    const rows = await readConnection(em).execute<(CurrentRow & { key_scope: string })[]>(
      `select * from (${q.sql}) r order by r.key`,
      q.params,
    );
    const records = await headsByIds(
      em,
      rows.map((r) => r.record_id),
    );
    const byId = new Map(records.map((r) => [r.id, r]));
    return parents.map((p) =>
      rows
        .filter((r) => (r.data as Data).parent === p.key && r.key_scope === p.scope)
        .map((r) => this.view(byId.get(r.record_id)!, r)),
    );
  }

  /**
   * Where a record is used: the records whose newest revision references it (lots of an item, items
   * of a unit, locations under a location), a keyset page in record-id order.
   */
  async usedBy(
    ctx: CallContext,
    recordId: string,
    page: PageRequest<[string]>,
    asOf?: Date,
  ): Promise<{ field: string; record: RecordView }[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (!isUuid(recordId)) return [];
    const em = this.orm.em.fork();
    const refs = await readConnection(em).execute<{ from_record: string; field: string }[]>(
      `select distinct on (from_record) from_record, field from record_reference
          where to_record = ? ${page.after ? 'and from_record > ?::uuid' : ''}
          order by from_record, field limit ?`,
      [recordId, ...(page.after ?? []), page.limit + 1],
    );
    const views = await this.recordsByIds(
      ctx,
      refs.map((r) => r.from_record),
      asOf,
    );
    return refs.flatMap((r, i) => (views[i] ? [{ field: r.field, record: views[i] }] : []));
  }

  /**
   * Revisions in order with who, when, why and the field-level changes against the one before; a
   * page of them after a revision number (null for an unknown record).
   */
  async history(
    ctx: CallContext,
    recordId: string,
    page: PageRequest<[number]> = { limit: 10_000 },
  ): Promise<HistoryEntry[] | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (!isUuid(recordId)) return null;
    const em = this.orm.em.fork();
    const after = page.after?.[0] ?? 0;
    // the revision before the page comes along: the first entry's changes are against it
    const revisions = await em.find(
      RecordRevision,
      { record: recordId, revision: { $gte: Math.max(after, 1) } },
      { orderBy: { revision: 'asc' }, limit: page.limit + 2 },
    );
    if (revisions.length === 0) {
      const exists = await em.count(GoldenRecord, { id: recordId });
      return exists > 0 ? [] : null;
    }
    const previous = after > 0 && revisions[0].revision === after ? revisions.shift() : undefined;
    return revisions.slice(0, page.limit + 1).map((r, i) => ({
      revision: r.revision,
      operation: r.operation,
      status: r.status,
      data: r.data,
      effectiveFrom: r.effectiveFrom,
      contractVersion: r.contractVersion,
      changeRequestId: r.changeRequestId ?? null,
      createdBy: r.createdBy ?? null,
      createdByName: r.createdByName ?? null,
      reason: r.reason ?? null,
      createdAt: r.createdAt,
      changes: fieldDiff((i === 0 ? previous : revisions[i - 1])?.data ?? {}, r.data),
    }));
  }

  /**
   * Who records are — domain, status, business key — for another module's checks inside its own
   * transaction (the xref module links only live records and keeps their key beside the link).
   */
  async identities(
    em: Em,
    ids: readonly string[],
  ): Promise<{ id: string; domain: string; status: string; key: string; site: string | null }[]> {
    if (ids.length === 0) return [];
    return readConnection(em).execute<
      { id: string; domain: string; status: string; key: string; site: string | null }[]
    >(
      'select id, domain, status, key, site from golden_record where id = any(?::uuid[])',
      [toPgArray([...ids])],
      'all',
      em.getTransactionContext(),
    );
  }

  /** Live records of a domain whose data at `pointer` is one of `values` (what a removed enum value still holds). */
  async countWithValues(
    ctx: CallContext,
    domain: string,
    pointer: string,
    values: readonly string[],
  ): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (values.length === 0) return 0;
    const path = pointer
      .split('/')
      .slice(1)
      .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const [row] = await readConnection(this.orm.em).execute<{ n: string }[]>(
      `select count(*)::text as n from record_current where domain = ? and status = 'ACTIVE' and data #>> ?::text[] = any(?::text[])`,
      [domain, toPgArray(path), toPgArray([...values])],
    );
    return Number(row?.n ?? 0);
  }
}
