/** Reads of proposals: one, several by id, and the stewards' inbox in keyset pages. */

import { validate as isUuid } from 'uuid';
import type { Orm } from '../../db/orm.ts';
import { readConnection } from '../../db/read-connection.ts';
import { CanonError } from '../../errors.ts';
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

  /** The stewards' inbox, newest or oldest first (keyset on created_at, id). */
  async changeRequests(
    ctx: CallContext,
    filter: ChangeRequestFilter,
    page: PageRequest<[string, string]>,
  ): Promise<ChangeRequest[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    assertIdFilters(filter);
    const where: Record<string, unknown>[] = [changeRequestWhere(filter)];
    if (page.after) {
      const [at, id] = page.after;
      const beyond = filter.order === 'OLDEST_FIRST' ? '$gt' : '$lt';
      where.push({
        $or: [{ createdAt: { [beyond]: new Date(at) } }, { createdAt: new Date(at), id: { [beyond]: id } }],
      });
    }
    const direction = filter.order === 'OLDEST_FIRST' ? 'asc' : 'desc';
    return this.orm.em
      .fork()
      .find(
        ChangeRequest,
        { $and: where },
        { orderBy: { createdAt: direction, id: direction }, limit: page.limit + 1 },
      );
  }

  /** How many change requests match per domain (the inbox's tabs), domains in name order. */
  async countByDomain(
    ctx: CallContext,
    filter: ChangeRequestFilter,
  ): Promise<{ domain: string; count: number }[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    assertIdFilters(filter);
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      if (value === undefined) return;
      conditions.push(sql);
      params.push(value);
    };
    add('status = ?', filter.status);
    add('proposed_by = ?', filter.proposedBy);
    add('system_code = ?', filter.systemCode);
    add('record_id = ?', filter.recordId);
    add('bulk_id = ?', filter.bulkId);
    add("proposed->>'site' = ?", filter.site);
    add('created_at < ?', filter.createdBefore);
    add('created_at >= ?', filter.createdAfter);
    const rows = await readConnection(this.orm.em.fork()).execute<{ domain: string; n: number }[]>(
      `select domain, count(*)::int as n from change_request
          ${conditions.length > 0 ? `where ${conditions.join(' and ')}` : ''}
          group by domain order by domain`,
      params,
    );
    return rows.map((r) => ({ domain: r.domain, count: Number(r.n) }));
  }

  async countChangeRequests(ctx: CallContext, filter: ChangeRequestFilter): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    assertIdFilters(filter);
    return this.orm.em.fork().count(ChangeRequest, changeRequestWhere(filter));
  }
}

/** Filters by actor or record take ids: anything else is a mistake to report, not a query to run. */
function assertIdFilters(filter: ChangeRequestFilter): void {
  for (const field of ['proposedBy', 'recordId', 'bulkId'] as const) {
    const value = filter[field];
    if (value !== undefined && !isUuid(value))
      throw new CanonError('BAD_USER_INPUT', `${field} is an id (a UUID); "${value.slice(0, 60)}" is not.`, {
        path: [field],
      });
  }
}

function changeRequestWhere(filter: ChangeRequestFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filter.status) where.status = filter.status;
  if (filter.domain) where.domain = filter.domain;
  if (filter.proposedBy) where.proposedBy = filter.proposedBy;
  if (filter.systemCode) where.systemCode = filter.systemCode;
  if (filter.recordId) where.recordId = filter.recordId;
  if (filter.bulkId) where.bulkId = filter.bulkId;
  if (filter.site) where.proposed = { site: filter.site };
  if (filter.createdBefore || filter.createdAfter)
    where.createdAt = {
      ...(filter.createdBefore ? { $lt: filter.createdBefore } : {}),
      ...(filter.createdAfter ? { $gte: filter.createdAfter } : {}),
    };
  return where;
}
