/** The stewards' decisions on proposals: approve (four eyes; the last approval applies), reject, withdraw. */

import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound } from '../../errors.ts';
import { assertTextLength } from '../../text-limits.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize, can } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import { type Approval, ChangeRequest } from './change-request.entity.ts';
import { announceChangeRequest } from './change-request-events.ts';
import type { RecordWriter } from './record-writer.ts';

/** Most change requests one bulk decision takes (a console page of the inbox). */
export const MAX_BATCH_DECISIONS = 100;

export class Decisions {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly writer: RecordWriter;
  private readonly outbox: OutboxService;

  constructor(orm: Orm, audit: AuditService, writer: RecordWriter, outbox: OutboxService) {
    this.orm = orm;
    this.audit = audit;
    this.writer = writer;
    this.outbox = outbox;
  }

  /**
   * Several decisions of one kind, each in its own transaction so one failure (a stale proposal, one
   * already decided, your own) leaves the others applied; every item answers its change request or
   * its error. Each item's idempotency key derives from the batch's, so a retried batch replays the
   * decisions that were made and tries again only the ones that failed.
   */
  async decideMany(
    ctx: CallContext,
    decision: 'approve' | 'reject',
    ids: readonly string[],
    note: string | undefined,
    idempotencyKey?: string,
  ): Promise<{ id: string; changeRequest: ChangeRequest | null; error: CanonError | null }[]> {
    authorize(ctx.ability, ctx.actor, 'approve', 'ChangeRequest');
    if (ids.length === 0 || ids.length > MAX_BATCH_DECISIONS)
      throw new CanonError('BAD_USER_INPUT', `Give 1 to ${MAX_BATCH_DECISIONS} change request ids.`, {
        path: ['ids'],
      });
    assertTextLength(note, 'reason', [decision === 'reject' ? 'reason' : 'comment']);
    if (decision === 'reject' && !note?.trim())
      throw new CanonError('BAD_USER_INPUT', 'Say why the proposals are rejected.', { path: ['reason'] });
    if (new Set(ids).size !== ids.length)
      throw new CanonError('BAD_USER_INPUT', 'Each change request may appear once.', { path: ['ids'] });
    const results = [];
    for (const id of ids) {
      const key = idempotencyKey ? `${idempotencyKey}/${id}` : undefined;
      try {
        const cr =
          decision === 'approve'
            ? await this.approve(ctx, id, note, key)
            : await this.reject(ctx, id, note ?? '', key);
        results.push({ id, changeRequest: cr, error: null });
      } catch (error) {
        if (!(error instanceof CanonError)) throw error;
        results.push({ id, changeRequest: null, error });
      }
    }
    return results;
  }

  async approve(
    ctx: CallContext,
    id: string,
    comment?: string,
    idempotencyKey?: string,
  ): Promise<ChangeRequest> {
    return this.decide(ctx, id, 'approve', idempotencyKey, { comment }, async (em, cr) => {
      if (cr.proposedBy && cr.proposedBy === ctx.actor?.id) {
        throw new CanonError(
          'SELF_APPROVAL',
          'A proposal cannot be approved by the one who proposed it (four eyes).',
        );
      }
      if (cr.approvals.some((a) => a.actorId === ctx.actor?.id)) return; // approving twice changes nothing
      const approval: Approval = {
        actorId: ctx.actor!.id,
        actorName: ctx.actor!.name,
        at: new Date().toISOString(),
        comment: comment ?? null,
      };
      cr.approvals = [...cr.approvals, approval];
      const applies = cr.approvals.length >= cr.requiredApprovals;
      if (applies) await this.writer.lockForApply(em, cr);
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'CHANGE_APPROVED',
        subjectType: 'ChangeRequest',
        subjectId: cr.id,
        after: { approvals: cr.approvals.length, of: cr.requiredApprovals },
      });
      if (applies) {
        await this.writer.apply(em, ctx, cr);
        await announceChangeRequest(this.outbox, em, ctx, cr);
      }
    });
  }

  async reject(
    ctx: CallContext,
    id: string,
    reason: string,
    idempotencyKey?: string,
  ): Promise<ChangeRequest> {
    if (!reason?.trim())
      throw new CanonError('BAD_USER_INPUT', 'Say why the proposal is rejected.', { path: ['reason'] });
    return this.decide(ctx, id, 'reject', idempotencyKey, { reason }, async (em, cr) => {
      cr.status = 'REJECTED';
      cr.decisionReason = reason;
      cr.decidedBy = ctx.actor?.id ?? null;
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'CHANGE_REJECTED',
        subjectType: 'ChangeRequest',
        subjectId: cr.id,
        after: { reason },
      });
      await this.writer.announceDecided(em, ctx, cr);
      await announceChangeRequest(this.outbox, em, ctx, cr);
    });
  }

  async withdraw(ctx: CallContext, id: string, idempotencyKey?: string): Promise<ChangeRequest> {
    return this.decide(ctx, id, 'withdraw', idempotencyKey, {}, async (em, cr) => {
      if (cr.proposedBy !== ctx.actor?.id && !can(ctx.ability, 'manage', 'ChangeRequest')) {
        throw new CanonError('FORBIDDEN', 'Only the proposer (or an admin) can withdraw a proposal.');
      }
      cr.status = 'WITHDRAWN';
      cr.decidedBy = ctx.actor?.id ?? null;
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'CHANGE_WITHDRAWN',
        subjectType: 'ChangeRequest',
        subjectId: cr.id,
      });
      await this.writer.announceDecided(em, ctx, cr);
      await announceChangeRequest(this.outbox, em, ctx, cr);
    });
  }

  private async decide(
    ctx: CallContext,
    id: string,
    action: 'approve' | 'reject' | 'withdraw',
    idempotencyKey: string | undefined,
    input: Record<string, unknown>,
    act: (em: Em, cr: ChangeRequest) => Promise<void>,
  ): Promise<ChangeRequest> {
    assertTextLength(input.comment as string | undefined, 'reason', ['comment']);
    assertTextLength(input.reason as string | undefined, 'reason', ['reason']);
    if (action !== 'withdraw') authorize(ctx.ability, ctx.actor, 'approve', 'ChangeRequest');
    else authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord');
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      `${action}Change`,
      { id, ...input },
      changeRequestReplay,
      async (em) => {
        const cr = isUuid(id) ? await em.findOne(ChangeRequest, { id }) : null;
        if (!cr) throw notFound('The change request', ['id']);
        // one decision at a time per proposal
        await em
          .getConnection()
          .execute(
            'select id from change_request where id = ? for update',
            [cr.id],
            'all',
            em.getTransactionContext(),
          );
        await em.refresh(cr);
        if (cr.status !== 'PENDING') {
          // a repeated approval of an applied proposal is answered with its state
          if (
            action === 'approve' &&
            cr.status === 'APPLIED' &&
            cr.approvals.some((a) => a.actorId === ctx.actor?.id)
          )
            return cr;
          const past = { approve: 'approved', reject: 'rejected', withdraw: 'withdrawn' }[action];
          throw new CanonError(
            'INVALID_STATE',
            `The change request is ${cr.status}; only a pending one can be ${past}.`,
          );
        }
        await act(em, cr);
        return cr;
      },
    );
  }
}

/** A retried decision or proposal answers the change request as it is now. */
export const changeRequestReplay = (em: Em): Replayable<ChangeRequest> => ({
  idOf: (cr) => cr.id,
  replay: (id) => em.findOneOrFail(ChangeRequest, { id }),
});
