/**
 * Appends change events to the outbox inside the caller's transaction; the change feed, the
 * subscriptions, map snapshots and the NATS relay read them from there in `sequence` order.
 *
 * Appends take a transaction-scoped lock, so transactions that write events commit in the order of
 * their sequence numbers: a reader that sees sequence N has seen every event below N, which is what
 * makes "snapshot at N, then the feed after N" free of gaps. A NOTIFY (sent at commit) wakes the
 * subscribers of every Canon instance on the database.
 */
import { executeBound } from '../../db/bound-statements.ts';
import { CHANGE_ORDER_LOCK } from '../../db/locks.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import type { CallContext } from '../auth/actor-context.ts';

export const OUTBOX_EVENT_TYPES = [
  'CONTRACT_VERSION_PUBLISHED',
  'CONTRACT_VERSION_DEPRECATED',
  'CONTRACT_VERSION_RETIRED',
  'CONTRACT_IMPACT_PENDING',
  'CONTRACT_IMPACT_ACKNOWLEDGED',
  'RECORD_CHANGED',
  'RECORD_REKEYED',
  'RECORD_MERGED',
  'RECORD_UNMERGED',
  'RECORD_EFFECTIVE',
  'RECORD_QUARANTINED',
  'RECORD_RELEASED',
  'XREF_LINKED',
  'XREF_UNLINKED',
  'XREF_REPOINTED',
  'CHANGE_REQUEST_PROPOSED',
  'CHANGE_REQUEST_DECIDED',
  'BULK_CHANGE_PROPOSED',
  'IMPORT_PROGRESS',
] as const;
export type OutboxEventType = (typeof OUTBOX_EVENT_TYPES)[number];

export const OUTBOX_CHANNEL = 'canon_outbox';

/**
 * The newest committed sequence as the running transaction's snapshot sees it ('0' when none). For
 * a reader that must say which sequence its snapshot is consistent with (the map download), also
 * on a raw pg client inside a REPEATABLE READ transaction.
 */
export const LATEST_SEQUENCE_SQL = 'select coalesce(max(sequence), 0)::text as s from outbox_event';

/** Who caused an event: the actor whose act committed it, the system it wrote for, the proposal. */
export interface EventOrigin {
  actorId: string | null;
  actorName: string | null;
  role: string | null;
  /** The system of the write: the proposing connector's for a proposal, the caller's otherwise. */
  systemCode: string | null;
  changeRequestId?: string | null;
  /** Who proposed it, when a proposal was applied or decided by someone else. */
  proposedById?: string | null;
  /** The idempotency key the proposer sent: a connector recognises the echo of its own request. */
  idempotencyKey?: string | null;
}

export function originOf(
  ctx: CallContext,
  proposal?: {
    id: string;
    systemCode?: string | null;
    proposedBy?: string | null;
    idempotencyKey?: string | null;
  },
): EventOrigin {
  return {
    actorId: ctx.actor?.id ?? null,
    actorName: ctx.actor?.name ?? null,
    role: ctx.actor?.role ?? null,
    systemCode: proposal ? (proposal.systemCode ?? null) : (ctx.actor?.systemCode ?? null),
    ...(proposal
      ? {
          changeRequestId: proposal.id,
          proposedById: proposal.proposedBy ?? null,
          idempotencyKey: proposal.idempotencyKey ?? null,
        }
      : {}),
  };
}

export interface OutboxInput {
  type: OutboxEventType;
  domain?: string;
  subjectId?: string;
  revision?: number;
  payload: Record<string, unknown>;
  origin?: EventOrigin;
  contractVersion?: string;
}

/**
 * Told of every batch of events in the writer's transaction, after they are inserted: modules that
 * keep a projection of changes (propagation) learn about them here, never from the outbox table.
 */
export type AppendListener = (em: Em, events: readonly AppendedEvent[]) => Promise<void>;
export interface AppendedEvent extends OutboxInput {
  sequence: string;
  /** The payload as inserted (JSON text), so listeners need not serialise it again. */
  payloadJson: string;
}

export class OutboxService {
  private readonly listeners: AppendListener[] = [];

  onAppended(listener: AppendListener): void {
    this.listeners.push(listener);
  }

  /** Appends one event; answers its sequence. */
  async append(em: Em, input: OutboxInput): Promise<string> {
    const [sequence] = await this.appendMany(em, [input]);
    return sequence;
  }

  /** The newest committed sequence as the caller's transaction sees it ('0' when none). */
  async latestSequenceIn(em: Em): Promise<string> {
    const [row] = await em
      .getConnection()
      .execute<{ s: string }[]>(LATEST_SEQUENCE_SQL, [], 'all', em.getTransactionContext());
    return String(row?.s ?? '0');
  }

  /**
   * Appends events in the given order: one lock, one set-based insert (sequences in input order), one
   * NOTIFY; answers their sequences.
   */
  async appendMany(em: Em, inputs: readonly OutboxInput[]): Promise<string[]> {
    if (inputs.length === 0) return [];
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    await conn.execute('select pg_advisory_xact_lock(?)', [CHANGE_ORDER_LOCK], 'all', tx);
    const column = (f: (i: OutboxInput) => unknown) => toPgArray(inputs.map((i) => f(i) ?? null) as never);
    const payloads = inputs.map((i) => JSON.stringify(i.payload));
    const rows = await executeBound<{ sequence: string }>(
      em,
      `insert into outbox_event (type, domain, subject_id, revision, payload, origin, origin_system, contract_version,
              created_at)
       select u.type, u.domain, u.subject_id, u.revision::int, u.payload::jsonb, u.origin::jsonb, u.origin_system,
              u.contract_version, clock_timestamp()
         from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
              with ordinality as u(type, domain, subject_id, revision, payload, origin, origin_system, contract_version, ord)
        order by u.ord
       returning sequence`,
      [
        column((i) => i.type),
        column((i) => i.domain),
        column((i) => i.subjectId),
        column((i) => (i.revision === undefined ? null : String(i.revision))),
        toPgArray(payloads),
        column((i) => (i.origin ? JSON.stringify(i.origin) : null)),
        column((i) => i.origin?.systemCode),
        column((i) => i.contractVersion),
      ],
    );
    // inserted in input order under the lock: the i-th smallest sequence is the i-th input's
    const sequences = rows.map((r) => String(r.sequence)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    if (this.listeners.length > 0) {
      const appended = inputs.map((input, i) => ({
        ...input,
        sequence: sequences[i],
        payloadJson: payloads[i],
      }));
      for (const listener of this.listeners) await listener(em, appended);
    }
    await conn.execute(
      `select pg_notify('${OUTBOX_CHANNEL}', ?)`,
      [sequences[sequences.length - 1]],
      'all',
      tx,
    );
    return sequences;
  }
}
