/**
 * The relay: every committed outbox event, once and in sequence order, onto the JetStream stream.
 *
 * One relay leads per stream and database (relay-leadership.ts); the others wait to take over. The
 * leader reads the outbox after its position, publishes windows of events (event-publisher.ts) and
 * commits the last acknowledged sequence in PostgreSQL after each window. Starting to lead, and
 * after any failure, it resynchronises: its position is the greater of the committed one and the
 * Canon-Sequence of the stream's last message, so events published just before a crash (acked but
 * not yet committed) are not published twice, even after the duplicate window.
 *
 * NATS down or unreachable never blocks a write: events wait in the outbox, the lag grows (metrics,
 * /ready), and the relay catches up in order when NATS answers again.
 */
import { type JetStreamManager, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Em, Orm } from '../../../db/orm.ts';
import type { Logger } from '../../../logger.ts';
import type { ChangeFeedService } from '../change-feed.service.ts';
import { HEADERS } from './event-message.ts';
import { isWrongLastSequence, publishWindow } from './event-publisher.ts';
import { ensureStream, streamManager } from './event-stream.ts';
import { connectNats, serversOf } from './nats-connection.ts';
import type { NatsSettings } from './nats-env.ts';
import {
  AdvisoryLeadership,
  type Leadership,
  type Lease,
  sleep,
  soleLeadership,
} from './relay-leadership.ts';
import { RelayPositions } from './relay-positions.ts';

export type RelayState = 'disabled' | 'connecting' | 'standby' | 'leading' | 'stopped';

export interface RelayCounters {
  published: number;
  duplicates: number;
  failures: number;
  reconnects: number;
}

export interface RelayStatus extends RelayCounters {
  enabled: boolean;
  state: RelayState;
  stream: string | null;
  subjectPrefix: string | null;
  servers: string | null;
  /** Connected to NATS now. */
  connected: boolean;
  /** The last outbox sequence the stream acknowledged (committed by whichever replica leads). */
  lastPublishedSequence: string;
  headSequence: string;
  /** Outbox events not yet on the stream. */
  lag: number;
  lastError: string | null;
  /** Since when the relay is in its state. */
  since: string;
}

export interface ReplayResult {
  /** The last event replayed (null: none in the range). */
  lastSequence: string | null;
  published: number;
  /** Events the stream still had (dropped by JetStream's de-duplication). */
  duplicates: number;
  /** The range holds more events than the limit let through. */
  more: boolean;
}

/** Events per window: enough to keep the connection busy, few enough that a failure costs little. */
export const WINDOW = 256;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
const IDLE_WAIT_MS = 1_000;

export class EventRelay {
  readonly settings: NatsSettings | undefined;
  private readonly feed: ChangeFeedService;
  private readonly positions: RelayPositions;
  private readonly leadership: Leadership;
  private readonly stopping = new AbortController();
  private log: Logger | undefined;
  private nc: NatsConnection | undefined;
  private connecting: Promise<NatsConnection> | undefined;
  private running: Promise<void> | undefined;
  private state: RelayState;
  private since = new Date();
  private position: bigint | undefined;
  private lastError: string | null = null;
  private isConnected = false;
  readonly counters: RelayCounters = { published: 0, duplicates: 0, failures: 0, reconnects: 0 };

  constructor(orm: Orm, feed: ChangeFeedService, options: { settings?: NatsSettings; databaseUrl?: string }) {
    this.settings = options.settings;
    this.feed = feed;
    this.positions = new RelayPositions(orm);
    this.state = options.settings ? 'connecting' : 'disabled';
    this.leadership =
      options.settings && options.databaseUrl
        ? new AdvisoryLeadership(options.databaseUrl, options.settings.stream.name)
        : soleLeadership;
  }

  /** Starts relaying in the background (nothing without NATS settings). */
  start(log: Logger): void {
    if (!this.settings || this.running) return;
    this.log = log;
    this.running = this.run().catch((error) => log.error({ err: error }, 'the event relay stopped'));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.nc?.close().catch(() => {});
    this.nc = undefined;
    if (this.settings) this.setState('stopped');
  }

