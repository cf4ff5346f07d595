/**
 * Proposals: a new record or a change, validated, checked against the system of record for
 * connectors, stored PENDING for stewards or applied at once; and seeding reference data.
 */

import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound, StaleBaseError } from '../../errors.ts';
import { withSpan } from '../../telemetry/tracing.ts';
import { assertTextLength } from '../../text-limits.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService, ContractValidator } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { idempotentTransaction } from '../idempotency/idempotency.service.ts';
import type { ApprovalPolicies } from './approval-policies.ts';
import { type ChangeOperation, ChangeRequest, type DuplicateSuggestion } from './change-request.entity.ts';
import { announceChangeRequest } from './change-request-events.ts';
import { changeRequestReplay } from './decisions.ts';
import type { Data } from './domain-rules.ts';
import { fieldDiff } from './field-diff.ts';
import { GoldenRecord } from './golden-record.entity.ts';
import type { KeySequences } from './keys/key-sequences.ts';
import { applyMergePatch } from './merge-patch.ts';
import { connectorApprovals } from './ownership-check.ts';
import { RecordRevision } from './record-revision.entity.ts';
import type { RecordValidation } from './record-validation.ts';
import type { RecordWriter } from './record-writer.ts';
import type { ProposeInput } from './records.types.ts';
import { rulesFor } from './rules-registry.ts';

/**
 * Live records a payload may duplicate (the matching module's rules), best first; `recordId` is the
 * proposal's own record (never its own duplicate).
 */
export type DuplicateFinder = (
  em: Em,
  domain: string,
  data: Data,
  recordId: string | null,
) => Promise<DuplicateSuggestion[]>;

export class Proposals {
  private findDuplicates: DuplicateFinder | null = null;

  findDuplicatesWith(finder: DuplicateFinder): void {
    this.findDuplicates = finder;
  }

  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly contracts: ContractsService;
  private readonly policies: ApprovalPolicies;
  private readonly validation: RecordValidation;
  private readonly writer: RecordWriter;
  private readonly outbox: OutboxService;
  private readonly keySequences: KeySequences;

  constructor(deps: {
    orm: Orm;
    audit: AuditService;
    contracts: ContractsService;
    policies: ApprovalPolicies;
    validation: RecordValidation;
    writer: RecordWriter;
    outbox: OutboxService;
    keySequences: KeySequences;
  }) {
    this.keySequences = deps.keySequences;
    this.orm = deps.orm;
    this.audit = deps.audit;
    this.contracts = deps.contracts;
    this.policies = deps.policies;
    this.validation = deps.validation;
    this.writer = deps.writer;
    this.outbox = deps.outbox;
  }

  async propose(ctx: CallContext, input: ProposeInput): Promise<ChangeRequest> {
    // a connector's rights depend on the record's site and the fields changed: checked in proposeIn
    if (ctx.actor?.role !== 'connector')
      authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord', { domain: input.domain });
    const operation: ChangeOperation = input.operation ?? (input.recordId ? 'UPDATE' : 'CREATE');
    checkProposalShape(input, operation);
    return withSpan('records.propose', { 'canon.domain': input.domain, 'canon.operation': operation }, () =>
      idempotentTransaction(
        this.orm,
        ctx,
        input.idempotencyKey,
        'proposeChange',
        { ...input, idempotencyKey: undefined },
        changeRequestReplay,
        (em) => this.proposeIn(em, ctx, input, operation),
      ),
    );
  }

