/**
 * Bulk change requests (an import batch in propose mode) for stewards: read with their members'
 * counts by status, and decided as a whole in row order. Approval is set-based, a chunk of members
 * per transaction (bulk-approvals.ts: the governance of single approvals, one CHANGES_APPROVED audit
 * event per chunk); rejection goes member by member through the ordinary decision (CHANGE_REJECTED
 * each). A member that fails (a record changed since, a parent not yet approved) is reported and
 * leaves the others decided; a decision repeated or sent twice at once changes, and audits, only
 * what was still pending. A bulk's status is its members': pending while any is.
 */
import { validate as isUuid } from 'uuid';
import type { Orm } from '../../db/orm.ts';
import { readConnection } from '../../db/read-connection.ts';
import { CanonError, notFound } from '../../errors.ts';
import { assertTextLength } from '../../text-limits.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { approveChunk } from './bulk-approvals.ts';
import { BulkChangeRequest } from './bulk-change-request.entity.ts';
import { CHANGE_STATUSES, ChangeRequest, type ChangeStatus } from './change-request.entity.ts';
import type { Decisions } from './decisions.ts';

/** Members approved per transaction. */
const APPROVAL_CHUNK = 500;

import type { PageRequest } from './records.types.ts';

export type BulkStatusCounts = Record<ChangeStatus, number>;

export interface BulkDecisionResult {
  bulk: BulkChangeRequest;
  /** Members decided by this call. */
  decided: number;
  /** Members that could not be decided, with the reason. */
  failed: { changeRequestId: string; sourceRow: number | null; error: CanonError }[];
}

export interface BulkFilter {
  domain?: string;
  importJobId?: string;
  /** Only bulks with (true) or without (false) a pending member. */
  pending?: boolean;
}

export class BulkChangeRequests {
  private readonly orm: Orm;
  private readonly decisions: Decisions;
  private readonly deps: Parameters<typeof approveChunk>[2];

  constructor(orm: Orm, decisions: Decisions, deps: Parameters<typeof approveChunk>[2]) {
    this.orm = orm;
    this.decisions = decisions;
    this.deps = deps;
  }

  async bulkChangeRequest(ctx: CallContext, id: string): Promise<BulkChangeRequest | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    return isUuid(id) ? this.orm.em.fork().findOne(BulkChangeRequest, { id }) : null;
  }

  /** Bulks newest first (keyset on created_at, id). */
  async bulkChangeRequests(
    ctx: CallContext,
    filter: BulkFilter,
    page: PageRequest<[string, string]>,
  ): Promise<BulkChangeRequest[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    if (filter.importJobId !== undefined && !isUuid(filter.importJobId))
      throw new CanonError('BAD_USER_INPUT', 'importJobId is an id (a UUID).', { path: ['importJobId'] });
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.domain) {
      conditions.push('b.domain = ?');
      params.push(filter.domain);
    }
    if (filter.importJobId) {
      conditions.push('b.import_job_id = ?');
      params.push(filter.importJobId);
    }
    if (filter.pending !== undefined)
      conditions.push(
        `${filter.pending ? '' : 'not '}exists (select 1 from change_request c where c.bulk_id = b.id and c.status = 'PENDING')`,
      );
    if (page.after) {
      conditions.push('(b.created_at, b.id) < (?, ?)');
      params.push(new Date(page.after[0]), page.after[1]);
    }
    const ids = await readConnection(this.orm.em.fork()).execute<{ id: string }[]>(
      `select b.id from bulk_change_request b ${conditions.length > 0 ? `where ${conditions.join(' and ')}` : ''}
        order by b.created_at desc, b.id desc limit ?`,
      [...params, page.limit + 1],
    );
    if (ids.length === 0) return [];
    const found = await this.orm.em.fork().find(BulkChangeRequest, { id: { $in: ids.map((r) => r.id) } });
    const byId = new Map(found.map((b) => [b.id, b]));
    return ids.flatMap((r) => byId.get(r.id) ?? []);
  }

  /** How many members of each bulk are in each status. */
  async statusCounts(ctx: CallContext, ids: readonly string[]): Promise<Map<string, BulkStatusCounts>> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    const rows = await readConnection(this.orm.em.fork()).execute<
      { bulk_id: string; status: ChangeStatus; n: number }[]
    >(
      'select bulk_id, status, count(*)::int as n from change_request where bulk_id = any(?::uuid[]) group by bulk_id, status',
      [`{${ids.join(',')}}`],
    );
    const counts = new Map<string, BulkStatusCounts>(
      ids.map((id) => [id, Object.fromEntries(CHANGE_STATUSES.map((s) => [s, 0])) as BulkStatusCounts]),
    );
    for (const r of rows) counts.get(r.bulk_id)![r.status] = Number(r.n);
    return counts;
  }

  /** Approves or rejects every pending member of a bulk (see the module comment). */
  async decide(
    ctx: CallContext,
    input: { id: string; decision: 'approve' | 'reject'; note?: string; idempotencyKey?: string },
  ): Promise<BulkDecisionResult> {
    authorize(ctx.ability, ctx.actor, 'approve', 'ChangeRequest');
    assertTextLength(input.note, 'reason', [input.decision === 'reject' ? 'reason' : 'comment']);
    if (input.decision === 'reject' && !input.note?.trim())
      throw new CanonError('BAD_USER_INPUT', 'Say why the proposals are rejected.', { path: ['reason'] });
    const bulk = await this.bulkChangeRequest(ctx, input.id);
    if (!bulk) throw notFound('The bulk change request', ['id']);
    if (input.decision === 'approve' && bulk.proposedBy && bulk.proposedBy === ctx.actor?.id)
      throw new CanonError(
        'SELF_APPROVAL',
        'A bulk proposal cannot be approved by the one who proposed it (four eyes).',
      );
    const members = await this.orm.em
      .fork()
      .find(
        ChangeRequest,
        { bulkId: bulk.id, status: 'PENDING' },
        { fields: ['id', 'sourceRow'], orderBy: { sourceRow: 'asc', id: 'asc' } },
      );
    let decided = 0;
    const failed: BulkDecisionResult['failed'] = [];
    if (input.decision === 'approve') {
      // set-based, a chunk per transaction, in row order (parents before their children)
      for (let i = 0; i < members.length; i += APPROVAL_CHUNK) {
        const ids = members.slice(i, i + APPROVAL_CHUNK).map((m) => m.id);
        const result = await this.orm.em
          .fork()
          .transactional((em) =>
            approveChunk(em, ctx, this.deps, { bulk, ids, comment: input.note?.trim() || null }),
          );
        decided += result.decided;
        failed.push(...result.failed);
      }
      return { bulk, decided, failed };
    }
    for (const m of members) {
      const key = input.idempotencyKey ? `${input.idempotencyKey}/${m.id}` : undefined;
      try {
        await this.decisions.reject(ctx, m.id, input.note ?? '', key);
        decided++;
      } catch (error) {
        if (!(error instanceof CanonError)) throw error;
        failed.push({ changeRequestId: m.id, sourceRow: m.sourceRow ?? null, error });
      }
    }
    return { bulk, decided, failed };
  }
}
