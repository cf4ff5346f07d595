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

/** How the notifier hears of changes, and whether it hears now. */
export interface ListenerHealth {
  /** `listen` on PostgreSQL; `poll` on the embedded PGlite (nothing to connect). */
  mode: 'listen' | 'poll';
  connected: boolean;
  /** Since when it is connected, or since when it has been trying to reconnect. */
  since: string;
  /** Reconnections since start. */
  reconnects: number;
  lastError: string | null;
}

/** Waits between reconnect attempts: 0.5 s doubling to 30 s, so a long outage costs little. */
export const RECONNECT_MIN_MS = 500;
export const RECONNECT_MAX_MS = 30_000;

export class ChangeNotifier {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private reconnecting = false;
  private closed = false;
  private state: ListenerHealth = {
    mode: 'poll',
    connected: false,
    since: new Date().toISOString(),
    reconnects: 0,
    lastError: null,
  };

  /** True once the instance is shutting down: followers stop. */
  get isClosed(): boolean {
    return this.closed;
  }

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  health(): ListenerHealth {
    return { ...this.state };
  }

  /** Calls `listener` with true when the LISTEN connection comes back, false when it is lost. */
  onListenerState(listener: (connected: boolean) => void): void {
    this.emitter.on('listener', listener);
  }

  /** Starts listening (PostgreSQL) or polling (`poll` is called periodically and says whether there is news). */
  async start(options: { databaseUrl?: string; poll: () => Promise<boolean>; log: Logger }): Promise<void> {
    if (options.databaseUrl) {
      this.state = { ...this.state, mode: 'listen' };
      await this.connect(options.databaseUrl, options.log);
    } else {
      this.state = { ...this.state, connected: true };
    }
    // a slow poll also on PostgreSQL: a safety net should a notification be missed (and the only
    // wake-up while the listener is down)
    const interval = options.databaseUrl ? 5000 : 250;
    const tick = async () => {
      if (this.closed) return;
      try {
        if (this.emitter.listenerCount('change') > 0 && (await options.poll())) this.emitChange();
      } catch {
        // the database may be closing
      }
      this.timer = setTimeout(tick, this.state.connected ? interval : Math.min(interval, 1000));
      this.timer.unref();
    };
    this.timer = setTimeout(tick, interval);
    this.timer.unref();
  }

  /** One LISTEN connection; on failure, the one reconnect loop takes over. */
  private async connect(databaseUrl: string, log: Logger): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'canon-listen' });
    client.on('notification', (message) => {
      if (message.channel === CREDENTIALS_CHANNEL) this.emitter.emit('credentials');
      else this.emitChange();
    });
    // 'error' and 'end' may both come for one lost connection: only the first one counts
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      this.markDown(error?.message ?? 'connection ended');
      log.warn({ err: error }, 'change listener lost its connection; reconnecting');
      this.scheduleReconnect(databaseUrl, log, RECONNECT_MIN_MS);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      await client.query(`listen ${CREDENTIALS_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners();
      client.on('error', () => {});
      await client.end().catch(() => {});
      this.markDown((error as Error).message);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    const wasDown = !this.state.connected;
    this.state = { ...this.state, connected: true, since: new Date().toISOString(), lastError: null };
    if (wasDown) this.emitter.emit('listener', true);
    // changes made while reconnecting are picked up by the subscribers' own reads; credentials
    // revoked meanwhile are forgotten now rather than when their cache entries expire
    this.emitChange();
    this.emitter.emit('credentials');
  }

  private markDown(error: string): void {
    const wasUp = this.state.connected;
    this.state = {
      ...this.state,
      connected: false,
      since: wasUp ? new Date().toISOString() : this.state.since,
      lastError: error,
    };
    if (wasUp) this.emitter.emit('listener', false);
  }

  /** The single reconnect loop: one attempt at a time, backing off to RECONNECT_MAX_MS. */
  private scheduleReconnect(databaseUrl: string, log: Logger, delayMs: number): void {
    if (this.closed || this.reconnecting) return;
    this.reconnecting = true;
    this.retryTimer = setTimeout(async () => {
      try {
        await this.connect(databaseUrl, log);
        this.state = { ...this.state, reconnects: this.state.reconnects + 1 };
        this.reconnecting = false;
        log.info('change listener reconnected');
      } catch {
        this.reconnecting = false;
        this.scheduleReconnect(databaseUrl, log, Math.min(delayMs * 2, RECONNECT_MAX_MS));
      }
    }, delayMs);
    this.retryTimer.unref();
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

  /**
   * Calls `listener` whenever the outbox grew on any replica (a NOTIFY, a local write, a reconnect),
   * as often as writes do. Unlike a waiting follower it does not keep the poll running: on PGlite
   * there are no other replicas to hear of.
   */
  onChange(listener: () => void): void {
    this.emitter.on('observed-change', listener);
  }

  private emitChange(): void {
    this.emitter.emit('change');
    this.emitter.emit('observed-change');
  }

  /** Calls `listener` whenever any replica changed a token, a system or an ownership rule. */
  onCredentialsChanged(listener: () => void): void {
    this.emitter.on('credentials', listener);
  }

  /** Wakes waiting subscribers of this instance (after a local write). */
  notify(): void {
    this.emitChange();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    this.emitter.emit('change');
    await this.client?.end().catch(() => {});
  }
}
