/** Reads of proposals: one, several by id, and the stewards' inbox in keyset pages. */

import { validate as isUuid } from 'uuid';
import type { Orm } from '../../db/orm.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { ChangeRequest } from './change-request.entity.ts';
import type { ChangeRequestFilter, PageRequest } from './records.types.ts';

export class ChangeRequestReads {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async changeRequest(ctx: CallContext, id: string): Promise<ChangeRequest | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(ChangeRequest, { id });
  }

  /** Change requests by id (for node lookups), unknown ids left out. */
  async changeRequestsByIds(ctx: CallContext, ids: readonly string[]): Promise<ChangeRequest[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    const valid = ids.filter((id) => isUuid(id));
    return valid.length > 0 ? this.orm.em.fork().find(ChangeRequest, { id: { $in: valid } }) : [];
  }

  /** The stewards' inbox, newest first (keyset on created_at, id). */
  async changeRequests(
    ctx: CallContext,
    filter: ChangeRequestFilter,
    page: PageRequest<[string, string]>,
  ): Promise<ChangeRequest[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    const where: Record<string, unknown>[] = [changeRequestWhere(filter)];
    if (page.after) {
      const [at, id] = page.after;
      where.push({
        $or: [{ createdAt: { $lt: new Date(at) } }, { createdAt: new Date(at), id: { $lt: id } }],
      });
    }
    return this.orm.em
      .fork()
      .find(
        ChangeRequest,
        { $and: where },
        { orderBy: { createdAt: 'desc', id: 'desc' }, limit: page.limit + 1 },
      );
  }

  async countChangeRequests(ctx: CallContext, filter: ChangeRequestFilter): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    return this.orm.em.fork().count(ChangeRequest, changeRequestWhere(filter));
  }
}

function changeRequestWhere(filter: ChangeRequestFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filter.status) where.status = filter.status;
  if (filter.domain) where.domain = filter.domain;
  if (filter.proposedBy) where.proposedBy = filter.proposedBy;
  if (filter.systemCode) where.systemCode = filter.systemCode;
  if (filter.recordId) where.recordId = filter.recordId;
  return where;
}
