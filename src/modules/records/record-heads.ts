/**
 * The golden-record rows reads need beside a revision (key, scope, status, revision counter, lock
 * version, timestamps), read with one plain query instead of ORM entities: a page of 100 records or a
 * burst of key lookups would otherwise spend most of its time hydrating and tracking entities that
 * are only read.
 */
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { readConnection } from '../../db/read-connection.ts';

export interface RecordHead {
  id: string;
  domain: string;
  key: string;
  keyScope: string;
  site: string | null;
  status: string;
  /** The survivor, for a MERGED record. */
  mergedInto: string | null;
  latestRevision: number;
  lockVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, domain, key, key_scope, site, status, merged_into, latest_revision, lock_version, created_at, updated_at`;

interface HeadRow {
  id: string;
  domain: string;
  key: string;
  key_scope: string;
  site: string | null;
  status: string;
  merged_into: string | null;
  latest_revision: number;
  lock_version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const toHead = (r: HeadRow): RecordHead => ({
  id: r.id,
  domain: r.domain,
  key: r.key,
  keyScope: r.key_scope,
  site: r.site,
  status: r.status,
  mergedInto: r.merged_into ?? null,
  latestRevision: Number(r.latest_revision),
  lockVersion: Number(r.lock_version),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export async function headsByIds(em: Em, ids: readonly string[]): Promise<RecordHead[]> {
  if (ids.length === 0) return [];
  const rows = await readConnection(em).execute<HeadRow[]>(
    `select ${COLUMNS} from golden_record where id = any(?::uuid[])`,
    [toPgArray([...new Set(ids)])],
  );
  return rows.map(toHead);
}

/** The head columns of golden_record `g`, prefixed so they sit beside a revision row's own columns. */
export const HEAD_COLUMNS = `g.id as h_id, g.domain as h_domain, g.key as h_key, g.key_scope as h_key_scope,
  g.site as h_site, g.status as h_status, g.merged_into as h_merged_into, g.latest_revision as h_latest_revision,
  g.lock_version as h_lock_version, g.created_at as h_created_at, g.updated_at as h_updated_at`;

/** The head a row read with HEAD_COLUMNS carries. */
export function headOf(row: Record<string, unknown>): RecordHead {
  return toHead({
    id: row.h_id as string,
    domain: row.h_domain as string,
    key: row.h_key as string,
    key_scope: row.h_key_scope as string,
    site: (row.h_site as string | null) ?? null,
    status: row.h_status as string,
    merged_into: (row.h_merged_into as string | null) ?? null,
    latest_revision: row.h_latest_revision as number,
    lock_version: row.h_lock_version as number,
    created_at: row.h_created_at as Date,
    updated_at: row.h_updated_at as Date,
  });
}
