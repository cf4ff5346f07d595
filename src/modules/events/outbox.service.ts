/**
 * Appends change events to the outbox inside the caller's transaction; the change feed, the
 * subscriptions, map snapshots and the NATS relay read them from there in `sequence` order.
 *
 * Appends take a transaction-scoped lock, so transactions that write events commit in the order of
 * their sequence numbers: a reader that sees sequence N has seen every event below N, which is what
 * makes "snapshot at N, then the feed after N" free of gaps. A NOTIFY (sent at commit) wakes the
 * subscribers of every Canon instance on the database.
 */
import { CHANGE_ORDER_LOCK } from '../../db/locks.ts';
import type { Em } from '../../db/orm.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { OutboxEvent } from './outbox-event.entity.ts';

export const OUTBOX_EVENT_TYPES = [
  'CONTRACT_VERSION_PUBLISHED',
  'CONTRACT_VERSION_DEPRECATED',
  'CONTRACT_VERSION_RETIRED',
  'RECORD_CHANGED',
  'RECORD_REKEYED',
  'RECORD_EFFECTIVE',
  'XREF_LINKED',
  'XREF_UNLINKED',
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

export class OutboxService {
  async append(em: Em, input: OutboxInput): Promise<OutboxEvent> {
    const [event] = await this.appendMany(em, [input]);
    return event;
  }

  /** The newest committed sequence as the caller's transaction sees it ('0' when none). */
  async latestSequenceIn(em: Em): Promise<string> {
    const [row] = await em
      .getConnection()
      .execute<{ s: string }[]>(LATEST_SEQUENCE_SQL, [], 'all', em.getTransactionContext());
    return String(row?.s ?? '0');
  }

  /** Appends events in the given order: one lock, one insert (batched by the ORM), one NOTIFY. */
  async appendMany(em: Em, inputs: readonly OutboxInput[]): Promise<OutboxEvent[]> {
    if (inputs.length === 0) return [];
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    await conn.execute('select pg_advisory_xact_lock(?)', [CHANGE_ORDER_LOCK], 'all', tx);
    const events = inputs.map((input) =>
      em.create(OutboxEvent, {
        type: input.type,
        domain: input.domain ?? null,
        subjectId: input.subjectId ?? null,
        revision: input.revision ?? null,
        payload: input.payload,
        origin: (input.origin as unknown as Record<string, unknown>) ?? null,
        originSystem: input.origin?.systemCode ?? null,
        contractVersion: input.contractVersion ?? null,
      }),
    );
    await em.flush();
    const last = events[events.length - 1];
    await conn.execute(`select pg_notify('${OUTBOX_CHANNEL}', ?)`, [String(last.sequence)], 'all', tx);
    return events;
  }
}
