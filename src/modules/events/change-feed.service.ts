/**
 * The change feed: outbox events after a sequence, in sequence order, for connectors that follow
 * changes (paged, or as a subscription that first replays and then waits for new events).
 */
import type { Em, Orm } from '../../db/orm.ts';
import { readConnection } from '../../db/read-connection.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ChangeNotifier } from './change-notifier.ts';
import { type EventOrigin, LATEST_SEQUENCE_SQL } from './outbox.service.ts';

export interface ChangeEvent {
  sequence: string;
  type: string;
  domain: string | null;
  subjectId: string | null;
  revision: number | null;
  payload: Record<string, unknown>;
  origin: EventOrigin | null;
  contractVersion: string | null;
  createdAt: Date;
}

export interface FeedFilter {
  afterSequence: string;
  first: number;
  domain?: string;
  types?: string[];
  /** Only events whose write came through one of these systems. */
  originSystems?: string[];
  /** Leave out events whose write came through this system (a connector's own echoes). */
  excludeOriginSystem?: string;
  /** Leave out record events of records held back now (the hold condition registered with holdWith). */
  holdQuarantined?: boolean;
}

export class ChangeFeedService {
  private readonly orm: Orm;
  readonly notifier: ChangeNotifier;

  /** SQL over `outbox_event` that is true for events to hold back (set by the exceptions module). */
  private holdCondition: string | null = null;

  /** The module that keeps quarantines says which events to hold back (a condition on outbox_event). */
  holdWith(condition: string): void {
    this.holdCondition = condition;
  }

  constructor(orm: Orm, notifier: ChangeNotifier) {
    this.orm = orm;
    this.notifier = notifier;
  }

  /** Told of every page a caller read (usage per domain). */
  private readonly readObservers: ((ctx: CallContext, events: readonly ChangeEvent[]) => void)[] = [];

  observeReads(observer: (ctx: CallContext, events: readonly ChangeEvent[]) => void): void {
    this.readObservers.push(observer);
  }

  async page(ctx: CallContext, filter: FeedFilter): Promise<ChangeEvent[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const events = await this.read(filter);
    for (const o of this.readObservers) o(ctx, events);
    return events;
  }

  /**
   * A page of events, without an authorization check: for Canon's own readers (the NATS relay); in
   * `em`'s transaction when given (the embedded PGlite has one connection, which a transaction holds).
   */
  async read(filter: FeedFilter, em?: Em): Promise<ChangeEvent[]> {
    const where = ['sequence > ?'];
    const params: unknown[] = [filter.afterSequence];
    if (filter.domain) {
      where.push('domain = ?');
      params.push(filter.domain);
    }
    if (filter.types && filter.types.length > 0) {
      where.push(`type in (${filter.types.map(() => '?').join(',')})`);
      params.push(...filter.types);
    }
    if (filter.originSystems && filter.originSystems.length > 0) {
      where.push(`origin_system in (${filter.originSystems.map(() => '?').join(',')})`);
      params.push(...filter.originSystems);
    }
    if (filter.excludeOriginSystem) {
      where.push('origin_system is distinct from ?');
      params.push(filter.excludeOriginSystem);
    }
    if (filter.holdQuarantined && this.holdCondition) where.push(`not (${this.holdCondition})`);
    params.push(Math.min(Math.max(filter.first, 1), 1001)); // a page of 1000 and one more to know there is more
    type Row = {
      sequence: string;
      type: string;
      domain: string | null;
      subject_id: string | null;
      revision: number | null;
      payload: unknown;
      origin: unknown;
      contract_version: string | null;
      created_at: Date;
    };
    const sql = `select sequence::text, type, domain, subject_id, revision, payload, origin, contract_version, created_at from outbox_event where ${where.join(' and ')} order by outbox_event.sequence limit ?`;
    const rows = em
      ? await em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext())
      : await readConnection(this.orm.em).execute<Row[]>(sql, params);
    return rows.map((r) => ({
      sequence: r.sequence,
      type: r.type,
      domain: r.domain,
      subjectId: r.subject_id,
      revision: r.revision,
      payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
      origin: (typeof r.origin === 'string' ? JSON.parse(r.origin) : r.origin) as EventOrigin | null,
      contractVersion: r.contract_version,
      createdAt: new Date(r.created_at),
    }));
  }

  /** The sequence each live subscription has reached (null: caught up and waiting). */
  private readonly followers = new Map<object, string | null>();

  async latestSequence(): Promise<string> {
    const rows = await readConnection(this.orm.em).execute<{ s: string | null }[]>(LATEST_SEQUENCE_SQL);
    return rows[0]?.s ?? '0';
  }

  /** Every event after `afterSequence`, then each new one as it is committed, until `signal` aborts. */
  async *follow(
    ctx: CallContext,
    filter: Omit<FeedFilter, 'first'>,
    signal?: AbortSignal,
  ): AsyncGenerator<ChangeEvent> {
    let after = filter.afterSequence;
    const stopped = () => signal?.aborted || this.notifier.isClosed;
    const me = {};
    this.followers.set(me, after ?? '0');
    try {
      while (!stopped()) {
        const batch = await this.page(ctx, { ...filter, afterSequence: after, first: 500 });
        for (const event of batch) {
          if (stopped()) return;
          yield event;
          after = event.sequence;
          this.followers.set(me, after);
        }
        if (batch.length < 500) {
          // caught up: nothing committed is waiting for this follower (its filter may skip the rest)
          this.followers.set(me, null);
          await this.notifier.wait(15_000, signal);
        }
      }
    } finally {
      this.followers.delete(me);
    }
  }

  /**
   * How far the subscriptions of this process are behind the newest committed event: followers, and
   * the events between the slowest follower still catching up and the head (0 when all caught up).
   */
  async lag(): Promise<{ followers: number; events: number }> {
    const behind = [...this.followers.values()].filter((s): s is string => s !== null);
    if (behind.length === 0) return { followers: this.followers.size, events: 0 };
    const head = BigInt(await this.latestSequence());
    const slowest = behind.map(BigInt).reduce((a, b) => (a < b ? a : b));
    return { followers: this.followers.size, events: Number(head > slowest ? head - slowest : 0n) };
  }
}
