/**
 * Change-request events in the outbox: a proposal left waiting for stewards, and its decision. They
 * let an inbox (the steward console, a connector's ticketing bridge) follow the queue live through
 * the `changes` subscription instead of polling. The payload names the proposal, never its data:
 * whoever may read change requests fetches it by id.
 */
import type { Em } from '../../db/orm.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { type OutboxInput, type OutboxService, originOf } from '../events/outbox.service.ts';
import type { ChangeRequest } from './change-request.entity.ts';

export async function announceChangeRequest(
  outbox: OutboxService,
  em: Em,
  ctx: CallContext,
  cr: ChangeRequest,
): Promise<void> {
  await outbox.append(em, changeRequestEvent(ctx, cr));
}

/** The event of a change request's state: proposed (PENDING) or decided. */
export function changeRequestEvent(ctx: CallContext, cr: ChangeRequest): OutboxInput {
  return {
    type: cr.status === 'PENDING' ? 'CHANGE_REQUEST_PROPOSED' : 'CHANGE_REQUEST_DECIDED',
    domain: cr.domain,
    subjectId: cr.id,
    payload: {
      changeRequestId: cr.id,
      status: cr.status,
      operation: cr.operation,
      recordId: cr.recordId ?? null,
      systemCode: cr.systemCode ?? null,
      approvals: cr.approvals.length,
      requiredApprovals: cr.requiredApprovals,
    },
    origin: originOf(ctx, cr),
    contractVersion: cr.contractVersion,
  };
}
