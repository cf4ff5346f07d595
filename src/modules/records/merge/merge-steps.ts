/**
 * What applying a merge and undoing it share: how other modules take part (participants), the
 * fields every revision of the change carries, and re-pointing the records that refer to one record
 * to another (checked against their domain rules: re-pointing can break them, renaming cannot).
 */
import type { Em, Orm } from '../../../db/orm.ts';
import type { AuditService } from '../../audit/audit.service.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { ContractsService } from '../../contracts/contracts.service.ts';
import { type EventOrigin, type OutboxService, originOf } from '../../events/outbox.service.ts';
import type { ChangeRequest } from '../change-request.entity.ts';
import { repointReferences } from '../keys/repoint.ts';
import type { RecordValidation } from '../record-validation.ts';
import type { RecordWriter, RevisionWrite } from '../record-writer.ts';
import { rulesFor } from '../rules-registry.ts';
import type { MovedReference, RecordMerge } from './record-merge.entity.ts';

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

/** The services a merge and an unmerge write through. */
export interface MergeDeps {
  orm: Orm;
  audit: AuditService;
  outbox: OutboxService;
  contracts: ContractsService;
  validation: RecordValidation;
  writer: RecordWriter;
}

/** The fields every revision a merge (or unmerge) writes takes from its change request. */
export function writeBase(cr: ChangeRequest, ctx: CallContext) {
  return {
    changeRequestId: cr.id,
    proposedBy: cr.proposedBy ?? null,
    proposedByName: cr.proposedByName ?? null,
    origin: originOf(ctx, cr),
  };
}

/** The merge as participants see it. */
export function changeOf(
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
export async function repointFollowers(
  deps: MergeDeps,
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
      deps.contracts,
      (e, c, w) => deps.writer.writeRevision(e, c, w),
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
          await deps.validation.validate(e, rules, validator, 'UPDATE', data, previous, follower);
        },
      },
    );
    if (written > 0) moved.push(f);
    // followers leave the unit of work once written (a flush compares every managed entity)
    for (const entity of uow.getIdentityMap().values()) if (!before.has(entity)) uow.unsetIdentity(entity);
  }
  return moved;
}
