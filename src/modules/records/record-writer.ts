/**
 * Applying an accepted proposal: the new revision (or record), its key and status, its references,
 * the audit event and the outbox event, in the caller's transaction; a stale base ends in CONFLICT.
 * A changed business key is a rekey (rekey-follower.ts): references and cross-references follow it.
 */

import type { Em } from '../../db/orm.ts';
import { ValidationError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService, ContractValidator } from '../contracts/contracts.service.ts';
import { type EventOrigin, type OutboxService, originOf } from '../events/outbox.service.ts';
import type { ChangeOperation, ChangeRequest } from './change-request.entity.ts';
import type { Data, Finding } from './domain-rules.ts';
import { GoldenRecord, type RecordStatus } from './golden-record.entity.ts';
import { RekeyFollower, type RekeyListener } from './keys/rekey-follower.ts';
import { assertRekeyable } from './keys/rekey-rules.ts';
import { applyMergePatch } from './merge-patch.ts';
import { refreshCurrent } from './record-current.ts';
import { RecordRevision } from './record-revision.entity.ts';
import type { RecordValidation } from './record-validation.ts';
import { rulesFor } from './rules-registry.ts';
import { lockStructure } from './structure-lock.ts';

/** One revision to write: from a proposal, or following another record's rekey. */
export interface RevisionWrite {
  domain: string;
  record: GoldenRecord | null;
  previous: RecordRevision | null;
  operation: ChangeOperation;
  data: Data;
  effectiveFrom: Date;
  validator: ContractValidator;
  changeRequestId: string;
  proposedBy: string | null;
  proposedByName: string | null;
  reason: string | null;
  origin: EventOrigin;
  /** Warnings of relaxed rules, kept with the revision. */
  findings?: Finding[];
  /** The record's status after this revision; default: RETIRED for RETIRE, ACTIVE otherwise. */
  status?: RecordStatus;
  /** The audit action; default: the operation's (RECORD_REVISED for most). */
  auditAction?: AuditAction;
  /** Set on revisions that follow a rekey: the record whose key changed. */
  followsRekeyOf?: { recordId: string; domain: string; oldKey: string; newKey: string; depth: number };
  /** Set on revisions that follow a merge (or unmerge): the records, and the key now referred to. */
  followsMergeOf?: { survivorId: string; mergedId: string; domain: string; oldKey: string; newKey: string };
}

/** Applies MERGE change requests: their locks (before the audit append), then the merge. */
export interface MergeApplier {
  lock(em: Em, cr: ChangeRequest): Promise<void>;
  apply(em: Em, ctx: CallContext, cr: ChangeRequest): Promise<void>;
}

/** Called in the transaction that decided change requests (see RecordWriter.onDecided). */
export type DecidedListener = (em: Em, ctx: CallContext, crs: readonly ChangeRequest[]) => Promise<void>;

const AUDIT_ACTIONS = {
  CREATE: 'RECORD_CREATED',
  RETIRE: 'RECORD_RETIRED',
  RESTORE: 'RECORD_RESTORED',
  UPDATE: 'RECORD_REVISED',
  // the survivor of a merge gets a new value; the merged record's own revision says MERGED
  MERGE: 'RECORD_REVISED',
  UNMERGE: 'RECORD_REVISED',
} as const satisfies Record<ChangeOperation, AuditAction>;

