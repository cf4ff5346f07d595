/**
 * Applying an accepted proposal: the new revision (or record), its key and status, its references,
 * the audit event and the outbox event, in the caller's transaction; a stale base ends in CONFLICT.
 */

import type { Em } from '../../db/orm.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { type OutboxService, originOf } from '../events/outbox.service.ts';
import type { ChangeOperation, ChangeRequest } from './change-request.entity.ts';
import type { Data } from './domain-rules.ts';
import { GoldenRecord } from './golden-record.entity.ts';
import { applyMergePatch } from './merge-patch.ts';
import { RecordRevision } from './record-revision.entity.ts';
import type { RecordValidation } from './record-validation.ts';
import { rulesFor } from './rules-registry.ts';

export class RecordWriter {
  private readonly audit: AuditService;
  private readonly outbox: OutboxService;
  private readonly contracts: ContractsService;
  private readonly validation: RecordValidation;

  constructor(
    audit: AuditService,
    outbox: OutboxService,
    contracts: ContractsService,
    validation: RecordValidation,
  ) {
    this.audit = audit;
    this.outbox = outbox;
    this.contracts = contracts;
    this.validation = validation;
  }

  private async markConflict(
    em: Em,
    ctx: CallContext,
    cr: ChangeRequest,
    record: GoldenRecord,
    latest: RecordRevision,
  ): Promise<void> {
    cr.status = 'CONFLICT';
    cr.conflict = {
      currentRevision: latest.revision,
      current: latest.data,
      proposed: cr.proposed,
      baseRevision: cr.baseRevision,
    };
    await em.flush();
    await this.audit.record(em, ctx, {
      action: 'CHANGE_CONFLICTED',
      subjectType: 'ChangeRequest',
      subjectId: cr.id,
      after: { recordId: record.id, baseRevision: cr.baseRevision ?? null, currentRevision: latest.revision },
    });
  }

  /** Applies an accepted proposal as a new revision (or a new record), in the caller's transaction. */
  async apply(em: Em, ctx: CallContext, cr: ChangeRequest): Promise<void> {
    const rules = rulesFor(cr.domain);
    const tx = em.getTransactionContext();
    let record: GoldenRecord | null = null;
    let previous: RecordRevision | null = null;
    if (cr.recordId) {
      // serialise writers of one record; the base revision check below then sees the truth
      await em
        .getConnection()
        .execute('select id from golden_record where id = ? for update', [cr.recordId], 'all', tx);
      record = await em.findOneOrFail(GoldenRecord, { id: cr.recordId });
      await em.refresh(record);
      previous = await em.findOneOrFail(RecordRevision, { record, revision: record.latestRevision });
      if (
        cr.baseRevision !== null &&
        cr.baseRevision !== undefined &&
        cr.baseRevision !== record.latestRevision
      ) {
        await this.markConflict(em, ctx, cr, record, previous);
        return;
      }
    }
    // recompute merge patches on the revision they now apply to, and check again: the world may have
    // moved since the proposal (a UoM retired, a key taken)
    let data = cr.proposed;
    if (cr.mode === 'PATCH' && previous) data = applyMergePatch(previous.data, cr.input) as Data;
    const validator = await this.contracts.validatorFor(
      em,
      cr.domain,
      Number(cr.contractVersion.split('@')[1].split('.')[0]),
    );
    await this.validation.validate(
      em,
      rules,
      validator,
      cr.operation as ChangeOperation,
      data,
      previous?.data ?? null,
      record,
    );

    const status = cr.operation === 'RETIRE' ? 'RETIRED' : 'ACTIVE';
    const key = rules.keyOf(data);
    const site = rules.siteOf(data);
    const keyScope = rules.siteScoped ? (site ?? '') : '';
    if (!record) {
      record = em.create(GoldenRecord, { domain: cr.domain, key, site, keyScope, status, latestRevision: 1 });
    } else {
      record.latestRevision += 1;
      record.key = key;
      record.site = site;
      record.keyScope = keyScope;
      record.status = status;
    }
    const revision = em.create(RecordRevision, {
      record,
      revision: record.latestRevision,
      data,
      status,
      operation: cr.operation,
      contractVersion: validator.version,
      contractVersionId: validator.contractVersionId,
      effectiveFrom: cr.effectiveFrom,
      changeRequestId: cr.id,
      createdBy: cr.proposedBy ?? null,
      createdByName: cr.proposedByName ?? null,
      reason: cr.reason ?? null,
    });
    cr.status = 'APPLIED';
    cr.recordId = record.id;
    cr.appliedRevision = revision.revision;
    await em.flush();
    await this.replaceReferences(em, record, rules.references(data), status === 'ACTIVE');

    const action =
      cr.operation === 'CREATE'
        ? 'RECORD_CREATED'
        : cr.operation === 'RETIRE'
          ? 'RECORD_RETIRED'
          : cr.operation === 'RESTORE'
            ? 'RECORD_RESTORED'
            : 'RECORD_REVISED';
    await this.audit.record(em, ctx, {
      action,
      subjectType: 'GoldenRecord',
      subjectId: record.id,
      before: previous ? { revision: previous.revision, data: previous.data } : null,
      after: {
        revision: revision.revision,
        data,
        changeRequestId: cr.id,
        effectiveFrom: cr.effectiveFrom.toISOString(),
      },
    });
    await this.outbox.append(em, {
      type: 'RECORD_CHANGED',
      domain: cr.domain,
      subjectId: record.id,
      revision: revision.revision,
      payload: {
        operation: cr.operation,
        key,
        site,
        status,
        effectiveFrom: cr.effectiveFrom.toISOString(),
        data,
      },
      origin: originOf(ctx, cr),
      contractVersion: cr.contractVersion,
    });
  }

  private async replaceReferences(
    em: Em,
    record: GoldenRecord,
    refs: { field: string; domain: string; key: string; scope?: string }[],
    live: boolean,
  ): Promise<void> {
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    await conn.execute('delete from record_reference where from_record = ?', [record.id], 'all', tx);
    if (!live) return;
    const ctx = this.validation.ruleContext(em);
    for (const ref of refs) {
      const target = await ctx.findLive(ref.domain, ref.key, ref.scope);
      if (target) {
        await conn.execute(
          'insert into record_reference (from_record, field, to_record) values (?, ?, ?)',
          [record.id, ref.field, target.id],
          'all',
          tx,
        );
      }
    }
  }
}
