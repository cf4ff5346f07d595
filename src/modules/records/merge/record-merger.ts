/**
 * Applying a merge in one transaction: the merged record becomes MERGED (`mergedInto` the survivor),
 * the survivor gets the payload survivorship made, every live record that referred to the merged one
 * is re-pointed to the survivor, and the participants (the xref module) move their rows; what moved
 * is kept (record_merge) so an unmerge (record-unmerge.ts) puts back exactly that.
 */
import type { Em } from '../../../db/orm.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { ChangeRequest } from '../change-request.entity.ts';
import { GoldenRecord } from '../golden-record.entity.ts';
import { RecordRevision } from '../record-revision.entity.ts';
import type { RevisionWrite } from '../record-writer.ts';
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
import { RecordUnmerge, type UnmergeInput } from './record-unmerge.ts';

export type { MergeChange, MergeParticipant } from './merge-steps.ts';
export type { UnmergeInput } from './record-unmerge.ts';

export class RecordMerger {
  private readonly deps: MergeDeps;
  private readonly unmerges: RecordUnmerge;
  private readonly participants: MergeParticipant[] = [];

  constructor(deps: MergeDeps) {
    this.deps = deps;
    this.unmerges = new RecordUnmerge(deps, this.participants);
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
    const base = writeBase(cr, ctx);
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
    const movedReferences = await repointFollowers(this.deps, em, ctx, {
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
    const change = changeOf(record, cr.id, base.origin, survivor.key);
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

  /** Undoes the newest merge of a record (record-unmerge.ts). */
  unmerge(ctx: CallContext, input: UnmergeInput): Promise<ChangeRequest> {
    return this.unmerges.unmerge(ctx, input);
  }
}