export class RecordWriter {
  private readonly audit: AuditService;
  private readonly outbox: OutboxService;
  private readonly contracts: ContractsService;
  private readonly validation: RecordValidation;
  private readonly follower: RekeyFollower;

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
    this.follower = new RekeyFollower(contracts, outbox, (em, ctx, write) =>
      this.writeRevision(em, ctx, write),
    );
  }

  /** Another module's part of a rekey (the xref module moves its keys), in the same transaction. */
  onRekeyed(listener: RekeyListener): void {
    this.follower.listen(listener);
  }

  private merges: MergeApplier | null = null;

  /** Who applies MERGE change requests (merge/record-merger.ts): set once by the records service. */
  applyMergesWith(applier: MergeApplier): void {
    this.merges = applier;
  }

  private mergeApplier(): MergeApplier {
    if (!this.merges) throw new Error('no merge applier registered');
    return this.merges;
  }

  private readonly decidedListeners: DecidedListener[] = [];

  /**
   * Another module's part of a proposal's decision (imports link the ids of records their proposals
   * create), run in the decision's transaction once the change request is APPLIED, REJECTED,
   * WITHDRAWN or CONFLICT.
   */
  onDecided(listener: DecidedListener): void {
    this.decidedListeners.push(listener);
  }

  async announceDecided(em: Em, ctx: CallContext, ...crs: ChangeRequest[]): Promise<void> {
    if (crs.length === 0) return;
    for (const listener of this.decidedListeners) await listener(em, ctx, crs);
  }

  async markConflict(
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
    await this.announceDecided(em, ctx, cr);
  }

  /**
   * Row locks an apply will need, taken before the transaction's first audit append: the record, and
   * when the proposal changes its key, every record that may follow the rekey. Writers serialise on
   * the audit append, so a lock taken after it could wait for a writer that waits for the append.
   */
  async lockForApply(em: Em, cr: ChangeRequest): Promise<void> {
    if (cr.operation === 'MERGE') return this.mergeApplier().lock(em, cr);
    if (!cr.recordId) return;
    await em
      .getConnection()
      .execute(
        'select id from golden_record where id = ? for update',
        [cr.recordId],
        'all',
        em.getTransactionContext(),
      );
    const record = await em.findOneOrFail(GoldenRecord, { id: cr.recordId });
    await em.refresh(record);
    const major = Number(cr.contractVersion.split('@')[1].split('.')[0]);
    const validator = await this.contracts.validatorFor(em, cr.domain, major);
    if (rulesFor(cr.domain, validator.schema).keyOf(cr.proposed) !== record.key)
      await this.follower.lockFollowers(em, record.id);
  }

  /** Locks the records that may follow a rekey of this one (see lockForApply). */
  lockFollowers(em: Em, recordId: string): Promise<void> {
    return this.follower.lockFollowers(em, recordId);
  }

  /** Applies an accepted proposal as a new revision (or a new record), in the caller's transaction. */
  async apply(em: Em, ctx: CallContext, cr: ChangeRequest): Promise<void> {
    if (cr.operation === 'MERGE') return this.mergeApplier().apply(em, ctx, cr);
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
    const rules = rulesFor(cr.domain, validator.schema);
    await lockStructure(em, rules);
    const findings = await this.validation.validate(
      em,
      rules,
      validator,
      cr.operation as ChangeOperation,
      data,
      previous?.data ?? null,
      record,
    );
    if (record && rules.keyOf(data) !== record.key)
      await assertRekeyable(em, record, rules.keyOf(data), cr.effectiveFrom ?? null);

    // valid time: the moment asked for, else the moment of approval (never the moment of proposal,
    // which would make an as-of read of the days in between show a value nobody had approved yet)
    const effectiveFrom = cr.effectiveFrom ?? new Date();
    const { record: written, revision } = await this.writeRevision(em, ctx, {
      domain: cr.domain,
      record,
      previous,
      operation: cr.operation as ChangeOperation,
      data,
      effectiveFrom,
      validator,
      changeRequestId: cr.id,
      proposedBy: cr.proposedBy ?? null,
      proposedByName: cr.proposedByName ?? null,
      reason: cr.reason ?? null,
      origin: originOf(ctx, cr),
      findings,
    });
    cr.warnings = findings;
    cr.status = 'APPLIED';
    cr.recordId = written.id;
    cr.appliedRevision = revision.revision;
    cr.effectiveFrom = effectiveFrom;
    await em.flush();
    await this.announceDecided(em, ctx, cr);
  }

  /** Writes one revision with its references, audit event and change events; follows a key change. */
  async writeRevision(
    em: Em,
    ctx: CallContext,
    w: RevisionWrite,
  ): Promise<{ record: GoldenRecord; revision: RecordRevision }> {
    const rules = rulesFor(w.domain, w.validator.schema);
    const status: RecordStatus = w.status ?? (w.operation === 'RETIRE' ? 'RETIRED' : 'ACTIVE');
    const key = rules.keyOf(w.data);
    const site = rules.siteOf(w.data);
    const keyScope = rules.siteScoped ? (site ?? '') : '';
    let record = w.record;
    const before = record ? { key: record.key, keyScope: record.keyScope } : null;
    if (!record) {
      record = em.create(GoldenRecord, { domain: w.domain, key, site, keyScope, status, latestRevision: 1 });
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
      data: w.data,
      status,
      operation: w.operation,
      contractVersion: w.validator.version,
      contractVersionId: w.validator.contractVersionId,
      effectiveFrom: w.effectiveFrom,
      changeRequestId: w.changeRequestId,
      createdBy: w.proposedBy,
      createdByName: w.proposedByName,
      reason: w.reason,
      findings: w.findings && w.findings.length > 0 ? w.findings : null,
      // a revision for later: the scheduler announces it when it becomes current
      effectiveEventDueAt: w.effectiveFrom.getTime() > Date.now() ? w.effectiveFrom : null,
    });
    await em.flush();
    await refreshCurrent(em, [record.id]);
    await this.replaceReferences(em, record, rules.references(w.data), status === 'ACTIVE');

    await this.audit.record(em, ctx, {
      action: w.auditAction ?? AUDIT_ACTIONS[w.operation],
      subjectType: 'GoldenRecord',
      subjectId: record.id,
      before: w.previous ? { revision: w.previous.revision, data: w.previous.data } : null,
      after: {
        revision: revision.revision,
        data: w.data,
        changeRequestId: w.changeRequestId,
        effectiveFrom: w.effectiveFrom.toISOString(),
        ...(w.followsRekeyOf ? { followsRekeyOf: w.followsRekeyOf } : {}),
        ...(w.followsMergeOf ? { followsMergeOf: w.followsMergeOf } : {}),
      },
    });
    await this.outbox.append(em, {
      type: 'RECORD_CHANGED',
      domain: w.domain,
      subjectId: record.id,
      revision: revision.revision,
      payload: {
        operation: w.operation,
        key,
        site,
        status,
        effectiveFrom: w.effectiveFrom.toISOString(),
        recordedAt: revision.createdAt.toISOString(),
        data: w.data,
        ...(w.followsRekeyOf ? { followsRekeyOf: w.followsRekeyOf } : {}),
        ...(w.followsMergeOf ? { followsMergeOf: w.followsMergeOf } : {}),
      },
      origin: w.origin,
      contractVersion: w.validator.version,
    });
    if (before && (before.key !== key || before.keyScope !== keyScope)) {
      await this.follower.follow(em, ctx, {
        record,
        revision: revision.revision,
        oldKey: before.key,
        oldScope: before.keyScope,
        write: w,
      });
    }
    return { record, revision };
  }

  /**
   * The references of the record's newest revision. Writers serialise on the audit append, so a
   * rekey or retirement of a target committed before this write's audit append is visible here:
   * a target gone is refused (never a reference silently dropped), and one renamed after this commit
   * finds this reference among the records it moves.
   */
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
    for (const ref of refs) {
      const [target] = await conn.execute<{ id: string }[]>(
        `select id from golden_record where domain = ? and key = ? and status = 'ACTIVE'
          ${ref.scope === undefined ? '' : 'and key_scope = ?'} limit 1`,
        ref.scope === undefined ? [ref.domain, ref.key] : [ref.domain, ref.key, ref.scope],
        'all',
        tx,
      );
      if (!target) {
        throw new ValidationError(
          'REFERENCE_NOT_FOUND',
          `${ref.domain} ${ref.key} was renamed or retired while this change was being applied; nothing was changed.`,
          [
            {
              code: 'REFERENCE_NOT_FOUND',
              path: ref.field,
              severity: 'ERROR',
              message: `No live ${ref.domain} record has the key ${ref.key}.`,
            },
          ],
        );
      }
      await conn.execute(
        'insert into record_reference (from_record, field, to_record) values (?, ?, ?)',
        [record.id, ref.field, target.id],
        'all',
        tx,
      );
    }
  }
}
