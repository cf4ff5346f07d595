/**
 * The old business keys of renamed records: recorded by a rekey, consulted by lookups (the old key
 * answers the record) and by validation (a live record's old key is not free for another record).
 */
import type { Em } from '../../../db/orm.ts';

export interface AliasHit {
  /** The key asked for (the old one). */
  alias: string;
  keyScope: string;
  recordId: string;
  /** The record's key now. */
  currentKey: string;
  status: string;
}

const exec = <T>(em: Em, sql: string, params: unknown[]) =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

/**
 * Records that once had one of these keys in a domain, the live one first, then the most recent
 * rename; one hit per (key, scope).
 */
export async function recordsByOldKeys(em: Em, domain: string, keys: readonly string[]): Promise<AliasHit[]> {
  if (keys.length === 0) return [];
  const rows = await exec<{
    alias: string;
    key_scope: string;
    record_id: string;
    key: string;
    status: string;
  }>(
    em,
    `select distinct on (a.key, a.key_scope) a.key as alias, a.key_scope, a.record_id, g.key, g.status
       from record_key_alias a join golden_record g on g.id = a.record_id
      where a.domain = ? and a.key in (${keys.map(() => '?').join(',')})
      order by a.key, a.key_scope, (g.status = 'ACTIVE') desc, a.id desc`,
    [domain, ...keys],
  );
  return rows.map((r) => ({
    alias: r.alias,
    keyScope: r.key_scope,
    recordId: r.record_id,
    currentKey: r.key,
    status: r.status,
  }));
}

/** The live record (other than `excludeId`) that gave up this key in a rename, if any. */
export async function liveOwnerOfOldKey(
  em: Em,
  domain: string,
  key: string,
  scope: string,
  excludeId: string | null,
): Promise<AliasHit | null> {
  const hits = await recordsByOldKeys(em, domain, [key]);
  return hits.find((h) => h.keyScope === scope && h.status === 'ACTIVE' && h.recordId !== excludeId) ?? null;
}

/** Records the rename of a record's key: the old key becomes its alias (a rename back drops it). */
export async function recordRename(
  em: Em,
  change: {
    recordId: string;
    domain: string;
    oldKey: string;
    oldScope: string;
    newKey: string;
    newScope: string;
    revision: number;
  },
): Promise<void> {
  await exec(em, 'delete from record_key_alias where record_id = ? and key = ? and key_scope = ?', [
    change.recordId,
    change.newKey,
    change.newScope,
  ]);
  await exec(
    em,
    `insert into record_key_alias (domain, key_scope, key, record_id, renamed_to, revision, created_at)
     values (?, ?, ?, ?, ?, ?, now())`,
    [change.domain, change.oldScope, change.oldKey, change.recordId, change.newKey, change.revision],
  );
}

export interface KeyAliasRow {
  key: string;
  keyScope: string;
  renamedTo: string;
  revision: number;
  createdAt: Date;
}

/** The old keys of a record, newest first. */
export async function aliasesOf(em: Em, recordId: string): Promise<KeyAliasRow[]> {
  const rows = await exec<{
    key: string;
    key_scope: string;
    renamed_to: string;
    revision: number;
    created_at: Date;
  }>(
    em,
    'select key, key_scope, renamed_to, revision, created_at from record_key_alias where record_id = ? order by id desc',
    [recordId],
  );
  return rows.map((r) => ({
    key: r.key,
    keyScope: r.key_scope,
    renamedTo: r.renamed_to,
    revision: r.revision,
    createdAt: new Date(r.created_at),
  }));
}