  /** The NATS connection, opened on first use and kept (it reconnects by itself). */
  async connection(): Promise<NatsConnection> {
    if (this.nc && !this.nc.isClosed()) return this.nc;
    if (!this.settings) throw new Error('NATS_URL is not set: Canon relays no events');
    // the relay's loop and a replay may ask at once: one connection for both
    this.connecting ??= connectNats(this.settings, 'canon-relay')
      .then((nc) => {
        this.nc = nc;
        void this.watch(nc);
        return nc;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  headSequence(): Promise<string> {
    return this.feed.latestSequence();
  }

  async status(): Promise<RelayStatus> {
    const stream = this.settings?.stream;
    const head = BigInt(await this.feed.latestSequence());
    const published =
      this.state === 'leading' && this.position !== undefined
        ? this.position
        : stream
          ? await this.positions.read(stream.name).catch(() => 0n)
          : 0n;
    return {
      enabled: Boolean(this.settings),
      state: this.state,
      stream: stream?.name ?? null,
      subjectPrefix: stream?.subjectPrefix ?? null,
      servers: this.settings ? serversOf(this.settings) : null,
      connected: Boolean(this.nc && !this.nc.isClosed() && this.isConnected),
      lastPublishedSequence: String(published),
      headSequence: String(head),
      lag: this.settings ? Number(head > published ? head - published : 0n) : 0,
      lastError: this.lastError,
      since: this.since.toISOString(),
      ...this.counters,
    };
  }

  /** What /ready shows, without a query: the state, the connection, the position while leading. */
  summary(): Pick<RelayStatus, 'state' | 'connected' | 'stream' | 'lastError' | 'since'> & {
    lastPublishedSequence?: string;
  } {
    return {
      state: this.state,
      connected: this.isConnected && Boolean(this.nc && !this.nc.isClosed()),
      stream: this.settings?.stream.name ?? null,
      ...(this.position === undefined ? {} : { lastPublishedSequence: String(this.position) }),
      lastError: this.lastError,
      since: this.since.toISOString(),
    };
  }

  private async watch(nc: NatsConnection): Promise<void> {
    this.isConnected = true;
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.isConnected = false;
      if (s.type === 'reconnect') {
        this.isConnected = true;
        this.counters.reconnects++;
        this.log?.info({ server: s.server }, 'the event relay reconnected to NATS');
      }
    }
    this.isConnected = false;
  }

  private setState(state: RelayState): void {
    if (state !== this.state) this.since = new Date();
    this.state = state;
  }

  private fail(error: unknown, what: string): void {
    this.counters.failures++;
    const message = (error as Error)?.message ?? String(error);
    if (message !== this.lastError) this.log?.warn({ err: error }, `event relay: ${what}`);
    this.lastError = message;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    let backoff = BACKOFF_MIN_MS;
    while (!signal.aborted) {
      let lease: Lease | undefined;
      try {
        this.setState('connecting');
        await this.connection();
        this.setState('standby');
        lease = await this.leadership.acquire(signal);
        this.setState('leading');
        this.log?.info({ stream: this.settings!.stream.name }, 'the event relay leads');
        await this.lead(lease.lost);
        backoff = BACKOFF_MIN_MS;
      } catch (error) {
        if (signal.aborted) break;
        this.fail(error, 'cannot relay events');
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      } finally {
        this.position = undefined;
        await lease?.release();
      }
    }
  }

  /** Publishes while leading; returns when leadership is lost or the relay stops. */
  private async lead(lost: AbortSignal): Promise<void> {
    const settings = this.settings!;
    const signal = AbortSignal.any([lost, this.stopping.signal]);
    const nc = await this.connection();
    const jsm = await streamManager(nc, settings.stream);
    const js = jetstream(nc);
    let synced = false;
    let streamSequence = 0;
    let backoff = BACKOFF_MIN_MS;
    while (!signal.aborted) {
      try {
        if (!synced) {
          await ensureStream(jsm, settings.stream);
          ({ position: this.position, streamSequence } = await this.sync(jsm));
          synced = true;
        }
        const events = await this.feed.read({ afterSequence: String(this.position), first: WINDOW });
        if (events.length === 0) {
          await this.feed.notifier.wait(IDLE_WAIT_MS, signal);
          continue;
        }
        const result = await publishWindow(js, events, settings.stream.subjectPrefix, streamSequence);
        if (result.acked > 0) {
          this.position = BigInt(events[result.acked - 1].sequence);
          streamSequence = result.streamSequence;
          this.counters.published += result.acked - result.duplicates;
          this.counters.duplicates += result.duplicates;
          await this.positions.commit(settings.stream.name, this.position);
        }
        if (result.error) throw result.error;
        this.lastError = null;
        backoff = BACKOFF_MIN_MS;
      } catch (error) {
        synced = false;
        if (isWrongLastSequence(error)) continue; // the stream moved on (a replay, another relay): resync
        this.fail(error, 'publishing stopped; retrying');
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
    }
  }

  /**
   * Publishes the outbox events from `from` to `to` again (at most `limit`), without the ordering
   * expectation: JetStream drops those it still remembers (the duplicate window), the others are
   * appended again, for consumers that lost them and de-duplicate by sequence.
   */
  async replay(from: bigint, to: bigint, limit: number, em?: Em): Promise<ReplayResult> {
    const settings = this.settings!;
    const nc = await this.connection();
    await ensureStream(await streamManager(nc, settings.stream), settings.stream);
    const js = jetstream(nc);
    const result: ReplayResult = { lastSequence: null, published: 0, duplicates: 0, more: false };
    let after = from - 1n;
    let left = limit;
    while (left > 0) {
      const page = (
        await this.feed.read({ afterSequence: String(after), first: Math.min(WINDOW, left) }, em)
      ).filter((e) => BigInt(e.sequence) <= to);
      if (page.length === 0) return result;
      const window = await publishWindow(js, page, settings.stream.subjectPrefix);
      result.published += window.acked - window.duplicates;
      result.duplicates += window.duplicates;
      if (window.acked > 0) result.lastSequence = page[window.acked - 1].sequence;
      if (window.error) throw window.error;
      after = BigInt(page[page.length - 1].sequence);
      left -= page.length;
    }
    result.more = (await this.feed.read({ afterSequence: String(after), first: 1 }, em)).some(
      (e) => BigInt(e.sequence) <= to,
    );
    return result;
  }

  /** Where to go on from: the committed position, or the stream's last Canon event when it is ahead. */
  private async sync(jsm: JetStreamManager): Promise<{ position: bigint; streamSequence: number }> {
    const name = this.settings!.stream.name;
    const info = await jsm.streams.info(name);
    const streamSequence = info.state.last_seq;
    let inStream = 0n;
    if (info.state.messages > 0) {
      const last = await jsm.streams.getMessage(name, { seq: streamSequence }).catch(() => null);
      const header = last?.header?.get(HEADERS.sequence);
      if (header && /^\d+$/.test(header)) inStream = BigInt(header);
    }
    const committed = await this.positions.read(name);
    if (inStream > committed) await this.positions.commit(name, inStream);
    return { position: inStream > committed ? inStream : committed, streamSequence };
  }
}