  private async proposeIn(
    em: Em,
    ctx: CallContext,
    input: ProposeInput,
    operation: ChangeOperation,
  ): Promise<ChangeRequest> {
    const validator = await this.contracts.validatorFor(em, input.domain, input.contractMajor);
    const rules = rulesFor(input.domain, validator.schema);
    let record: GoldenRecord | null = null;
    let latest: RecordRevision | null = null;
    if (input.recordId) {
      record = isUuid(input.recordId)
        ? await em.findOne(GoldenRecord, { id: input.recordId, domain: input.domain })
        : null;
      if (!record) throw notFound(`The ${input.domain} record`, ['recordId']);
      // one writer of a record at a time (applying takes the same lock): the base check below is exact
      await em
        .getConnection()
        .execute(
          'select id from golden_record where id = ? for update',
          [record.id],
          'all',
          em.getTransactionContext(),
        );
      await em.refresh(record);
      latest = await em.findOneOrFail(RecordRevision, { record, revision: record.latestRevision });
      if (input.baseRevision !== undefined && input.baseRevision !== latest.revision) {
        // refused outright, nothing stored: the proposer rebases on the current revision
        throw new StaleBaseError(
          `The record is at revision ${latest.revision}, not ${input.baseRevision}; propose against the current revision.`,
          latest.revision,
        );
      }
    }
    const previous = latest?.data ?? null;
    let proposed: Data;
    if (operation === 'CREATE' && input.assignKey)
      proposed = await this.keySequences.assign(em, rules, input.data!);
    else if (operation === 'CREATE' || (operation === 'UPDATE' && input.data)) proposed = input.data!;
    else if (operation === 'UPDATE') proposed = applyMergePatch(previous, input.patch) as Data;
    else proposed = previous!;

    if (operation === 'RETIRE' && record!.status !== 'ACTIVE')
      throw new CanonError(
        'INVALID_STATE',
        `The record is ${record!.status}; only an active record can be retired.`,
      );
    if (operation === 'RESTORE' && record!.status !== 'RETIRED')
      throw new CanonError(
        'INVALID_STATE',
        `The record is ${record!.status}; only a retired record can be restored.`,
      );
    if (operation === 'UPDATE' && record!.status !== 'ACTIVE')
      throw new CanonError(
        'INVALID_STATE',
        `The record is ${record!.status}; restore it before changing it.`,
      );

    const connector = ctx.actor?.role === 'connector';
    const approvalsNeeded = connector
      ? connectorApprovals(ctx, rules, operation, proposed, previous)
      : await this.policies.requiredApprovals(em, input.domain);
    const warnings = await withSpan(
      'records.validate',
      { 'canon.domain': input.domain, 'canon.operation': operation },
      () => this.validation.validate(em, rules, validator, operation, proposed, previous, record),
    );
    // a rekey applied now locks its followers before the audit append (record-writer lockForApply)
    if (record && approvalsNeeded === 0 && rules.keyOf(proposed) !== record.key)
      await this.writer.lockFollowers(em, record.id);

    const cr = newChangeRequest(em, ctx, {
      domain: input.domain,
      record,
      operation,
      input,
      proposed,
      previous,
      requiredApprovals: approvalsNeeded,
      validator,
      reason: input.reason ?? null,
      effectiveFrom: input.effectiveFrom ?? null,
    });
    cr.warnings = warnings;
    if (this.findDuplicates && (operation === 'CREATE' || operation === 'UPDATE')) {
      const found = await withSpan('records.match', { 'canon.domain': input.domain }, () =>
        this.findDuplicates!(em, input.domain, proposed, record?.id ?? null),
      );
      cr.duplicates = found.length > 0 ? found : null;
    }
    await em.flush();
    await this.audit.record(em, ctx, {
      action: 'CHANGE_PROPOSED',
      subjectType: 'ChangeRequest',
      subjectId: cr.id,
      after: {
        domain: cr.domain,
        recordId: cr.recordId ?? null,
        operation,
        baseRevision: cr.baseRevision ?? null,
        diff: cr.diff,
      },
    });
    if (cr.requiredApprovals === 0)
      await withSpan('records.apply', { 'canon.domain': input.domain }, () => this.writer.apply(em, ctx, cr));
    else await announceChangeRequest(this.outbox, em, ctx, cr);
    return cr;
  }

  /**
   * Loads reference records (the standard units) as applied revisions by the system, skipping keys
   * that exist in any state; idempotent, audited like any change.
   */
  async seed(ctx: CallContext, domain: string, payloads: Data[]): Promise<number> {
    const rules = rulesFor(domain);
    let created = 0;
    await this.orm.em.fork().transactional(async (em) => {
      for (const data of payloads) {
        const exists = await em.count(GoldenRecord, { domain, key: rules.keyOf(data) });
        if (exists > 0) continue;
        const validator = await this.contracts.validatorFor(em, domain);
        await this.validation.validate(em, rules, validator, 'CREATE', data, null, null);
        const cr = newChangeRequest(em, ctx, {
          domain,
          record: null,
          operation: 'CREATE',
          input: { data },
          proposed: data,
          previous: null,
          requiredApprovals: 0,
          validator,
          reason: 'standard reference data',
          effectiveFrom: new Date(0),
        });
        await em.flush();
        await this.writer.apply(em, ctx, cr);
        created++;
      }
    });
    return created;
  }
}

