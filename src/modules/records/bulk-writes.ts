/**
 * Bulk writes of validated payloads (imports in apply mode): every record of a batch created or
 * revised with a few set-based statements in the caller's transaction — records, revisions, current
 * rows, references, one change event per record and one audit event for the batch, which lists its
 * rows. Rows are validated beforehand (bulk-validation.ts); keys never change here (rows are
 * matched to records by key), so no rekey follows.
 */
import { executeBound } from '../../db/bound-statements.ts';
import { newId } from '../../db/ids.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { ValidationError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractValidator } from '../contracts/contracts.service.ts';
import type { EventOrigin, OutboxService } from '../events/outbox.service.ts';
import type { Data, Finding } from './domain-rules.ts';
import { refreshCurrent } from './record-current.ts';
import { rulesFor } from './rules-registry.ts';

/** One accepted row: a new record (recordId null) or a new revision of one. */
export interface BulkWrite {
  recordId: string | null;
  data: Data;
  /** Where the row came from, for the audit event (e.g. its row number in a file). */
  source: string;
  /** The change request the row applies (imports in propose mode), recorded on its revision. */
  changeRequestId?: string;
  /** Warnings of relaxed rules, kept with the revision. */
  findings?: Finding[];
}

export interface BulkWritten {
  recordId: string;
  key: string;
  revision: number;
  operation: 'CREATE' | 'UPDATE';
}

export async function writeBulk(
  em: Em,
  ctx: CallContext,
  deps: { audit: AuditService; outbox: OutboxService },
  batch: {
    domain: string;
    validator: ContractValidator;
    writes: readonly BulkWrite[];
    importJobId: string;
    origin: EventOrigin;
    reason: string;
    /** The batch's one audit event (default: RECORDS_IMPORTED of the import job), its rows added. */
    audit?: { action: AuditAction; subjectType: string; subjectId: string; after: Record<string, unknown> };
  },
): Promise<BulkWritten[]> {
  if (batch.writes.length === 0) return [];
  const rules = rulesFor(batch.domain, batch.validator.schema);
  const rows = batch.writes.map((w) => {
    const site = rules.siteOf(w.data);
    return {
      ...w,
      id: w.recordId ?? newId(),
      key: rules.keyOf(w.data),
      site,
      keyScope: rules.siteScoped ? (site ?? '') : '',
    };
  });
  const created = rows.filter((r) => r.recordId === null);
  const updated = rows.filter((r) => r.recordId !== null);
  if (created.length > 0) {
    await executeBound<unknown>(
      em,
      `insert into golden_record (id, domain, key, site, key_scope, status, latest_revision, created_at, updated_at, lock_version)
       select u.id::uuid, ?, u.key, u.site, u.scope, 'ACTIVE', 1, now(), now(), 1
         from unnest(?::text[], ?::text[], ?::text[], ?::text[]) as u(id, key, site, scope)`,
      [
        batch.domain,
        toPgArray(created.map((r) => r.id)),
        toPgArray(created.map((r) => r.key)),
        toPgArray(created.map((r) => r.site)),
        toPgArray(created.map((r) => r.keyScope)),
      ],
    );
  }
  const revisionOf = new Map<string, number>(created.map((r) => [r.id, 1]));
  if (updated.length > 0) {
    const bumped = await executeBound<{ id: string; latest_revision: number }>(
      em,
      `update golden_record g set latest_revision = g.latest_revision + 1, site = u.site, status = 'ACTIVE',
              updated_at = now(), lock_version = g.lock_version + 1
         from unnest(?::uuid[], ?::text[]) as u(id, site)
        where g.id = u.id returning g.id, g.latest_revision`,
      [toPgArray(updated.map((r) => r.id)), toPgArray(updated.map((r) => r.site))],
    );
    for (const b of bumped) revisionOf.set(b.id, b.latest_revision);
  }
  const at = new Date();
  const actor = ctx.actor;
  // the revisions, and in the same statement the current rows of the new records (their only
  // revision, in effect now; revised records are refreshed from history below, as they may have
  // revisions recorded for later)
  await executeBound<unknown>(
    em,
    `with rev as (
       insert into record_revision (id, record_id, revision, data, status, operation, contract_version,
              contract_version_id, effective_from, change_request_id, import_job_id, created_by, created_by_name,
              reason, created_at, findings)
       select u.rid::uuid, u.id::uuid, u.rev::int, u.data::jsonb, 'ACTIVE', u.op, ?, ?, ?, u.crid::uuid, ?, ?, ?, ?, ?,
              u.findings::jsonb
         from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
           as u(rid, id, rev, data, op, crid, findings)
       returning record_id, revision, data, status, operation, effective_from, contract_version, findings)
     insert into record_current (record_id, domain, key, key_scope, site, revision, data, status, effective_from,
            contract_version, findings, next_effective_from)
     select rev.record_id, g.domain, g.key, g.key_scope, g.site, rev.revision, rev.data, rev.status,
            rev.effective_from, rev.contract_version, rev.findings, null
       from rev join golden_record g on g.id = rev.record_id
      where rev.operation = 'CREATE'`,
    [
      batch.validator.version,
      batch.validator.contractVersionId,
      at,
      batch.importJobId,
      actor?.id ?? null,
      actor?.name ?? null,
      batch.reason,
      at,
      toPgArray(rows.map(() => newId())),
      toPgArray(rows.map((r) => r.id)),
      toPgArray(rows.map((r) => String(revisionOf.get(r.id)))),
      toPgArray(rows.map((r) => JSON.stringify(r.data))),
      toPgArray(rows.map((r) => (r.recordId ? 'UPDATE' : 'CREATE'))),
      toPgArray(rows.map((r) => r.changeRequestId ?? null)),
      toPgArray(rows.map((r) => (r.findings && r.findings.length > 0 ? JSON.stringify(r.findings) : null))),
    ],
  );
  await refreshCurrent(
    em,
    updated.map((r) => r.id),
    at,
  );
  await replaceReferencesInBulk(em, rows, rules.references.bind(rules));
  const written: BulkWritten[] = rows.map((r) => ({
    recordId: r.id,
    key: r.key,
    revision: revisionOf.get(r.id)!,
    operation: r.recordId ? 'UPDATE' : 'CREATE',
  }));
  await deps.outbox.appendMany(
    em,
    rows.map((r, i) => ({
      type: 'RECORD_CHANGED' as const,
      domain: batch.domain,
      subjectId: r.id,
      revision: written[i].revision,
      payload: {
        operation: written[i].operation,
        key: r.key,
        site: r.site,
        status: 'ACTIVE',
        effectiveFrom: at.toISOString(),
        recordedAt: at.toISOString(),
        data: r.data,
        importJobId: batch.importJobId,
      },
      origin: batch.origin,
      contractVersion: batch.validator.version,
    })),
  );
  await deps.audit.record(em, ctx, {
    action: batch.audit?.action ?? 'RECORDS_IMPORTED',
    subjectType: batch.audit?.subjectType ?? 'ImportJob',
    subjectId: batch.audit?.subjectId ?? batch.importJobId,
    after: {
      ...batch.audit?.after,
      domain: batch.domain,
      contractVersion: batch.validator.version,
      created: created.length,
      updated: updated.length,
      rows: rows.map((r, i) => ({
        source: r.source,
        recordId: r.id,
        key: r.key,
        revision: written[i].revision,
        ...(r.changeRequestId ? { changeRequestId: r.changeRequestId } : {}),
      })),
    },
  });
  return written;
}

