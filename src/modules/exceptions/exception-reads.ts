/**
 * The exception queues (per owner, filterable), one exception with its comments, which records are
 * quarantined, and resolution time per owner, domain and code (mean, p90, open by age).
 */
import { validate as isUuid } from 'uuid';
import type { Orm } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { readConnection } from '../../db/read-connection.ts';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import {
  ExceptionComment,
  type ExceptionState,
  IntegrationException,
  Quarantine,
} from './exception.entities.ts';

/**
 * True for the change events of a record held back now (a condition on `outbox_event`, for the change
 * feed's holdQuarantined): record events only — quarantine events themselves always go through.
 */
export const HELD_EVENT_CONDITION = `case when outbox_event.type in ('RECORD_CHANGED', 'RECORD_EFFECTIVE', 'RECORD_REKEYED',
    'RECORD_MERGED', 'RECORD_UNMERGED') then exists (select 1 from record_quarantine q
    where q.record_id = outbox_event.subject_id::uuid and q.released_at is null) else false end`;

export interface ExceptionFilter {
  owner?: string;
  states?: ExceptionState[];
  system?: string;
  domain?: string;
  code?: string;
  recordId?: string;
  assignee?: string;
  /** Only exceptions first seen at least this many seconds ago. */
  olderThanSeconds?: number;
}

export interface ExceptionSummaryRow {
  owner: string;
  domain: string | null;
  code: string;
  open: number;
  acknowledged: number;
  resolved: number;
  wontFix: number;
  meanResolutionSeconds: number | null;
  p90ResolutionSeconds: number | null;
  openUnderHour: number;
  openUnderDay: number;
  openUnderWeek: number;
  openOlder: number;
  oldestOpenSeconds: number | null;
}

export class ExceptionReads {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  private where(filter: ExceptionFilter): { sql: string[]; params: unknown[] } {
    const sql: string[] = [];
    const params: unknown[] = [];
    const eq = (column: string, value: unknown) => {
      sql.push(`${column} = ?`);
      params.push(value);
    };
    if (filter.owner) eq('owner_team', filter.owner);
    if (filter.system) eq('system_code', filter.system);
    if (filter.domain) eq('domain', filter.domain);
    if (filter.code) eq('code', filter.code);
    if (filter.assignee) eq('assignee', filter.assignee);
    if (filter.recordId) {
      if (!isUuid(filter.recordId))
        throw new CanonError('BAD_USER_INPUT', `"${filter.recordId}" is not a record id.`, {
          path: ['recordId'],
        });
      eq('record_id', filter.recordId);
    }
    if (filter.states && filter.states.length > 0) {
      sql.push(`state = any(?::text[])`);
      params.push(toPgArray(filter.states));
    }
    if (filter.olderThanSeconds !== undefined) {
      if (!(filter.olderThanSeconds >= 0))
        throw new CanonError('BAD_USER_INPUT', 'olderThanSeconds is 0 or more.', {
          path: ['olderThanSeconds'],
        });
      sql.push('first_seen_at <= now() - make_interval(secs => ?)');
      params.push(filter.olderThanSeconds);
    }
    return { sql, params };
  }

