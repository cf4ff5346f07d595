/**
 * Who reads which domain, counted on the hot paths without a statement per request: an in-memory
 * tally per (token, domain, kind, version, day), flushed set-wise every few seconds and at shutdown.
 * A crash loses at most the last interval's counts — usage answers "who consumes this contract and
 * when did they last", not billing.
 */
import { executeBound } from '../../db/bound-statements.ts';
import type { Orm } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { UsageKind } from './consumer.entities.ts';

interface Tally {
  tokenId: string;
  domain: string;
  kind: UsageKind;
  version: string;
  day: string;
  actorName: string | null;
  systemCode: string | null;
  count: number;
  /** Epoch milliseconds of the last use. */
  lastAt: number;
}

/** How often the tallies are written (ms). */
export const USAGE_FLUSH_MS = 5_000;

export class UsageCounter {
  private tallies = new Map<string, Tally>();
  private day = '';
  private dayUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  /** Counts `n` uses of a domain by the caller (nothing for anonymous or internal callers). */
  count(ctx: CallContext, domain: string, kind: UsageKind, n = 1, version = ''): void {
    const actor = ctx.actor;
    if (!actor || n <= 0 || (actor.role === 'admin' && !actor.tokenId)) return;
    const tokenId = actor.tokenId ?? `actor:${actor.id}`;
    const now = Date.now();
    // the day's key is computed once a minute, not per request (this runs on the resolve hot path)
    if (now >= this.dayUntil) {
      const d = new Date(now);
      this.day = d.toISOString().slice(0, 10);
      this.dayUntil = Math.min(
        now + 60_000,
        Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1),
      );
    }
    const day = this.day;
    const key = `${tokenId}\u0000${domain}\u0000${kind}\u0000${version}\u0000${day}`;
    const tally = this.tallies.get(key);
    if (tally) {
      tally.count += n;
      tally.lastAt = now;
    } else
      this.tallies.set(key, {
        tokenId,
        domain,
        kind,
        version,
        day,
        actorName: actor.name,
        systemCode: actor.systemCode,
        count: n,
        lastAt: now,
      });
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush().catch(() => undefined);
      }, USAGE_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what was counted since the last flush (one statement), one flush at a time. */
  flush(): Promise<void> {
    // a failed flush keeps its counts for the next one and must not stop the chain
    this.flushing = this.flushing.catch(() => undefined).then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.tallies.size === 0) return;
    const rows = [...this.tallies.values()];
    this.tallies = new Map();
    const col = (f: (t: Tally) => unknown) =>
      toPgArray(rows.map((t) => (f(t) == null ? null : String(f(t)))) as never);
    try {
      await this.orm.em.fork().transactional((em) =>
        executeBound(
          em,
          `insert into contract_usage as u (token_id, domain, kind, version, day, actor_name, system_code, count, last_at)
           select t.token_id, t.domain, t.kind, t.version, t.day::date, t.actor_name, t.system_code, t.count::bigint,
                  t.last_at::timestamptz
             from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                  as t(token_id, domain, kind, version, day, actor_name, system_code, count, last_at)
            order by 1, 2, 3, 4, 5
           on conflict (token_id, domain, kind, version, day) do update set
             count = u.count + excluded.count, last_at = greatest(u.last_at, excluded.last_at),
             actor_name = excluded.actor_name, system_code = excluded.system_code`,
          [
            col((t) => t.tokenId),
            col((t) => t.domain),
            col((t) => t.kind),
            col((t) => t.version),
            col((t) => t.day),
            col((t) => t.actorName),
            col((t) => t.systemCode),
            col((t) => t.count),
            col((t) => new Date(t.lastAt).toISOString()),
          ],
        ),
      );
    } catch (error) {
      // kept for the next flush rather than lost
      for (const t of rows) {
        const key = `${t.tokenId}\u0000${t.domain}\u0000${t.kind}\u0000${t.version}\u0000${t.day}`;
        const seen = this.tallies.get(key);
        if (seen) seen.count += t.count;
        else this.tallies.set(key, t);
      }
      throw error;
    }
  }

  /** Stops the timer and writes what is left (shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }
}
