/**
 * Proposals made in bulk (imports in propose mode): one bulk change request per batch and one
 * ordinary change request per accepted row, inserted set-based in the caller's transaction, audited
 * as one event that lists its rows and announced as one change event. Stewards decide the rows in
 * the inbox one by one or the bulk as a whole (bulk-decisions.ts). Rows whose domain needs no
 * approval (policy 0, or the connector's system-of-record rule) are applied at once, as single
 * proposals are.
 */
import { executeBound } from '../../db/bound-statements.ts';
import { newId } from '../../db/ids.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractValidator } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import type { AcceptedRow, BulkInput, BulkOutcome } from './bulk-apply.ts';
import { BulkChangeRequest } from './bulk-change-request.entity.ts';
import { writeBulk } from './bulk-writes.ts';
import type { Data } from './domain-rules.ts';
import { fieldDiff } from './field-diff.ts';

export interface PendingProposal {
  id: string;
  proposed: Data;
}

/** The pending proposals of a domain for these business keys, by key. */
export async function pendingProposalsOf(
  em: Em,
  domain: string,
  keys: readonly string[],
): Promise<Map<string, PendingProposal[]>> {
  const wanted = [...new Set(keys.filter((k) => k !== ''))];
  const found = new Map<string, PendingProposal[]>();
  if (wanted.length === 0) return found;
  const rows = await em
    .getConnection()
    .execute<{ id: string; record_key: string; proposed: Data | string }[]>(
      `select id, record_key, proposed from change_request
        where domain = ? and record_key = any(?::text[]) and status = 'PENDING'`,
      [domain, toPgArray(wanted)],
      'all',
      em.getTransactionContext(),
    );
  for (const r of rows) {
    const proposed = typeof r.proposed === 'string' ? (JSON.parse(r.proposed) as Data) : r.proposed;
    found.set(r.record_key, [...(found.get(r.record_key) ?? []), { id: r.id, proposed }]);
  }
  return found;
}

export async function proposeBulk(
  em: Em,
  ctx: CallContext,
  deps: { audit: AuditService; outbox: OutboxService },
  input: BulkInput & {
    batchNumber: number;
    validator: ContractValidator;
    outcomes: BulkOutcome[];
    accepted: (AcceptedRow & { requiredApprovals: number })[];
  },
): Promise<BulkOutcome[]> {
  if (input.accepted.length === 0) return input.outcomes;
  const bulk = em.create(BulkChangeRequest, {
    domain: input.domain,
    importJobId: input.importJobId,
    batchNumber: input.batchNumber,
    rowCount: input.accepted.length,
    proposedBy: ctx.actor?.id ?? null,
    proposedByName: ctx.actor?.name ?? null,
    systemCode: ctx.actor?.systemCode ?? null,
    reason: input.reason,
    contractVersion: input.validator.version,
  });
  await em.flush();
  const rows = input.accepted.map((a) => ({ ...a, changeRequestId: newId() }));
  await insertChangeRequests(em, ctx, bulk, input.validator, rows);
  await deps.audit.record(em, ctx, {
    action: 'BULK_CHANGE_PROPOSED',
    subjectType: 'BulkChangeRequest',
    subjectId: bulk.id,
    after: {
      domain: bulk.domain,
      importJobId: bulk.importJobId,
      batch: bulk.batchNumber,
      contractVersion: bulk.contractVersion,
      rows: rows.map((r) => ({
        source: r.source,
        changeRequestId: r.changeRequestId,
        operation: r.recordId ? 'UPDATE' : 'CREATE',
        recordId: r.recordId,
        key: r.key,
      })),
    },
  });
  await deps.outbox.append(em, {
    type: 'BULK_CHANGE_PROPOSED',
    domain: bulk.domain,
    subjectId: bulk.id,
    payload: {
      bulkChangeRequestId: bulk.id,
      importJobId: bulk.importJobId,
      batch: bulk.batchNumber,
      rows: rows.length,
      systemCode: bulk.systemCode,
    },
    origin: input.origin,
    contractVersion: bulk.contractVersion,
  });
  const appliedNow = await applyUnreviewed(em, ctx, deps, input, rows);
  const byRef = new Map(rows.map((r) => [r.ref, r]));
  return input.outcomes.map((o) => {
    const row = byRef.get(o.ref);
    if (!row || (o.status !== 'CREATED' && o.status !== 'UPDATED')) return o;
    const applied = appliedNow.get(row.changeRequestId);
    return {
      ref: o.ref,
      status: 'PROPOSED',
      key: row.key,
      changeRequestId: row.changeRequestId,
      recordId: applied ?? row.recordId,
      applied: applied !== undefined,
      warnings: o.warnings,
    };
  });
}

