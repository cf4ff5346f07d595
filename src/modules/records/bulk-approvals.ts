/**
 * Approving a bulk change request set-based: a chunk of its pending members decided in one
 * transaction with the governance of single approvals — four eyes, the approvals each proposal still
 * needs (a member short of them only records this approval), its payload validated again against the
 * records as they are now (the rows before it in the chunk seen, as in an import), a record changed
 * since the proposal's base revision ending the member in CONFLICT — and the accepted payloads
 * written as an apply-mode import writes them (bulk-writes.ts). One audit event per chunk lists what
 * it applied; members that fail validation stay PENDING, without this approval, and are reported.
 */
import { executeBound } from '../../db/bound-statements.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractValidator } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { originOf } from '../events/outbox.service.ts';
import type { BulkApply } from './bulk-apply.ts';
import type { BulkChangeRequest } from './bulk-change-request.entity.ts';
import { writeBulk } from './bulk-writes.ts';
import { type Approval, ChangeRequest } from './change-request.entity.ts';
import { changeRequestEvent } from './change-request-events.ts';
import type { Finding } from './domain-rules.ts';
import type { RecordWriter } from './record-writer.ts';

export interface ChunkResult {
  decided: number;
  failed: { changeRequestId: string; sourceRow: number | null; error: CanonError }[];
}

type Decision =
  | {
      cr: ChangeRequest;
      status: 'APPLIED';
      recordId: string | null;
      revision: number | null;
      /** Warnings of relaxed rules found now, kept with the revision. */
      warnings?: Finding[];
    }
  | { cr: ChangeRequest; status: 'CONFLICT'; conflict: Record<string, unknown> }
  | { cr: ChangeRequest; status: 'PENDING' };

export async function approveChunk(
  em: Em,
  ctx: CallContext,
  deps: { bulk: BulkApply; audit: AuditService; outbox: OutboxService; writer: RecordWriter },
  input: { bulk: BulkChangeRequest; ids: readonly string[]; comment: string | null },
): Promise<ChunkResult> {
  const me = ctx.actor!;
  // one decision at a time per proposal: a concurrent approval waits, then finds them decided
  const locked = await executeBound<{ id: string }>(
    em,
    `select id from change_request where id = any(?::uuid[]) and status = 'PENDING' order by id for update`,
    [toPgArray([...input.ids])],
  );
  if (locked.length === 0) return { decided: 0, failed: [] };
  const members = await em.find(
    ChangeRequest,
    { id: { $in: locked.map((l) => l.id) } },
    { orderBy: { sourceRow: 'asc', id: 'asc' } },
  );
  // written with SQL below: the entities are read-only copies (nothing for a flush to write back)
  em.clear();
  const failed: ChunkResult['failed'] = [];
  const fail = (cr: ChangeRequest, error: CanonError) =>
    failed.push({ changeRequestId: cr.id, sourceRow: cr.sourceRow ?? null, error });
  const open = members.filter((cr) => {
    if (cr.proposedBy === me.id) {
      fail(cr, new CanonError('SELF_APPROVAL', 'A proposal cannot be approved by the one who proposed it.'));
      return false;
    }
    return !cr.approvals.some((a) => a.actorId === me.id); // approving twice changes nothing
  });
  const { decisions, validator } = await decide(em, deps.bulk, input.bulk, open, fail);
  const approval: Approval = {
    actorId: me.id,
    actorName: me.name,
    at: new Date().toISOString(),
    comment: input.comment,
  };
  const applied = decisions.filter((d) => d.status === 'APPLIED');
  const writes = applied.filter((d) => d.recordId === null || d.revision === null);
  const written = await writeBulk(em, ctx, deps, {
    domain: input.bulk.domain,
    validator,
    writes: writes.map((d) => ({
      recordId: d.cr.recordId ?? null,
      data: d.cr.proposed,
      source: `row ${d.cr.sourceRow ?? '?'}`,
      changeRequestId: d.cr.id,
      findings: d.warnings,
    })),
    importJobId: input.bulk.importJobId ?? input.bulk.id,
    origin: originOf(ctx),
    reason: input.bulk.reason ?? `bulk ${input.bulk.id}`,
    audit: {
      action: 'CHANGES_APPROVED',
      subjectType: 'BulkChangeRequest',
      subjectId: input.bulk.id,
      after: {
        approvedBy: me.name,
        approved: decisions.map((d) => ({ changeRequestId: d.cr.id, status: d.status })),
      },
    },
  });
  writes.forEach((d, i) => {
    d.recordId = written[i].recordId;
    d.revision = written[i].revision;
  });
  await recordDecisions(em, decisions, approval);
  const decided = decisions.filter((d) => d.status !== 'PENDING').map((d) => d.cr);
  if (writes.length === 0 && decisions.length > 0)
    // nothing written (only approvals counted, conflicts, no-ops): the chunk is still audited once
    await deps.audit.record(em, ctx, {
      action: 'CHANGES_APPROVED',
      subjectType: 'BulkChangeRequest',
      subjectId: input.bulk.id,
      after: {
        approvedBy: me.name,
        approved: decisions.map((d) => ({ changeRequestId: d.cr.id, status: d.status })),
      },
    });
  await deps.outbox.appendMany(
    em,
    decided.map((cr) => changeRequestEvent(ctx, cr)),
  );
  await deps.writer.announceDecided(em, ctx, ...decided);
  return { decided: decisions.length, failed };
}

