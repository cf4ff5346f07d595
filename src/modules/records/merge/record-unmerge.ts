/**
 * Undoing a merge, at once and audited (an UNMERGE change request): the survivor gets back the
 * values the merge gave it (fields changed since keep their newer value), the merged record is live
 * again with its payload, and exactly the references and xrefs the merge recorded go back.
 */
import { isDeepStrictEqual } from 'node:util';
import { validate as isUuid } from 'uuid';
import type { Em } from '../../../db/orm.ts';
import { CanonError, notFound } from '../../../errors.ts';
import { assertTextLength } from '../../../text-limits.ts';
import { authorize } from '../../auth/ability.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import { idempotentTransaction } from '../../idempotency/idempotency.service.ts';
import type { ChangeRequest } from '../change-request.entity.ts';
import { announceChangeRequest } from '../change-request-events.ts';
import { changeRequestReplay } from '../decisions.ts';
import type { Data } from '../domain-rules.ts';
import { GoldenRecord } from '../golden-record.entity.ts';
import { newChangeRequest } from '../proposals.ts';
import { RecordRevision } from '../record-revision.entity.ts';
import { rulesFor } from '../rules-registry.ts';
import { lockStructure } from '../structure-lock.ts';
import { lockPair, majorOf } from './merge-proposals.ts';
import {
  changeOf,
  type MergeDeps,
  type MergeParticipant,
  repointFollowers,
  writeBase,
} from './merge-steps.ts';
import { RecordMerge } from './record-merge.entity.ts';

export interface UnmergeInput {
  mergedId: string;
  reason?: string;
  idempotencyKey?: string;
}

export class RecordUnmerge {
  private readonly deps: MergeDeps;
  private readonly participants: readonly MergeParticipant[];

  constructor(deps: MergeDeps, participants: readonly MergeParticipant[]) {
    this.deps = deps;
    this.participants = participants;
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
    const base = writeBase(cr, ctx);
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
    await repointFollowers(this.deps, em, ctx, {
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
    const change = changeOf(merge, cr.id, base.origin, survivor.key);
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