async function insertChangeRequests(
  em: Em,
  ctx: CallContext,
  bulk: BulkChangeRequest,
  validator: ContractValidator,
  rows: (AcceptedRow & { requiredApprovals: number; changeRequestId: string })[],
): Promise<void> {
  const at = new Date();
  await executeBound(
    em,
    `insert into change_request (id, domain, record_id, operation, mode, input, proposed, diff, base_revision, status,
            proposed_by, proposed_by_name, system_code, required_approvals, approvals, reason, effective_from,
            contract_version, warnings, bulk_id, source_row, record_key, created_at, updated_at, lock_version)
     select u.id::uuid, ?, u.record_id::uuid, u.op, 'FULL', u.data::jsonb, u.data::jsonb, u.diff::jsonb, u.base::int,
            'PENDING', ?, ?, ?, u.approvals::int, '[]'::jsonb, ?, null, ?, u.warnings::jsonb, ?, u.source_row::int,
            u.key, ?, ?, 1
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                   ?::text[])
         as u(id, record_id, op, data, diff, base, approvals, source_row, key, warnings)`,
    [
      bulk.domain,
      ctx.actor?.id ?? null,
      ctx.actor?.name ?? null,
      ctx.actor?.systemCode ?? null,
      bulk.reason,
      validator.version,
      bulk.id,
      at,
      at,
      toPgArray(rows.map((r) => r.changeRequestId)),
      toPgArray(rows.map((r) => r.recordId)),
      toPgArray(rows.map((r) => (r.recordId ? 'UPDATE' : 'CREATE'))),
      toPgArray(rows.map((r) => JSON.stringify(r.data))),
      toPgArray(rows.map((r) => JSON.stringify(fieldDiff(r.previous ?? {}, r.data)))),
      toPgArray(rows.map((r) => (r.baseRevision === null ? null : String(r.baseRevision)))),
      toPgArray(rows.map((r) => String(r.requiredApprovals))),
      toPgArray(rows.map((r) => String(r.ref))),
      toPgArray(rows.map((r) => r.key.slice(0, 300))),
      toPgArray(rows.map((r) => JSON.stringify(r.findings ?? []))),
    ],
  );
}

/**
 * Rows that need no approval are applied in the same transaction (set-based, like apply mode) and
 * their change requests marked APPLIED; answers the record id of each applied change request.
 */
async function applyUnreviewed(
  em: Em,
  ctx: CallContext,
  deps: { audit: AuditService; outbox: OutboxService },
  input: BulkInput & { validator: ContractValidator },
  rows: (AcceptedRow & { requiredApprovals: number; changeRequestId: string })[],
): Promise<Map<string, string>> {
  const now = rows.filter((r) => r.requiredApprovals === 0);
  if (now.length === 0) return new Map();
  const written = await writeBulk(em, ctx, deps, {
    domain: input.domain,
    validator: input.validator,
    writes: now,
    importJobId: input.importJobId,
    origin: input.origin,
    reason: input.reason,
  });
  await em.getConnection().execute(
    `update change_request c set status = 'APPLIED', record_id = u.record_id::uuid, applied_revision = u.revision::int,
            effective_from = now(), updated_at = now(), lock_version = c.lock_version + 1
       from unnest(?::text[], ?::text[], ?::text[]) as u(id, record_id, revision)
      where c.id = u.id::uuid`,
    [
      toPgArray(now.map((r) => r.changeRequestId)),
      toPgArray(written.map((w) => w.recordId)),
      toPgArray(written.map((w) => String(w.revision))),
    ],
    'all',
    em.getTransactionContext(),
  );
  return new Map(now.map((r, i) => [r.changeRequestId, written[i].recordId]));
}
