/**
 * Applying a merge and undoing it, each in one transaction. A merge: the merged record becomes
 * MERGED (`mergedInto` the survivor), the survivor gets the payload survivorship made, every live
 * record that referred to the merged one is re-pointed to the survivor, and the participants (the
 * xref module) move their rows; what moved is kept (record_merge) so an unmerge puts back exactly that.
 */
import { isDeepStrictEqual } from 'node:util';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../../db/orm.ts';
import { CanonError, notFound } from '../../../errors.ts';
import { assertTextLength } from '../../../text-limits.ts';
import type { AuditService } from '../../audit/audit.service.ts';
import { authorize } from '../../auth/ability.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { ContractsService } from '../../contracts/contracts.service.ts';
import { type EventOrigin, type OutboxService, originOf } from '../../events/outbox.service.ts';
import { idempotentTransaction } from '../../idempotency/idempotency.service.ts';
import type { ChangeRequest } from '../change-request.entity.ts';
import { announceChangeRequest } from '../change-request-events.ts';
import { changeRequestReplay } from '../decisions.ts';
import type { Data } from '../domain-rules.ts';
import { GoldenRecord } from '../golden-record.entity.ts';
import { repointReferences } from '../keys/repoint.ts';
import { newChangeRequest } from '../proposals.ts';
import { RecordRevision } from '../record-revision.entity.ts';
import type { RecordValidation } from '../record-validation.ts';
import type { RecordWriter, RevisionWrite } from '../record-writer.ts';
import { rulesFor } from '../rules-registry.ts';
import { lockStructure } from '../structure-lock.ts';
import { lockPair, majorOf } from './merge-proposals.ts';
import { type MovedReference, RecordMerge } from './record-merge.entity.ts';

/** A merge (or its undoing) as other modules see it, in its transaction. */
export interface MergeChange {
  mergeId: string;
  domain: string;
  survivorId: string;
  survivorKey: string;
  mergedId: string;
  mergedKey: string;
  changeRequestId: string;
  origin: EventOrigin;
}

/**
 * Another module's part of a merge: `merged` moves its rows to the survivor and answers what it moved
 * (kept with the merge, JSON); `unmerged` gets that back and moves exactly those rows back.
 */
export interface MergeParticipant {
  name: string;
  /** Locks it needs, taken before the merge's first audit append (writers serialise on that). */
  lock?(em: Em, domain: string): Promise<void>;
  merged(em: Em, change: MergeChange): Promise<unknown>;
  unmerged(em: Em, change: MergeChange, moved: unknown): Promise<void>;
}

export interface UnmergeInput {
  mergedId: string;
  reason?: string;
  idempotencyKey?: string;
}

export class RecordMerger {
  private readonly deps: {
    orm: Orm;
    audit: AuditService;
    outbox: OutboxService;
    contracts: ContractsService;
    validation: RecordValidation;
    writer: RecordWriter;
  };
  private readonly participants: MergeParticipant[] = [];

  constructor(deps: RecordMerger['deps']) {
    this.deps = deps;
  }

  participate(participant: MergeParticipant): void {
    this.participants.push(participant);
  }

  /** The rows a merge writes, locked before the transaction's first audit append. */
  async lock(em: Em, cr: ChangeRequest): Promise<void> {
    await lockPair(em, cr.recordId!, cr.merge!.mergedId);
    await this.deps.writer.lockFollowers(em, cr.merge!.mergedId);
    for (const p of this.participants) await p.lock?.(em, cr.domain);
  }

  private writeBase(cr: ChangeRequest, ctx: CallContext) {
    return {
      changeRequestId: cr.id,
      proposedBy: cr.proposedBy ?? null,
      proposedByName: cr.proposedByName ?? null,
      origin: originOf(ctx, cr),
    };
  }