/** The references of each written record, replaced in two statements; a vanished target refuses the batch. */
async function replaceReferencesInBulk(
  em: Em,
  rows: readonly { id: string; data: Data; source: string }[],
  referencesOf: (data: Data) => { field: string; domain: string; key: string; scope?: string }[],
): Promise<void> {
  await executeBound(em, 'delete from record_reference where from_record = any(?::uuid[])', [
    toPgArray(rows.map((r) => r.id)),
  ]);
  const refs = rows.flatMap((r) =>
    referencesOf(r.data).map((ref) => ({ ...ref, from: r.id, source: r.source })),
  );
  if (refs.length === 0) return;
  const inserted = await executeBound<unknown>(
    em,
    `insert into record_reference (from_record, field, to_record)
     select u.from_record::uuid, u.field, t.id
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) with ordinality as u(from_record, field, domain, key, scope, ord)
       cross join lateral (select g.id from golden_record g
                            where g.domain = u.domain and g.key = u.key and g.status = 'ACTIVE'
                              and (u.scope is null or g.key_scope = u.scope) limit 1) t
     returning 1`,
    [
      toPgArray(refs.map((r) => r.from)),
      toPgArray(refs.map((r) => r.field)),
      toPgArray(refs.map((r) => r.domain)),
      toPgArray(refs.map((r) => r.key)),
      toPgArray(refs.map((r) => (r.scope === undefined ? null : r.scope))),
    ],
  );
  if (inserted.length !== refs.length) {
    throw new ValidationError(
      'REFERENCE_NOT_FOUND',
      'A record this batch refers to was renamed or retired while it was being written; nothing was changed.',
      [{ code: 'REFERENCE_NOT_FOUND', path: '', severity: 'ERROR', message: 'a referenced record is gone' }],
    );
  }
}
