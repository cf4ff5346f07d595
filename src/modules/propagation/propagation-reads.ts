/**
 * Where changes stand in each system: per record (record.propagation), per system (syncStatus, the
 * cursor), the lists stewards and operators work from (behind, failed) and the gauges of /metrics.
 */

import type { Orm } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { readConnection } from '../../db/read-connection.ts';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { LATEST_SEQUENCE_SQL } from '../events/outbox.service.ts';
import type { AckStatus } from './propagation.entities.ts';

export const PROPAGATION_STATES = ['CURRENT', 'BEHIND', 'FAILED', 'NOT_EXPECTED'] as const;
export type PropagationStateName = (typeof PROPAGATION_STATES)[number];

export interface PropagationEntry {
  system: string;
  recordId: string;
  domain: string;
  state: PropagationStateName;
  expectedRevision: number | null;
  appliedRevision: number | null;
  appliedAt: Date | null;
  behindSince: Date | null;
  lastStatus: AckStatus | null;
  lastRevision: number | null;
  lastAcknowledgedAt: Date | null;
  lastError: { code: string; message: string } | null;
}

export interface SyncStatus {
  system: string;
  acknowledgedSequence: string;
  highestAcknowledgedSequence: string;
  headSequence: string;
  lastAcknowledgedAt: Date | null;
  behindRecords: number;
  failedRecords: number;
  /** Seconds since the oldest change the system has yet to acknowledge was committed (0: none). */
  oldestUnacknowledgedAge: number;
}

/** The record as propagation needs it: its current revision and what subscriptions filter on. */
export interface RecordSnapshot {
  id: string;
  domain: string;
  site: string | null;
  revision: number;
  data: Record<string, unknown>;
}

interface StateRow {
  system_code: string;
  record_id: string;
  domain: string;
  expected_revision: number | null;
  applied_revision: number | null;
  applied_at: Date | null;
  behind_since: Date | null;
  last_status: AckStatus | null;
  last_revision: number | null;
  last_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
}

/** JSON containment as PostgreSQL's `@>` has it (objects by key, arrays by element). */
export function containsJson(data: unknown, filter: unknown): boolean {
  if (filter === null || typeof filter !== 'object') return data === filter;
  if (Array.isArray(filter))
    return Array.isArray(data) && filter.every((f) => data.some((d) => containsJson(d, f)));
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  return Object.entries(filter).every(([k, v]) => containsJson((data as Record<string, unknown>)[k], v));
}

export function stateOf(
  row: StateRow | undefined,
  expected: boolean,
  currentRevision: number,
): PropagationStateName {
  if (!expected) return 'NOT_EXPECTED';
  if (row?.last_status === 'REFUSED') return 'FAILED';
  const wanted = Math.max(row?.expected_revision ?? 0, currentRevision);
  return row?.last_status && (row.last_revision ?? 0) >= wanted ? 'CURRENT' : 'BEHIND';
}

const entryOf = (row: StateRow, state: PropagationStateName, currentRevision = 0): PropagationEntry => ({
  system: row.system_code,
  recordId: row.record_id,
  domain: row.domain,
  state,
  expectedRevision: Math.max(row.expected_revision ?? 0, currentRevision) || null,
  appliedRevision: row.applied_revision,
  appliedAt: row.applied_at ? new Date(row.applied_at) : null,
  behindSince:
    state === 'BEHIND' || state === 'FAILED' ? (row.behind_since ? new Date(row.behind_since) : null) : null,
  lastStatus: row.last_status,
  lastRevision: row.last_revision,
  lastAcknowledgedAt: row.last_at ? new Date(row.last_at) : null,
  lastError: row.last_error_code
    ? { code: row.last_error_code, message: row.last_error_message ?? '' }
    : null,
});

const STATE_COLUMNS = `system_code, record_id::text, domain, expected_revision, applied_revision, applied_at, behind_since,
  last_status, last_revision, last_at, last_error_code, last_error_message`;

/** Only records of domains the system subscribes to count as behind or failed. */
const SUBSCRIBED = `exists (select 1 from system_subscription s where s.system_code = ps.system_code and s.domain = ps.domain)`;
const BEHIND = `(ps.last_status is distinct from 'REFUSED' and coalesce(ps.last_revision, 0) < ps.expected_revision)`;
const FAILED = `ps.last_status = 'REFUSED'`;

