/**
 * `mergeRecords`: a MERGE change request under the domain's approval policy (four eyes by default):
 * the survivor's payload made by survivorship from both records, validated as the survivor's next
 * revision with the merged record treated as gone (its barcode becomes the survivor's to take).
 */
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../../db/orm.ts';
import { CanonError, notFound } from '../../../errors.ts';
import { assertTextLength } from '../../../text-limits.ts';
import type { AuditService } from '../../audit/audit.service.ts';
import { authorize } from '../../auth/ability.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { ContractsService } from '../../contracts/contracts.service.ts';
import type { OutboxService } from '../../events/outbox.service.ts';
import { idempotentTransaction } from '../../idempotency/idempotency.service.ts';
import type { ApprovalPolicies } from '../approval-policies.ts';
import type { ChangeRequest } from '../change-request.entity.ts';
import { announceChangeRequest } from '../change-request-events.ts';
import { changeRequestReplay } from '../decisions.ts';
import { GoldenRecord } from '../golden-record.entity.ts';
import { newChangeRequest } from '../proposals.ts';
import { RecordRevision } from '../record-revision.entity.ts';
import type { RecordValidation } from '../record-validation.ts';
import type { RecordWriter } from '../record-writer.ts';
import { rulesFor } from '../rules-registry.ts';
import {
  type FieldChoice,
  type FieldOwner,
  type MergeSide,
  type SurvivorshipRule,
  survive,
} from './survivorship.ts';
import type { SurvivorshipRules } from './survivorship-rules.ts';

export interface MergeInput {
  survivorId: string;
  mergedId: string;
  fieldChoices?: FieldChoice[];
  reason?: string;
  /** The revisions the steward looked at: a record that moved on since is VERSION_CONFLICT. */
  survivorRevision?: number;
  mergedRevision?: number;
  idempotencyKey?: string;
}

/** The systems of record of a domain (whole record or fields), for SOURCE_RANKING. */
export type OwnersOf = (em: Em, domain: string, site: string | null) => Promise<FieldOwner[]>;

export const majorOf = (contractVersion: string): number =>
  Number(contractVersion.split('@')[1].split('.')[0]);

/** Both records of a merge, locked in id order (two merges of one pair never deadlock). */
export async function lockPair(em: Em, a: string, b: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      'select id from golden_record where id in (?, ?) order by id for update',
      [a, b],
      'all',
      em.getTransactionContext(),
    );
}

/** A record's side of a merge: its newest payload, when it took effect and which system wrote it. */
export async function sideOf(
  em: Em,
  record: GoldenRecord,
): Promise<{ revision: RecordRevision; side: MergeSide }> {
  const revision = await em.findOneOrFail(RecordRevision, { record, revision: record.latestRevision });
  const [row] = await em
    .getConnection()
    .execute<{ system_code: string | null }[]>(
      'select system_code from change_request where id = ?',
      [revision.changeRequestId],
      'all',
      em.getTransactionContext(),
    );
  return {
    revision,
    side: { data: revision.data, changedAt: revision.effectiveFrom, sourceSystem: row?.system_code ?? null },
  };
}

export class MergeProposals {
  private readonly deps: {
    orm: Orm;
    audit: AuditService;
    contracts: ContractsService;
    policies: ApprovalPolicies;
    validation: RecordValidation;
    writer: RecordWriter;
    outbox: OutboxService;
    survivorship: SurvivorshipRules;
  };
  private ownersOf: OwnersOf = async () => [];

  constructor(deps: MergeProposals['deps']) {
    this.deps = deps;
  }

  /** Where SOURCE_RANKING learns the systems of record (the systems module, wired by services.ts). */
  rankSourcesWith(ownersOf: OwnersOf): void {
    this.ownersOf = ownersOf;
  }

  async propose(ctx: CallContext, input: MergeInput): Promise<ChangeRequest> {
    authorize(ctx.ability, ctx.actor, 'merge', 'GoldenRecord');
    assertTextLength(input.reason, 'reason', ['reason']);
    if (input.fieldChoices && input.fieldChoices.length > 500)
      throw new CanonError('BAD_USER_INPUT', 'At most 500 field choices.', { path: ['fieldChoices'] });
    return idempotentTransaction(
      this.deps.orm,
      ctx,
      input.idempotencyKey,
      'mergeRecords',
      { ...input, idempotencyKey: undefined },
      changeRequestReplay,
      (em) => this.proposeIn(em, ctx, input),
    );
  }

