/**
 * Named prepared statements for the connectors' hot path (resolveXrefs, translateXrefs), run on
 * MikroORM's own pg pool. PostgreSQL plans a statement once per connection instead of once per call:
 * for a one-id lookup planning costs several times the lookup itself (docs/benchmarks.md). On PGlite
 * (one in-process connection, no statement names) the statement runs through the ORM connection.
 */

import { createHash } from 'node:crypto';
import type pg from 'pg';
import { sqlSpan } from '../telemetry/tracing.ts';
import type { Orm } from './orm.ts';

export interface PreparedStatement {
  /** Unique per statement text: PostgreSQL keeps one plan per name and connection. */
  name: string;
  /** SQL with $1..$n placeholders, each used once and in order (so the PGlite path can use `?`). */
  text: string;
}

const pools = { write: new WeakMap<Orm, pg.Pool | null>(), read: new WeakMap<Orm, pg.Pool | null>() };

/** MikroORM's pg pool on a PostgreSQL server (the main one, or the reads' one); null on PGlite. */
export async function nativePool(orm: Orm, kind: 'write' | 'read' = 'write'): Promise<pg.Pool | null> {
  if (!pools[kind].has(orm)) {
    const connection = orm.em.getConnection(kind) as { getNativeClient?: () => Promise<unknown> };
    const native = connection.getNativeClient ? await connection.getNativeClient() : null;
    pools[kind].set(orm, isPgPool(native) ? native : null);
  }
  return pools[kind].get(orm) ?? null;
}

/**
 * A statement of `?` placeholders as a named prepared statement: `$1..$n` in order, named by a hash
 * of its text. Only for texts drawn from a bounded set (each name stays prepared on each connection).
 */
export function preparedOf(prefix: string, sql: string): PreparedStatement {
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  return { name: `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
}

/**
 * A pg pool by its shape, not by `instanceof`: MikroORM may bring its own copy of pg (npm installs a
 * second one when versions differ), and a pool of that copy is not an instance of ours. PGlite's
 * client has `query` but neither `connect` nor pool counters.
 */
function isPgPool(client: unknown): client is pg.Pool {
  const c = client as Partial<pg.Pool> | null;
  return (
    typeof c?.query === 'function' &&
    typeof c.connect === 'function' &&
    typeof c.totalCount === 'number' &&
    typeof c.idleCount === 'number'
  );
}

export class PreparedQueries {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  /** Runs on the main pool, or with `read` on the reads' pool (shorter statement timeout). */
  async query<T>(
    statement: PreparedStatement,
    values: unknown[],
    options: { read?: boolean } = {},
  ): Promise<T[]> {
    const pool = await nativePool(this.orm, options.read ? 'read' : 'write');
    if (!pool) {
      return this.orm.em.getConnection().execute<T[]>(statement.text.replace(/\$\d+/g, '?'), values as never);
    }
    // the ORM's query hook sees these too (tests count statements through it)
    (this.orm.config.get('onQuery') as ((sql: string) => unknown) | undefined)?.(statement.text);
    const result = await sqlSpan(statement.text, () =>
      pool.query<T & pg.QueryResultRow>({ name: statement.name, text: statement.text, values }),
    );
    return result.rows;
  }
}