export class PropagationReads {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  /** Each record's state in every system that subscribes to it or has acknowledged it. */
  async ofRecords(ctx: CallContext, records: readonly RecordSnapshot[]): Promise<PropagationEntry[][]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Subscription');
    if (records.length === 0) return [];
    const conn = readConnection(this.orm.em);
    const domains = [...new Set(records.map((r) => r.domain))];
    const [subscriptions, rows] = await Promise.all([
      conn.execute<{ system_code: string; domain: string; site: string | null; filter: unknown }[]>(
        `select system_code, domain, site, filter from system_subscription where domain in (${domains.map(() => '?').join(',')})`,
        domains,
      ),
      conn.execute<StateRow[]>(
        `select ${STATE_COLUMNS} from propagation_state ps where record_id in (${records.map(() => '?').join(',')})`,
        records.map((r) => r.id),
      ),
    ]);
    return records.map((record) => {
      const expectedBy = new Set(
        subscriptions
          .filter((s) => s.domain === record.domain && (!s.site || s.site === record.site))
          .filter((s) => {
            const filter = typeof s.filter === 'string' ? JSON.parse(s.filter) : s.filter;
            return filter == null || containsJson(record.data, filter);
          })
          .map((s) => s.system_code),
      );
      const byRecord = rows.filter((r) => r.record_id === record.id);
      const systems = [...new Set([...expectedBy, ...byRecord.map((r) => r.system_code)])].sort();
      return systems.map((system) => {
        const row = byRecord.find((r) => r.system_code === system);
        const state = stateOf(row, expectedBy.has(system), record.revision);
        return entryOf(
          row ?? {
            system_code: system,
            record_id: record.id,
            domain: record.domain,
            expected_revision: record.revision,
            applied_revision: null,
            applied_at: null,
            behind_since: null,
            last_status: null,
            last_revision: null,
            last_at: null,
            last_error_code: null,
            last_error_message: null,
          },
          state,
          record.revision,
        );
      });
    });
  }

  /** The systems' cursors and backlogs, in the order asked. */
  async syncStatus(ctx: CallContext, systems: readonly string[]): Promise<SyncStatus[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Subscription');
    if (systems.length === 0) return [];
    const rows = await readConnection(this.orm.em).execute<
      {
        code: string;
        head: string;
        min_pending: string | null;
        oldest_pending: Date | null;
        acknowledged: string | null;
        highest: string | null;
        last_at: Date | null;
        behind: string;
        failed: string;
      }[]
    >(
      `select x.code, h.s as head, mp.sequence::text as min_pending, mp.created_at as oldest_pending,
              c.acknowledged_sequence::text as acknowledged, c.highest_sequence::text as highest,
              c.last_acknowledged_at as last_at,
              (select count(*) from propagation_state ps where ps.system_code = x.code and ${SUBSCRIBED} and ${BEHIND})::text as behind,
              (select count(*) from propagation_state ps where ps.system_code = x.code and ${SUBSCRIBED} and ${FAILED})::text as failed
         from unnest(?::text[]) as x(code)
         cross join (${LATEST_SEQUENCE_SQL}) h
         left join system_cursor c on c.system_code = x.code
         left join lateral (select sequence, created_at from propagation_pending p where p.system_code = x.code
                             order by sequence limit 1) mp on true`,
      [toPgArray(systems)],
    );
    const now = Date.now();
    return systems.map((system) => {
      const r = rows.find((row) => row.code === system)!;
      const computed = r.min_pending ? (BigInt(r.min_pending) - 1n).toString() : r.head;
      const stored = r.acknowledged ?? '0';
      return {
        system,
        acknowledgedSequence: BigInt(computed) > BigInt(stored) ? computed : stored,
        highestAcknowledgedSequence: r.highest ?? '0',
        headSequence: r.head,
        lastAcknowledgedAt: r.last_at ? new Date(r.last_at) : null,
        behindRecords: Number(r.behind),
        failedRecords: Number(r.failed),
        oldestUnacknowledgedAge: r.oldest_pending
          ? Math.max(0, Math.round((now - new Date(r.oldest_pending).getTime()) / 1000))
          : 0,
      };
    });
  }

  /** Records a system has not applied (BEHIND) or refused (FAILED), oldest first. */
  async entries(
    ctx: CallContext,
    filter: {
      system: string;
      state: 'BEHIND' | 'FAILED';
      domain?: string;
      olderThanSeconds?: number;
      limit: number;
      after?: [string, string];
    },
  ): Promise<PropagationEntry[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Subscription');
    if (filter.olderThanSeconds !== undefined && !(filter.olderThanSeconds >= 0))
      throw new CanonError('BAD_USER_INPUT', 'olderThanSeconds is 0 or more.', {
        path: ['olderThanSeconds'],
      });
    const where = ['ps.system_code = ?', SUBSCRIBED, filter.state === 'FAILED' ? FAILED : BEHIND];
    const params: unknown[] = [filter.system];
    if (filter.domain) {
      where.push('ps.domain = ?');
      params.push(filter.domain);
    }
    if (filter.olderThanSeconds !== undefined) {
      where.push(`ps.behind_since <= now() - make_interval(secs => ?)`);
      params.push(filter.olderThanSeconds);
    }
    if (filter.after) {
      where.push(
        `(coalesce(ps.behind_since, 'epoch'::timestamptz), ps.record_id) > (?::timestamptz, ?::uuid)`,
      );
      params.push(filter.after[0], filter.after[1]);
    }
    params.push(filter.limit);
    const rows = await readConnection(this.orm.em).execute<StateRow[]>(
      `select ${STATE_COLUMNS} from propagation_state ps where ${where.join(' and ')}
        order by coalesce(ps.behind_since, 'epoch'::timestamptz), ps.record_id limit ?`,
      params,
    );
    return rows.map((row) => entryOf(row, filter.state));
  }

  /** Per system with subscriptions or acknowledgements: lag in sequences and seconds, backlog. */
  async lagBySystem(ctx: CallContext): Promise<SyncStatus[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Subscription');
    const systems = await readConnection(this.orm.em).execute<{ code: string }[]>(
      'select system_code as code from system_subscription union select system_code from system_cursor order by 1',
    );
    return this.syncStatus(
      ctx,
      systems.map((s) => s.code),
    );
  }
}