  /** Both records, checked mergeable: same domain and key scope, distinct, both live. */
  async pair(em: Em, survivorId: string, mergedId: string): Promise<[GoldenRecord, GoldenRecord]> {
    const find = async (id: string, path: string) => {
      const r = isUuid(id) ? await em.findOne(GoldenRecord, { id }) : null;
      if (!r) throw notFound('The record', [path]);
      return r;
    };
    const survivor = await find(survivorId, 'survivor');
    const merged = await find(mergedId, 'merged');
    if (survivor.id === merged.id)
      throw new CanonError('MERGE_NOT_ALLOWED', 'A record cannot be merged into itself.', {
        path: ['merged'],
      });
    if (survivor.domain !== merged.domain)
      throw new CanonError(
        'MERGE_NOT_ALLOWED',
        `Only records of one domain merge: the survivor is ${survivor.domain}, the other ${merged.domain}.`,
        { path: ['merged'] },
      );
    if (survivor.keyScope !== merged.keyScope)
      throw new CanonError(
        'MERGE_NOT_ALLOWED',
        `Records of different sites do not merge (${survivor.keyScope} and ${merged.keyScope}): references resolve within a site.`,
        { path: ['merged'] },
      );
    await lockPair(em, survivor.id, merged.id);
    await em.refresh(survivor);
    await em.refresh(merged);
    for (const [r, path] of [
      [survivor, 'survivor'],
      [merged, 'merged'],
    ] as const) {
      if (r.status !== 'ACTIVE')
        throw new CanonError(
          'INVALID_STATE',
          `${r.domain} ${r.key} is ${r.status}${r.mergedInto ? ` (merged into ${r.mergedInto})` : ''}; only live records merge.`,
          { path: [path] },
        );
    }
    // a revision scheduled for later would take effect over the merge (and bring a MERGED record back)
    const scheduled = await em
      .getConnection()
      .execute<{ record_id: string; effective_from: Date | string }[]>(
        `select record_id, min(effective_from) as effective_from from record_revision
          where record_id in (?, ?) and effective_from > now() group by record_id`,
        [survivor.id, merged.id],
        'all',
        em.getTransactionContext(),
      );
    if (scheduled.length > 0) {
      const which = scheduled[0].record_id === survivor.id ? survivor : merged;
      throw new CanonError(
        'INVALID_STATE',
        `${which.domain} ${which.key} has a change scheduled for ${new Date(scheduled[0].effective_from).toISOString()}; merge once it is in effect.`,
        { path: [which === survivor ? 'survivor' : 'merged'] },
      );
    }
    return [survivor, merged];
  }

  private async proposeIn(em: Em, ctx: CallContext, input: MergeInput): Promise<ChangeRequest> {
    const [survivor, merged] = await this.pair(em, input.survivorId, input.mergedId);
    authorize(ctx.ability, ctx.actor, 'merge', 'GoldenRecord', { domain: survivor.domain });
    const s = await sideOf(em, survivor);
    const m = await sideOf(em, merged);
    for (const [given, head, path] of [
      [input.survivorRevision, survivor, 'survivorRevision'],
      [input.mergedRevision, merged, 'mergedRevision'],
    ] as const) {
      if (given !== undefined && given !== head.latestRevision) {
        throw new CanonError(
          'VERSION_CONFLICT',
          `${head.domain} ${head.key} is at revision ${head.latestRevision}, not ${given}; look again before merging.`,
          { path: [path] },
        );
      }
    }
    const validator = await this.deps.contracts.validatorFor(
      em,
      survivor.domain,
      majorOf(s.revision.contractVersion),
    );
    const rules = rulesFor(survivor.domain, validator.schema);
    const ruleRows: Map<string, SurvivorshipRule> = await this.deps.survivorship.rulesOf(em, survivor.domain);
    const result = survive({
      survivor: s.side,
      merged: m.side,
      choices: input.fieldChoices ?? [],
      keyFields: rules.keyFields,
      rules: ruleRows,
      owners: await this.ownersOf(em, survivor.domain, survivor.site ?? null),
    });
    const warnings = await this.deps.validation.validate(
      em,
      rules,
      validator,
      'UPDATE',
      result.data,
      s.side.data,
      survivor,
      merged.id,
    );
    const cr = newChangeRequest(em, ctx, {
      domain: survivor.domain,
      record: survivor,
      operation: 'MERGE',
      input: {
        data: result.data,
        baseRevision: survivor.latestRevision,
        idempotencyKey: input.idempotencyKey,
      },
      proposed: result.data,
      previous: s.side.data,
      requiredApprovals: await this.deps.policies.requiredApprovals(em, survivor.domain),
      validator,
      reason: input.reason ?? null,
      effectiveFrom: null,
    });
    cr.warnings = warnings;
    // locks an apply needs come before the audit append (record-writer lockForApply)
    const appliesNow = cr.requiredApprovals === 0;
    cr.merge = {
      survivorId: survivor.id,
      mergedId: merged.id,
      mergedKey: merged.key,
      mergedBaseRevision: merged.latestRevision,
      fields: result.fields,
    };
    await em.flush();
    if (appliesNow) await this.deps.writer.lockForApply(em, cr);
    await this.deps.audit.record(em, ctx, {
      action: 'CHANGE_PROPOSED',
      subjectType: 'ChangeRequest',
      subjectId: cr.id,
      after: {
        domain: cr.domain,
        recordId: survivor.id,
        operation: 'MERGE',
        mergedId: merged.id,
        baseRevision: cr.baseRevision ?? null,
        mergedBaseRevision: merged.latestRevision,
        diff: cr.diff,
      },
    });
    if (appliesNow) await this.deps.writer.apply(em, ctx, cr);
    else await announceChangeRequest(this.deps.outbox, em, ctx, cr);
    return cr;
  }
}