/**
 * What each member becomes: PENDING with one more approval when it needs more, else validated as an
 * import row would be and APPLIED (a no-op when the record already holds its payload) or CONFLICT
 * (its record changed since its base revision, or another record took its key). Refused members are
 * reported through `fail` and left out.
 */
async function decide(
  em: Em,
  bulkApply: BulkApply,
  bulk: BulkChangeRequest,
  open: ChangeRequest[],
  fail: (cr: ChangeRequest, error: CanonError) => void,
): Promise<{ decisions: Decision[]; validator: ContractValidator }> {
  const decisions: Decision[] = [];
  const ready = open.filter((cr) => {
    if (cr.approvals.length + 1 >= cr.requiredApprovals) return true;
    decisions.push({ cr, status: 'PENDING' });
    return false;
  });
  const evaluated = await bulkApply.evaluate(em, {
    domain: bulk.domain,
    rows: ready.map((cr, i) => ({ ref: i, data: cr.proposed })),
    skipInvalid: true,
    importJobId: bulk.importJobId ?? bulk.id,
    origin: { actorId: null, actorName: null, role: null, systemCode: null },
    reason: '',
  });
  const acceptedByRef = new Map(evaluated.accepted.map((a) => [a.ref, a]));
  for (const outcome of evaluated.outcomes) {
    const cr = ready[outcome.ref];
    if (outcome.status === 'REFUSED') {
      const first = outcome.findings[0];
      fail(
        cr,
        new CanonError(first.code, outcome.findings.map((f) => f.message).join(' '), {
          path: ['data'],
          details: outcome.findings.map((f) => ({ path: f.path, message: f.message })),
        }),
      );
    } else if (outcome.status === 'UNCHANGED') {
      decisions.push({ cr, status: 'APPLIED', recordId: outcome.recordId, revision: outcome.revision });
    } else if (outcome.status === 'CREATED' || outcome.status === 'UPDATED') {
      const accepted = acceptedByRef.get(outcome.ref)!;
      const stale =
        (cr.operation === 'CREATE' && accepted.recordId !== null) ||
        (cr.operation === 'UPDATE' &&
          (accepted.recordId !== cr.recordId || accepted.baseRevision !== cr.baseRevision));
      if (stale)
        decisions.push({
          cr,
          status: 'CONFLICT',
          conflict: {
            currentRevision: accepted.baseRevision,
            current: accepted.previous,
            proposed: cr.proposed,
            baseRevision: cr.baseRevision ?? null,
          },
        });
      else
        decisions.push({ cr, status: 'APPLIED', recordId: null, revision: null, warnings: outcome.warnings });
    }
  }
  return { decisions, validator: evaluated.validator };
}

/** The members' new state in one statement: this approval added, status, record, revision, conflict. */
async function recordDecisions(em: Em, decisions: Decision[], approval: Approval): Promise<void> {
  if (decisions.length === 0) return;
  const now = new Date();
  await executeBound(
    em,
    `update change_request c set approvals = c.approvals || ?::jsonb, status = u.status,
            record_id = coalesce(u.record_id::uuid, c.record_id), applied_revision = u.revision::int,
            conflict = u.conflict::jsonb,
            effective_from = case when u.status = 'APPLIED' then coalesce(c.effective_from, ?) else c.effective_from end,
            updated_at = ?, lock_version = c.lock_version + 1
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as u(id, status, record_id, revision, conflict)
      where c.id = u.id::uuid`,
    [
      JSON.stringify([approval]),
      now,
      now,
      toPgArray(decisions.map((d) => d.cr.id)),
      toPgArray(decisions.map((d) => d.status)),
      toPgArray(decisions.map((d) => (d.status === 'APPLIED' ? d.recordId : null))),
      toPgArray(
        decisions.map((d) => (d.status === 'APPLIED' && d.revision !== null ? String(d.revision) : null)),
      ),
      toPgArray(decisions.map((d) => (d.status === 'CONFLICT' ? JSON.stringify(d.conflict) : null))),
    ],
  );
  // the entities as the listeners and the events see them
  for (const d of decisions) {
    d.cr.approvals = [...d.cr.approvals, approval];
    d.cr.status = d.status;
    if (d.status === 'APPLIED') {
      d.cr.recordId = d.recordId;
      d.cr.appliedRevision = d.revision;
      d.cr.effectiveFrom = d.cr.effectiveFrom ?? now;
    }
    if (d.status === 'CONFLICT') d.cr.conflict = d.conflict;
  }
}
