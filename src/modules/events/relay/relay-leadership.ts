/**
 * At most one relay publishes a stream at a time among the replicas of one database: the one whose
 * session holds a PostgreSQL advisory lock keyed by the stream's name. The lock lives as long as the
 * session, so when the holder dies (process killed, host gone, connection cut) PostgreSQL releases
 * it and a standby, trying every second, takes over. The embedded PGlite belongs to one process:
 * that process always leads.
 */
import pg from 'pg';

/** Held leadership: `lost` aborts when the session that holds the lock is gone. */
export interface Lease {
  lost: AbortSignal;
  release(): Promise<void>;
}

export interface Leadership {
  /** Resolves once this instance leads (or rejects when `signal` aborts first). */
  acquire(signal: AbortSignal): Promise<Lease>;
}

/** The first key of the two-key advisory lock: Canon's relay (the second is the stream's hash). */
export const RELAY_LOCK_CLASS = 7_261_002;
const TRY_EVERY_MS = 1_000;
const CHECK_EVERY_MS = 2_000;

export const soleLeadership: Leadership = {
  acquire: async () => ({ lost: new AbortController().signal, release: async () => {} }),
};

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class AdvisoryLeadership implements Leadership {
  private readonly databaseUrl: string;
  private readonly stream: string;

  constructor(databaseUrl: string, stream: string) {
    this.databaseUrl = databaseUrl;
    this.stream = stream;
  }

  async acquire(signal: AbortSignal): Promise<Lease> {
    while (!signal.aborted) {
      const client = new pg.Client({
        connectionString: this.databaseUrl,
        application_name: 'canon-relay-lock',
        keepAlive: true,
        connectionTimeoutMillis: 5_000,
        // a frozen server must not freeze the check: the lease counts as lost
        query_timeout: 5_000,
      });
      client.on('error', () => {}); // a lost session is noticed by the checks below
      try {
        await client.connect();
        while (!signal.aborted) {
          const { rows } = await client.query<{ held: boolean }>(
            'select pg_try_advisory_lock($1, hashtext($2)) as held',
            [RELAY_LOCK_CLASS, this.stream],
          );
          if (rows[0].held) return this.lease(client);
          await sleep(TRY_EVERY_MS, signal);
        }
      } catch {
        // the database is unreachable: try again in a moment
      }
      await client.end().catch(() => {});
      await sleep(TRY_EVERY_MS, signal);
    }
    throw new Error('stopped before leading');
  }

  /** Watches the session: an error, its end or a check that fails means the lock may be gone. */
  private lease(client: pg.Client): Lease {
    const lost = new AbortController();
    const lose = () => lost.abort();
    client.on('error', lose);
    client.on('end', lose);
    const timer = setInterval(() => {
      client.query('select 1').catch(lose);
    }, CHECK_EVERY_MS);
    timer.unref();
    return {
      lost: lost.signal,
      release: async () => {
        clearInterval(timer);
        client.off('end', lose);
        // ending the session releases the lock
        await client.end().catch(() => {});
      },
    };
  }
}
