/**
 * Writes and verifies the audit trail. `record` runs inside the caller's transaction, so an audit
 * event exists exactly when the change it describes does. Events form a hash chain; appends take a
 * transaction-scoped advisory lock so concurrent writers cannot fork the chain.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Em } from '../../db/orm.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { AuditAction } from './audit-actions.ts';
import { AuditEvent } from './audit-event.entity.ts';

const GENESIS = '0'.repeat(64);

import { CHANGE_ORDER_LOCK } from '../../db/locks.ts';

export interface AuditInput {
  action: AuditAction;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
}

export interface ChainVerification {
  valid: boolean;
  checked: number;
  /** Sequence of the first event whose hash or link does not match. */
  brokenAt: string | null;
}

interface HashedFields {
  at: string;
  actorId: string | null;
  actorName: string | null;
  tokenId: string | null;
  systemCode: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

function eventHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalize(fields) ?? '')
    .digest('hex');
}

export class AuditService {
  /** Appends one event in the transaction of `em` (which must be inside `transactional`). */
  async record(em: Em, ctx: CallContext, input: AuditInput): Promise<AuditEvent> {
    const connection = em.getConnection();
    const tx = em.getTransactionContext();
    await connection.execute('select pg_advisory_xact_lock(?)', [CHANGE_ORDER_LOCK], 'all', tx);
    const last = await connection.execute<{ hash: string }[]>(
      'select hash from audit_event order by sequence desc limit 1',
      [],
      'all',
      tx,
    );
    const prevHash = last[0]?.hash ?? GENESIS;
    const fields: HashedFields = {
      at: new Date().toISOString(),
      actorId: ctx.actor?.id ?? null,
      actorName: ctx.actor?.name ?? null,
      tokenId: ctx.actor?.tokenId ?? null,
      systemCode: ctx.actor?.systemCode ?? null,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      before: input.before ?? null,
      after: input.after ?? null,
      requestId: ctx.requestId,
    };
    const event = em.create(AuditEvent, {
      ...fields,
      at: new Date(fields.at),
      prevHash,
      hash: eventHash(prevHash, fields),
    });
    await em.flush();
    return event;
  }

  /** Recomputes the chain from the first event; reports the first break. */
  async verifyChain(em: Em, ctx: CallContext): Promise<ChainVerification> {
    authorize(ctx.ability, ctx.actor, 'verify', 'AuditEvent');
    let prevHash = GENESIS;
    let checked = 0;
    let after = '0';
    const pageSize = 1000;
    for (;;) {
      const page = await em.find(
        AuditEvent,
        { sequence: { $gt: after } },
        { orderBy: { sequence: 'asc' }, limit: pageSize },
      );
      for (const e of page) {
        const fields: HashedFields = {
          at: e.at.toISOString(),
          actorId: e.actorId ?? null,
          actorName: e.actorName ?? null,
          tokenId: e.tokenId ?? null,
          systemCode: e.systemCode ?? null,
          action: e.action,
          subjectType: e.subjectType,
          subjectId: e.subjectId,
          before: e.before ?? null,
          after: e.after ?? null,
          requestId: e.requestId ?? null,
        };
        if (e.prevHash !== prevHash || eventHash(prevHash, fields) !== e.hash) {
          return { valid: false, checked, brokenAt: String(e.sequence) };
        }
        prevHash = e.hash;
        checked++;
      }
      if (page.length < pageSize) break;
      after = String(page[page.length - 1].sequence);
      em.clear();
    }
    return { valid: true, checked, brokenAt: null };
  }

  async list(
    em: Em,
    ctx: CallContext,
    filter: {
      subjectType?: string;
      subjectId?: string;
      action?: string;
      afterSequence?: string;
      /** Newest first: only events before this sequence (the page's cursor). */
      beforeSequence?: string;
      newestFirst?: boolean;
      first: number;
    },
  ): Promise<AuditEvent[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'AuditEvent');
    const where: Record<string, unknown> = {};
    if (filter.subjectType) where.subjectType = filter.subjectType;
    if (filter.subjectId) where.subjectId = filter.subjectId;
    if (filter.action) where.action = filter.action;
    const bounds: Record<string, string> = {};
    if (filter.afterSequence) bounds.$gt = filter.afterSequence;
    if (filter.beforeSequence) bounds.$lt = filter.beforeSequence;
    if (Object.keys(bounds).length > 0) where.sequence = bounds;
    return em.find(AuditEvent, where, {
      orderBy: { sequence: filter.newestFirst ? 'desc' : 'asc' },
      limit: filter.first,
    });
  }

  async count(
    em: Em,
    ctx: CallContext,
    filter: { subjectType?: string; subjectId?: string; action?: string },
  ): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'AuditEvent');
    const where: Record<string, unknown> = {};
    if (filter.subjectType) where.subjectType = filter.subjectType;
    if (filter.subjectId) where.subjectId = filter.subjectId;
    if (filter.action) where.action = filter.action;
    return em.count(AuditEvent, where);
  }
}