  /** Applies an approved MERGE change request, in the caller's transaction. */
  async apply(em: Em, ctx: CallContext, cr: ChangeRequest): Promise<void> {
    const details = cr.merge!;
    await lockPair(em, cr.recordId!, details.mergedId);
    const survivor = await em.findOneOrFail(GoldenRecord, { id: cr.recordId! });
    const merged = await em.findOneOrFail(GoldenRecord, { id: details.mergedId });
    await em.refresh(survivor);
    await em.refresh(merged);
    const survivorLatest = await em.findOneOrFail(RecordRevision, {
      record: survivor,
      revision: survivor.latestRevision,
    });
    const mergedLatest = await em.findOneOrFail(RecordRevision, {
      record: merged,
      revision: merged.latestRevision,
    });
    if (
      survivor.latestRevision !== cr.baseRevision ||
      merged.latestRevision !== details.mergedBaseRevision ||
      survivor.status !== 'ACTIVE' ||
      merged.status !== 'ACTIVE'
    ) {
      // either record moved on (an edit, another merge) since the steward looked: nothing merges
      const moved =
        survivor.latestRevision !== cr.baseRevision ? [survivor, survivorLatest] : [merged, mergedLatest];
      await this.deps.writer.markConflict(em, ctx, cr, moved[0] as GoldenRecord, moved[1] as RecordRevision);
      return;
    }
    const validator = await this.deps.contracts.validatorFor(em, cr.domain, majorOf(cr.contractVersion));
    const rules = rulesFor(cr.domain, validator.schema);
    await lockStructure(em, rules);
    const base = this.writeBase(cr, ctx);
    const now = new Date();

    // the merged record leaves live use first: its key and unique values are then free for the survivor
    merged.mergedInto = survivor.id;
    const mergedValidator = await this.deps.contracts.validatorFor(
      em,
      cr.domain,
      majorOf(mergedLatest.contractVersion),
    );
    await this.deps.writer.writeRevision(em, ctx, {
      ...base,
      domain: cr.domain,
      record: merged,
      previous: mergedLatest,
      operation: 'MERGE',
      status: 'MERGED',
      auditAction: 'RECORD_MERGED',
      data: mergedLatest.data,
      effectiveFrom: now,
      validator: mergedValidator,
      reason: `Merged into ${cr.domain} ${survivor.key}.${cr.reason ? ` ${cr.reason}` : ''}`,
    });
    const findings = await this.deps.validation.validate(
      em,
      rules,
      validator,
      'UPDATE',
      cr.proposed,
      survivorLatest.data,
      survivor,
    );
    const { revision } = await this.deps.writer.writeRevision(em, ctx, {
      ...base,
      domain: cr.domain,
      record: survivor,
      previous: survivorLatest,
      operation: 'MERGE',
      data: cr.proposed,
      effectiveFrom: now,
      validator,
      reason: cr.reason ?? `Merged ${cr.domain} ${merged.key} into it.`,
      findings,
    });
    const cause: RevisionWrite = {
      ...base,
      domain: cr.domain,
      record: survivor,
      previous: null,
      operation: 'MERGE',
      data: cr.proposed,
      effectiveFrom: now,
      validator,
      reason: null,
    };
    const movedReferences = await this.repoint(em, ctx, {
      targetId: merged.id,
      oldKey: merged.key,
      newKey: survivor.key,
      only: null,
      cause,
      mark: { survivorId: survivor.id, mergedId: merged.id, domain: cr.domain },
      reason: `Follows the merge of ${cr.domain} ${merged.key} into ${survivor.key}.`,
    });
    const record = em.create(RecordMerge, {
      domain: cr.domain,
      survivorId: survivor.id,
      mergedId: merged.id,
      changeRequestId: cr.id,
      survivorRevisionBefore: survivorLatest.revision,
      survivorDataBefore: survivorLatest.data,
      survivorDataAfter: cr.proposed,
      mergedRevisionBefore: mergedLatest.revision,
      mergedKey: merged.key,
      survivorKey: survivor.key,
      movedReferences,
      moved: {},
      mergedBy: ctx.actor?.id ?? null,
    });
    await em.flush();
    const change = this.changeOf(record, cr.id, base.origin, survivor.key);
    const moved: Record<string, unknown> = {};
    for (const p of this.participants) moved[p.name] = await p.merged(em, change);
    record.moved = moved;
    await this.deps.outbox.append(em, {
      type: 'RECORD_MERGED',
      domain: cr.domain,
      subjectId: merged.id,
      revision: merged.latestRevision,
      payload: {
        survivorId: survivor.id,
        survivorKey: survivor.key,
        survivorRevision: revision.revision,
        mergedKey: merged.key,
        changeRequestId: cr.id,
        repointedRecords: movedReferences.length,
      },
      origin: base.origin,
      contractVersion: validator.version,
    });
    cr.warnings = findings;
    cr.status = 'APPLIED';
    cr.appliedRevision = revision.revision;
    cr.effectiveFrom = now;
    await em.flush();
    await this.deps.writer.announceDecided(em, ctx, cr);
  }

