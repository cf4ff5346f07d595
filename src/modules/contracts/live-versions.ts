/**
 * The live (PUBLISHED or DEPRECATED) contract versions, read for the GraphQL schema that follows
 * them (records/typed/): not a caller's read — every caller queries through the one schema — so no
 * ability is asked. `signature` is cheap (ids only) and is asked on every change notification;
 * `documents` loads the schemas only when the signature moved.
 */
import type { Orm } from '../../db/orm.ts';
import { readConnection } from '../../db/read-connection.ts';

export interface LiveVersion {
  id: string;
  contract: string;
  version: string;
  major: number;
  schema: Record<string, unknown>;
}

export class LiveVersions {
  private readonly orm: Orm;
  private readonly listeners = new Set<() => Promise<void>>();

  constructor(orm: Orm) {
    this.orm = orm;
  }

  /** Ids and publication state of every live version, as one string: it changes when they do. */
  async signature(): Promise<string> {
    const [row] = await readConnection(this.orm.em.fork()).execute<{ signature: string | null }[]>(
      `select string_agg(cv.id::text || ':' || cv.status, ',' order by cv.id) as signature
         from contract_version cv where cv.status in ('PUBLISHED', 'DEPRECATED')`,
    );
    return row?.signature ?? '';
  }

  /** Every live version with its schema. */
  async documents(): Promise<LiveVersion[]> {
    const rows = await readConnection(this.orm.em.fork()).execute<
      { id: string; contract: string; version: string; major: number; schema: unknown }[]
    >(
      `select cv.id, c.name as contract, cv.version, cv.major, cv.schema
         from contract_version cv join contract c on c.id = cv.contract_id
        where cv.status in ('PUBLISHED', 'DEPRECATED')`,
    );
    return rows.map((r) => ({
      ...r,
      major: Number(r.major),
      schema: (typeof r.schema === 'string' ? JSON.parse(r.schema) : r.schema) as Record<string, unknown>,
    }));
  }

  /** Calls `listener` after a publication, deprecation or retirement of this instance has committed. */
  onChanged(listener: () => Promise<void>): void {
    this.listeners.add(listener);
  }

  /** Tells the listeners (their failures are theirs to log: the change is committed). */
  async changed(): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l().catch(() => {})));
  }
}
