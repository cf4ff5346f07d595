/**
 * Wakes subscribers when the outbox grows. On PostgreSQL one LISTEN connection per instance receives
 * the NOTIFY every instance's writes send, so a change made through one replica reaches subscribers
 * of all. PGlite lives in one process: the notifier polls the outbox instead. Either way subscribers
 * read the events themselves from the outbox table, so a lost wake-up only delays, never drops.
 * The same connection hears credential changes (CREDENTIALS_CHANNEL) for the credential caches.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../../logger.ts';
import { OUTBOX_CHANNEL } from './outbox.service.ts';

/** NOTIFYed after a token, system or ownership rule changes: every replica empties its credential cache. */
export const CREDENTIALS_CHANNEL = 'canon_credentials';

export class ChangeNotifier {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** True once the instance is shutting down: followers stop. */
  get isClosed(): boolean {
    return this.closed;
  }

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Starts listening (PostgreSQL) or polling (`poll` is called periodically and says whether there is news). */
  async start(options: { databaseUrl?: string; poll: () => Promise<boolean>; log: Logger }): Promise<void> {
    if (options.databaseUrl) {
      const connect = async (): Promise<void> => {
        if (this.closed) return;
        const client = new pg.Client({
          connectionString: options.databaseUrl,
          application_name: 'canon-listen',
        });
        client.on('notification', (message) =>
          this.emitter.emit(message.channel === CREDENTIALS_CHANNEL ? 'credentials' : 'change'),
        );
        client.on('error', (error) => {
          options.log.warn({ err: error }, 'change listener lost its connection; reconnecting');
          this.client = undefined;
          setTimeout(() => void connect().catch(() => {}), 1000).unref();
        });
        await client.connect();
        await client.query(`listen ${OUTBOX_CHANNEL}`);
        await client.query(`listen ${CREDENTIALS_CHANNEL}`);
        this.client = client;
        // changes made while reconnecting are picked up by the subscribers' own reads; credentials
        // revoked meanwhile are forgotten now rather than when their cache entries expire
        this.emitter.emit('change');
        this.emitter.emit('credentials');
      };
      await connect();
    }
    // a slow poll also on PostgreSQL: a safety net should a notification be missed
    const interval = options.databaseUrl ? 5000 : 250;
    const tick = async () => {
      if (this.closed) return;
      try {
        if (this.emitter.listenerCount('change') > 0 && (await options.poll())) this.emitter.emit('change');
      } catch {
        // the database may be closing
      }
      this.timer = setTimeout(tick, interval);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, interval);
    this.timer.unref();
  }

  /** Resolves at the next change, or after `timeoutMs`, or when `signal` aborts. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('change', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.on('change', done);
      signal?.addEventListener('abort', done);
    });
  }

  /** Calls `listener` whenever any replica changed a token, a system or an ownership rule. */
  onCredentialsChanged(listener: () => void): void {
    this.emitter.on('credentials', listener);
  }

  /** Wakes waiting subscribers of this instance (after a local write). */
  notify(): void {
    this.emitter.emit('change');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.emitter.emit('change');
    await this.client?.end().catch(() => {});
  }
}