  private changeOf(
    m: RecordMerge,
    changeRequestId: string,
    origin: EventOrigin,
    survivorKey: string,
  ): MergeChange {
    return {
      mergeId: m.id,
      domain: m.domain,
      survivorId: m.survivorId,
      survivorKey,
      mergedId: m.mergedId,
      mergedKey: m.mergedKey,
      changeRequestId,
      origin,
    };
  }

  /**
   * Re-points live references to `targetId` (all, or the recorded `only` ones) from one key to another;
   * answers the records that changed, with their fields.
   */
  private async repoint(
    em: Em,
    ctx: CallContext,
    p: {
      targetId: string;
      oldKey: string;
      newKey: string;
      only: readonly MovedReference[] | null;
      cause: RevisionWrite;
      mark: { survivorId: string; mergedId: string; domain: string };
      reason: string;
    },
  ): Promise<MovedReference[]> {
    let followers: MovedReference[];
    if (p.only) followers = [...p.only];
    else {
      const rows = await em
        .getConnection()
        .execute<{ from_record: string; field: string }[]>(
          'select from_record, field from record_reference where to_record = ? order by from_record, field',
          [p.targetId],
          'all',
          em.getTransactionContext(),
        );
      const byRecord = new Map<string, string[]>();
      for (const r of rows) byRecord.set(r.from_record, [...(byRecord.get(r.from_record) ?? []), r.field]);
      followers = [...byRecord].map(([recordId, fields]) => ({ recordId, fields }));
    }
    const moved: MovedReference[] = [];
    const uow = em.getUnitOfWork();
    const before = new Set(uow.getIdentityMap().values());
    for (const f of followers) {
      const written = await repointReferences(
        this.deps.contracts,
        (e, c, w) => this.deps.writer.writeRevision(e, c, w),
        em,
        ctx,
        {
          followerId: f.recordId,
          fields: f.fields,
          oldKey: p.oldKey,
          newKey: p.newKey,
          cause: p.cause,
          reason: p.reason,
          refusal: `${p.mark.domain} ${p.oldKey} cannot be replaced by ${p.newKey}`,
          mark: { followsMergeOf: { ...p.mark, oldKey: p.oldKey, newKey: p.newKey } },
          // a merge can break a follower's rules (a location becoming its own ancestor): checked
          check: async (e, follower, data, previous, validator) => {
            const rules = rulesFor(follower.domain, validator.schema);
            await this.deps.validation.validate(e, rules, validator, 'UPDATE', data, previous, follower);
          },
        },
      );
      if (written > 0) moved.push(f);
      // followers leave the unit of work once written (a flush compares every managed entity)
      for (const entity of uow.getIdentityMap().values()) if (!before.has(entity)) uow.unsetIdentity(entity);
    }
    return moved;
  }

  /**
   * Undoes the newest merge of a record: it is live again with the payload it had, the survivor
   * gets back the values the merge gave it (fields changed since keep their newer value), and the
   * references and xrefs the merge moved go back. Applied at once (an audited steward action).
   */
  async unmerge(ctx: CallContext, input: UnmergeInput): Promise<ChangeRequest> {
    authorize(ctx.ability, ctx.actor, 'merge', 'GoldenRecord');
    assertTextLength(input.reason, 'reason', ['reason']);
    return idempotentTransaction(
      this.deps.orm,
      ctx,
      input.idempotencyKey,
      'unmergeRecord',
      { ...input, idempotencyKey: undefined },
      changeRequestReplay,
      (em) => this.unmergeIn(em, ctx, input),
    );
  }