  /** A page of exceptions, newest first (by first seen, then id). */
  async page(
    ctx: CallContext,
    filter: ExceptionFilter,
    limit: number,
    after?: [string, string],
  ): Promise<IntegrationException[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'IntegrationException');
    const { sql, params } = this.where(filter);
    if (after) {
      sql.push('(first_seen_at, id) < (?::timestamptz, ?::uuid)');
      params.push(after[0], after[1]);
    }
    params.push(limit);
    const ids = await readConnection(this.orm.em).execute<{ id: string }[]>(
      `select id from integration_exception ${sql.length ? `where ${sql.join(' and ')}` : ''}
        order by first_seen_at desc, id desc limit ?`,
      params,
    );
    return this.byIds(
      ctx,
      ids.map((r) => r.id),
    ).then((rows) => rows.filter((r): r is IntegrationException => r !== null));
  }

  async count(ctx: CallContext, filter: ExceptionFilter): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'IntegrationException');
    const { sql, params } = this.where(filter);
    const [row] = await readConnection(this.orm.em).execute<{ n: string }[]>(
      `select count(*)::text as n from integration_exception ${sql.length ? `where ${sql.join(' and ')}` : ''}`,
      params,
    );
    return Number(row.n);
  }

  /** Exceptions by id, in the order asked (null: unknown). */
  async byIds(ctx: CallContext, ids: readonly string[]): Promise<(IntegrationException | null)[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'IntegrationException');
    const valid = ids.filter((id) => isUuid(id));
    const rows =
      valid.length > 0 ? await this.orm.em.fork().find(IntegrationException, { id: { $in: valid } }) : [];
    return ids.map((id) => rows.find((r) => r.id === id) ?? null);
  }

  async commentsOf(ctx: CallContext, ids: readonly string[]): Promise<ExceptionComment[][]> {
    authorize(ctx.ability, ctx.actor, 'read', 'IntegrationException');
    const rows = await this.orm.em
      .fork()
      .find(
        ExceptionComment,
        { exceptionId: { $in: [...ids] } },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      );
    return ids.map((id) => rows.filter((c) => c.exceptionId === id));
  }

  /** The live quarantines of these records (released ones are not), in the order asked. */
  async quarantinesOf(recordIds: readonly string[]): Promise<(Quarantine | null)[]> {
    const valid = recordIds.filter((id) => isUuid(id));
    const rows =
      valid.length > 0
        ? await this.orm.em.fork().find(Quarantine, { recordId: { $in: valid }, releasedAt: null })
        : [];
    return recordIds.map((id) => rows.find((q) => q.recordId === id) ?? null);
  }

  /** Live quarantines, newest first (keyset: since, record id), of one domain or all. */
  async quarantines(
    ctx: CallContext,
    domain: string | undefined,
    limit: number,
    after?: [string, string],
  ): Promise<Quarantine[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'IntegrationException');
    const where: Record<string, unknown> = { releasedAt: null, ...(domain ? { domain } : {}) };
    if (after)
      where.$or = [
        { since: { $lt: new Date(after[0]) } },
        { since: new Date(after[0]), recordId: { $lt: after[1] } },
      ];
    return this.orm.em
      .fork()
      .find(Quarantine, where, { orderBy: { since: 'desc', recordId: 'desc' }, limit });
  }

  /** Resolution time and open exceptions by age, per owner, domain and code. */
  async summary(
    ctx: CallContext,
    filter: { owner?: string; domain?: string } = {},
  ): Promise<ExceptionSummaryRow[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'IntegrationException');
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.owner) {
      where.push('owner_team = ?');
      params.push(filter.owner);
    }
    if (filter.domain) {
      where.push('domain = ?');
      params.push(filter.domain);
    }
    const rows = await readConnection(this.orm.em).execute<Record<string, unknown>[]>(
      `select owner_team, domain, code,
              count(*) filter (where state = 'OPEN') as open,
              count(*) filter (where state = 'ACKNOWLEDGED') as acknowledged,
              count(*) filter (where state = 'RESOLVED') as resolved,
              count(*) filter (where state = 'WONT_FIX') as wont_fix,
              avg(extract(epoch from resolved_at - first_seen_at)) filter (where resolved_at is not null) as mean_s,
              percentile_cont(0.9) within group (order by extract(epoch from resolved_at - first_seen_at))
                filter (where resolved_at is not null) as p90_s,
              count(*) filter (where resolved_at is null and first_seen_at > now() - interval '1 hour') as under_hour,
              count(*) filter (where resolved_at is null and first_seen_at <= now() - interval '1 hour'
                                 and first_seen_at > now() - interval '1 day') as under_day,
              count(*) filter (where resolved_at is null and first_seen_at <= now() - interval '1 day'
                                 and first_seen_at > now() - interval '7 days') as under_week,
              count(*) filter (where resolved_at is null and first_seen_at <= now() - interval '7 days') as older,
              max(extract(epoch from now() - first_seen_at)) filter (where resolved_at is null) as oldest_s
         from integration_exception ${where.length ? `where ${where.join(' and ')}` : ''}
        group by owner_team, domain, code order by owner_team, domain nulls first, code`,
      params,
    );
    const n = (v: unknown) => Number(v ?? 0);
    const s = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);
    return rows.map((r) => ({
      owner: String(r.owner_team),
      domain: (r.domain as string | null) ?? null,
      code: String(r.code),
      open: n(r.open),
      acknowledged: n(r.acknowledged),
      resolved: n(r.resolved),
      wontFix: n(r.wont_fix),
      meanResolutionSeconds: s(r.mean_s),
      p90ResolutionSeconds: s(r.p90_s),
      openUnderHour: n(r.under_hour),
      openUnderDay: n(r.under_day),
      openUnderWeek: n(r.under_week),
      openOlder: n(r.older),
      oldestOpenSeconds: s(r.oldest_s),
    }));
  }
}