/** A new PENDING change request (not flushed). */
export function newChangeRequest(
  em: Em,
  ctx: CallContext,
  p: {
    domain: string;
    record: GoldenRecord | null;
    operation: ChangeOperation;
    input: { data?: Data; patch?: Data; baseRevision?: number; idempotencyKey?: string };
    proposed: Data;
    previous: Data | null;
    requiredApprovals: number;
    validator: ContractValidator;
    reason: string | null;
    effectiveFrom: Date | null;
  },
): ChangeRequest {
  return em.create(ChangeRequest, {
    domain: p.domain,
    recordId: p.record?.id ?? null,
    operation: p.operation,
    mode: p.input.patch ? 'PATCH' : 'FULL',
    input: p.input.patch ?? p.input.data ?? null,
    proposed: p.proposed,
    diff: fieldDiff(p.previous ?? {}, p.proposed),
    // without a base revision a merge patch applies to whatever revision is newest when it is applied
    baseRevision: p.input.baseRevision ?? null,
    status: 'PENDING',
    proposedBy: ctx.actor?.id ?? null,
    proposedByName: ctx.actor?.name ?? null,
    systemCode: ctx.actor?.systemCode ?? null,
    idempotencyKey: p.input.idempotencyKey ?? null,
    requiredApprovals: p.requiredApprovals,
    approvals: [],
    reason: p.reason,
    effectiveFrom: p.effectiveFrom,
    contractVersion: p.validator.version,
    warnings: [],
    conflict: null,
    recordKey: rulesFor(p.domain, p.validator.schema).keyOf(p.proposed).slice(0, 300),
  });
}

function checkProposalShape(input: ProposeInput, operation: ChangeOperation): void {
  const has = (v: unknown) => v !== undefined && v !== null;
  if (input.assignKey && operation !== 'CREATE')
    throw new CanonError('BAD_USER_INPUT', 'Canon assigns keys to new records only.', {
      path: ['assignKey'],
    });
  if (operation === 'CREATE') {
    if (input.recordId)
      throw new CanonError('BAD_USER_INPUT', 'A CREATE names no recordId.', { path: ['recordId'] });
    if (!has(input.data) || has(input.patch))
      throw new CanonError('BAD_USER_INPUT', 'A new record needs the full payload in data (no patch).', {
        path: ['data'],
      });
  } else {
    if (!input.recordId)
      throw new CanonError('BAD_USER_INPUT', `${operation} needs the recordId.`, { path: ['recordId'] });
    if (operation === 'UPDATE') {
      if (has(input.data) === has(input.patch))
        throw new CanonError(
          'BAD_USER_INPUT',
          'An update gives either the full payload (data) or a merge patch (patch).',
          { path: ['data'] },
        );
      if (has(input.data) && input.baseRevision === undefined) {
        throw new CanonError(
          'BAD_USER_INPUT',
          'A full replace must name the baseRevision it was made from, so a concurrent change is not overwritten.',
          { path: ['baseRevision'] },
        );
      }
      if (has(input.patch) && (typeof input.patch !== 'object' || Array.isArray(input.patch))) {
        throw new CanonError('BAD_USER_INPUT', 'A merge patch is a JSON object.', { path: ['patch'] });
      }
    } else if (has(input.data) || has(input.patch)) {
      throw new CanonError('BAD_USER_INPUT', `${operation} carries no payload.`, { path: ['data'] });
    }
  }
  if (
    input.data !== undefined &&
    (typeof input.data !== 'object' || input.data === null || Array.isArray(input.data))
  ) {
    throw new CanonError('BAD_USER_INPUT', 'The payload is a JSON object.', { path: ['data'] });
  }
  assertTextLength(input.reason, 'reason', ['reason']);
  if (input.baseRevision !== undefined && !(Number.isInteger(input.baseRevision) && input.baseRevision >= 1))
    throw new CanonError('BAD_USER_INPUT', 'baseRevision is a revision number: 1, 2, …', {
      path: ['baseRevision'],
    });
  if (input.effectiveFrom && Number.isNaN(input.effectiveFrom.getTime()))
    throw new CanonError('BAD_USER_INPUT', 'effectiveFrom is not a valid time.', { path: ['effectiveFrom'] });
}