  private async unmergeIn(em: Em, ctx: CallContext, input: UnmergeInput): Promise<ChangeRequest> {
    const merged = isUuid(input.mergedId) ? await em.findOne(GoldenRecord, { id: input.mergedId }) : null;
    if (!merged) throw notFound('The record', ['merged']);
    authorize(ctx.ability, ctx.actor, 'merge', 'GoldenRecord', { domain: merged.domain });
    const merge = await em.findOne(
      RecordMerge,
      { mergedId: merged.id, state: 'MERGED' },
      { orderBy: { mergedAt: 'desc' } },
    );
    if (merged.status !== 'MERGED' || !merge)
      throw new CanonError(
        'INVALID_STATE',
        `${merged.domain} ${merged.key} is ${merged.status}, not merged.`,
        {
          path: ['merged'],
        },
      );
    // locks first, before any audit append: both records, then what refers to the survivor
    await lockPair(em, merge.survivorId, merged.id);
    await this.deps.writer.lockFollowers(em, merge.survivorId);
    for (const p of this.participants) await p.lock?.(em, merged.domain);
    await em.refresh(merged);
    const survivor = await em.findOneOrFail(GoldenRecord, { id: merge.survivorId });
    await em.refresh(survivor);
    if (merged.status !== 'MERGED' || merged.mergedInto !== survivor.id)
      throw new CanonError('INVALID_STATE', `${merged.domain} ${merged.key} is no longer merged.`, {
        path: ['merged'],
      });
    if (survivor.status !== 'ACTIVE')
      throw new CanonError(
        'INVALID_STATE',
        `The survivor ${survivor.domain} ${survivor.key} is ${survivor.status}: undo what happened to it first.`,
        { path: ['merged'] },
      );
    const survivorLatest = await em.findOneOrFail(RecordRevision, {
      record: survivor,
      revision: survivor.latestRevision,
    });
    const mergedLatest = await em.findOneOrFail(RecordRevision, {
      record: merged,
      revision: merged.latestRevision,
    });
    const mergedBefore = await em.findOneOrFail(RecordRevision, {
      record: merged,
      revision: merge.mergedRevisionBefore,
    });
    const survivorData = restoredSurvivor(merge, survivorLatest.data);
    const validator = await this.deps.contracts.validatorFor(
      em,
      survivor.domain,
      majorOf(survivorLatest.contractVersion),
    );
    const mergedValidator = await this.deps.contracts.validatorFor(
      em,
      merged.domain,
      majorOf(mergedBefore.contractVersion),
    );
    const rules = rulesFor(survivor.domain, validator.schema);
    await lockStructure(em, rules);

    const cr = newChangeRequest(em, ctx, {
      domain: merged.domain,
      record: merged,
      operation: 'UNMERGE',
      input: {
        data: mergedBefore.data,
        baseRevision: merged.latestRevision,
        idempotencyKey: input.idempotencyKey,
      },
      proposed: mergedBefore.data,
      previous: mergedLatest.data,
      requiredApprovals: 0,
      validator: mergedValidator,
      reason: input.reason ?? null,
      effectiveFrom: null,
    });
    cr.merge = {
      survivorId: survivor.id,
      mergedId: merged.id,
      mergedKey: merge.mergedKey,
      mergedBaseRevision: merged.latestRevision,
      fields: [],
    };
    await em.flush();
    await this.deps.audit.record(em, ctx, {
      action: 'CHANGE_PROPOSED',
      subjectType: 'ChangeRequest',
      subjectId: cr.id,
      after: { domain: cr.domain, recordId: merged.id, operation: 'UNMERGE', survivorId: survivor.id },
    });
    const base = this.writeBase(cr, ctx);
    const now = new Date();
    // the survivor first: values it took from the merged record (a barcode) are free again after
    const survivorFindings = await this.deps.validation.validate(
      em,
      rules,
      validator,
      'UPDATE',
      survivorData,
      survivorLatest.data,
      survivor,
    );
    await this.deps.writer.writeRevision(em, ctx, {
      ...base,
      domain: survivor.domain,
      record: survivor,
      previous: survivorLatest,
      operation: 'UNMERGE',
      data: survivorData,
      effectiveFrom: now,
      validator,
      reason: `Unmerged ${merged.domain} ${merge.mergedKey} from it.${input.reason ? ` ${input.reason}` : ''}`,
      findings: survivorFindings,
    });
    merged.mergedInto = null;
    const mergedFindings = await this.deps.validation.validate(
      em,
      rulesFor(merged.domain, mergedValidator.schema),
      mergedValidator,
      'UPDATE',
      mergedBefore.data,
      mergedLatest.data,
      merged,
    );
    const { revision } = await this.deps.writer.writeRevision(em, ctx, {
      ...base,
      domain: merged.domain,
      record: merged,
      previous: mergedLatest,
      operation: 'UNMERGE',
      status: 'ACTIVE',
      auditAction: 'RECORD_UNMERGED',
      data: mergedBefore.data,
      effectiveFrom: now,
      validator: mergedValidator,
      reason: input.reason ?? `Unmerged from ${survivor.domain} ${survivor.key}.`,
      findings: mergedFindings,
    });
    await this.repoint(em, ctx, {
      targetId: survivor.id,
      oldKey: survivor.key,
      newKey: merged.key,
      only: merge.movedReferences,
      cause: {
        ...base,
        domain: merged.domain,
        record: merged,
        previous: null,
        operation: 'UNMERGE',
        data: mergedBefore.data,
        effectiveFrom: now,
        validator: mergedValidator,
        reason: null,
      },
      mark: { survivorId: survivor.id, mergedId: merged.id, domain: merged.domain },
      reason: `Follows the unmerge of ${merged.domain} ${merged.key} from ${survivor.key}.`,
    });
    const change = this.changeOf(merge, cr.id, base.origin, survivor.key);
    for (const p of this.participants) await p.unmerged(em, change, merge.moved[p.name]);
    merge.state = 'UNMERGED';
    merge.unmergedAt = now;
    merge.unmergedBy = ctx.actor?.id ?? null;
    merge.unmergeChangeRequestId = cr.id;
    await this.deps.outbox.append(em, {
      type: 'RECORD_UNMERGED',
      domain: merged.domain,
      subjectId: merged.id,
      revision: revision.revision,
      payload: {
        survivorId: survivor.id,
        survivorKey: survivor.key,
        survivorRevision: survivor.latestRevision,
        mergedKey: merged.key,
        changeRequestId: cr.id,
        mergeChangeRequestId: merge.changeRequestId,
        repointedRecords: merge.movedReferences.length,
      },
      origin: base.origin,
      contractVersion: mergedValidator.version,
    });
    cr.warnings = mergedFindings;
    cr.status = 'APPLIED';
    cr.appliedRevision = revision.revision;
    cr.effectiveFrom = now;
    cr.approvals = [];
    await em.flush();
    await this.deps.writer.announceDecided(em, ctx, cr);
    await announceChangeRequest(this.deps.outbox, em, ctx, cr);
    return cr;
  }
}

/**
 * The survivor's payload after an unmerge: each field the merge changed goes back to its value before
 * the merge, unless it changed again since (then the newer value stays).
 */
export function restoredSurvivor(
  merge: Pick<RecordMerge, 'survivorDataBefore' | 'survivorDataAfter'>,
  current: Data,
): Data {
  const before = merge.survivorDataBefore as Data;
  const after = merge.survivorDataAfter as Data;
  const out: Data = {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(current)])];
  for (const name of names) {
    const untouchedSince = isDeepStrictEqual(current[name], after[name]);
    const value = untouchedSince ? before[name] : current[name];
    if (value !== undefined) out[name] = value;
  }
  // key order as before the merge (then new fields), so an untouched survivor is restored byte for byte
  const ordered: Data = {};
  for (const name of [...Object.keys(before), ...Object.keys(out)])
    if (name in out) ordered[name] = out[name];
  return ordered;
}
