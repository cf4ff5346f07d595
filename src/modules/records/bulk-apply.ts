/**
 * Applying many payloads of one domain at once (bulk imports in apply mode), governed like single
 * writes: each row is matched to the live record with its business key, merged over it (fields the
 * row does not carry are kept), left alone when nothing changes, validated against the published
 * contract and the domain's rules — seeing the rows accepted before it in the same batch — and the
 * accepted ones written set-based (bulk-writes.ts) in the caller's transaction. A batch with a refused
 * row writes nothing unless the caller skips invalid rows.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { NotSystemOfRecordError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService, ContractValidator } from '../contracts/contracts.service.ts';
import type { EventOrigin, OutboxService } from '../events/outbox.service.ts';
import type { ApprovalPolicies } from './approval-policies.ts';
import { recordRowsSql } from './as-of.ts';
import { pendingProposalsOf, proposeBulk } from './bulk-proposals.ts';
import { overlayContext, valueAt } from './bulk-rule-context.ts';
import { type BulkWrite, writeBulk } from './bulk-writes.ts';
import type { Data, DomainRules, Finding } from './domain-rules.ts';
import { recordsByOldKeys } from './keys/key-aliases.ts';
import { connectorApprovals } from './ownership-check.ts';
import type { RecordValidation } from './record-validation.ts';
import { warnedRules } from './rule-severities.ts';
import { rulesFor } from './rules-registry.ts';
import { lockStructure } from './structure-lock.ts';

export interface BulkRow {
  /** The caller's reference of the row (its line in a file). */
  ref: number;
  data: Data;
}

export type BulkOutcome =
  | {
      ref: number;
      status: 'CREATED' | 'UPDATED' | 'UNCHANGED';
      recordId: string;
      key: string;
      revision: number;
      /** Findings of rules the domain set to WARNING: the row went in with them. */
      warnings?: Finding[];
    }
  | { ref: number; status: 'REFUSED'; key: string | null; findings: Finding[] }
  /** Valid, but not written: another row of its batch was refused and invalid rows are not skipped. */
  | { ref: number; status: 'NOT_APPLIED'; key: string | null }
  /** Propose mode: a change request made for the row (applied at once when no approval is needed). */
  | {
      ref: number;
      status: 'PROPOSED';
      key: string;
      changeRequestId: string;
      /** The live record it changes; for a new record, set once applied. */
      recordId: string | null;
      applied: boolean;
      warnings?: Finding[];
    }
  /** Propose mode: a pending proposal of this key already asks for exactly this payload. */
  | {
      ref: number;
      status: 'ALREADY_PROPOSED';
      key: string;
      changeRequestId: string;
      recordId: string | null;
    };

export interface BulkInput {
  domain: string;
  rows: readonly BulkRow[];
  skipInvalid: boolean;
  importJobId: string;
  origin: EventOrigin;
  reason: string;
}

/** A row that passed every check: what it writes, and what it was matched to. */
export interface AcceptedRow extends BulkWrite {
  ref: number;
  key: string;
  baseRevision: number | null;
  previous: Data | null;
}

export interface Existing {
  record_id: string;
  key: string;
  key_scope: string;
  revision: number;
  data: Data;
}

export class BulkApply {
  private readonly deps: {
    audit: AuditService;
    outbox: OutboxService;
    contracts: ContractsService;
    validation: RecordValidation;
    policies: ApprovalPolicies;
  };

  constructor(deps: BulkApply['deps']) {
    this.deps = deps;
  }

  async apply(em: Em, ctx: CallContext, input: BulkInput): Promise<BulkOutcome[]> {
    // applying without a change request is an administrator's act
    authorize(ctx.ability, ctx.actor, 'manage', 'GoldenRecord');
    const evaluated = await this.evaluate(em, input);
    if (evaluated.refused && !input.skipInvalid) return notApplied(evaluated.outcomes);
    const written = await writeBulk(em, ctx, this.deps, {
      domain: input.domain,
      validator: evaluated.validator,
      writes: evaluated.accepted,
      importJobId: input.importJobId,
      origin: input.origin,
      reason: input.reason,
    });
    const byRef = new Map(evaluated.accepted.map((w, i) => [w.ref, written[i]]));
    return evaluated.outcomes.map((o) => {
      const w = byRef.get(o.ref);
      return w && (o.status === 'CREATED' || o.status === 'UPDATED')
        ? { ...o, recordId: w.recordId, revision: w.revision }
        : o;
    });
  }

  /**
   * The rows as proposals for stewards (imports in propose mode): one bulk change request with a
   * change request per accepted row (bulk-proposals.ts). A row identical to a pending proposal of its
   * key proposes nothing again; a connector proposes only what its system owns.
   */
  async propose(
    em: Em,
    ctx: CallContext,
    input: BulkInput & { batchNumber: number },
  ): Promise<BulkOutcome[]> {
    const connector = ctx.actor?.role === 'connector';
    if (!connector) authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord', { domain: input.domain });
    const keyOf = await this.keyOfFor(em, input.domain);
    const pending = await pendingProposalsOf(
      em,
      input.domain,
      input.rows.map((r) => keyOf(r.data)),
    );
    const policy = connector ? 0 : await this.deps.policies.requiredApprovals(em, input.domain);
    const approvals = new Map<number, number>();
    const evaluated = await this.evaluate(em, input, (row, key, data, current, rules) => {
      const same = pending.get(key)?.find((p) => isDeepStrictEqual(p.proposed, data));
      if (same)
        return {
          ref: row.ref,
          status: 'ALREADY_PROPOSED',
          key,
          changeRequestId: same.id,
          recordId: current?.record_id ?? null,
        };
      if (!connector) {
        approvals.set(row.ref, policy);
        return null;
      }
      try {
        approvals.set(
          row.ref,
          connectorApprovals(ctx, rules, current ? 'UPDATE' : 'CREATE', data, current?.data ?? null),
        );
        return null;
      } catch (error) {
        if (!(error instanceof NotSystemOfRecordError)) throw error;
        return [{ code: error.code, path: error.refusedFields[0] ?? '', message: error.message }];
      }
    });
    if (evaluated.refused && !input.skipInvalid) return notApplied(evaluated.outcomes);
    return proposeBulk(em, ctx, this.deps, {
      ...input,
      validator: evaluated.validator,
      outcomes: evaluated.outcomes,
      accepted: evaluated.accepted.map((a) => ({ ...a, requiredApprovals: approvals.get(a.ref) ?? policy })),
    });
  }

  private keyOfFor(em: Em, domain: string): Promise<(d: Data) => string> {
    return this.deps.contracts.validatorFor(em, domain).then((v) => {
      const rules = rulesFor(domain, v.schema);
      return (d: Data) => keyOfRow(rules, d);
    });
  }

  /**
   * Each row matched by key, merged over its live record, compared, screened and validated against
   * the rows accepted before it; answers the outcomes (accepted rows as CREATED/UPDATED, not yet
   * written) and the accepted writes in row order.
   */
  async evaluate(
    em: Em,
    input: BulkInput,
    screen?: (
      row: BulkRow,
      key: string,
      data: Data,
      current: Existing | undefined,
      rules: DomainRules,
    ) => BulkOutcome | Finding[] | null,
  ): Promise<{
    validator: ContractValidator;
    outcomes: BulkOutcome[];
    accepted: AcceptedRow[];
    refused: boolean;
  }> {
    const validator = await this.deps.contracts.validatorFor(em, input.domain);
    const rules = rulesFor(input.domain, validator.schema);
    await lockStructure(em, rules);
    const scopeOf = (d: Data) => (rules.siteScoped ? (rules.siteOf(d) ?? '') : '');
    const keyOf = (d: Data) => keyOfRow(rules, d);
    const existing = await this.lockExisting(
      em,
      input.domain,
      input.rows.map((r) => keyOf(r.data)),
    );
    const batchKeys = new Set(input.rows.map((r) => keyOf(r.data)).filter(Boolean));
    const aliases = await recordsByOldKeys(em, input.domain, [...batchKeys]);
    const ctxRules = overlayContext(this.deps.validation, em, input.domain, existing, aliases, batchKeys);
    const warned = await warnedRules(em, input.domain);
    const outcomes: BulkOutcome[] = [];
    const accepted: AcceptedRow[] = [];
    const seen = new Set<string>();
    for (const row of input.rows) {
      const key = keyOf(row.data);
      const scope = scopeOf(row.data);
      const current = existing.get(`${key}\u0000${scope}`);
      const data = current ? { ...current.data, ...row.data } : row.data;
      if (seen.has(`${key}\u0000${scope}`)) {
        outcomes.push(
          refusal(row.ref, key, [
            { code: 'DUPLICATE_KEY', path: '', message: `An earlier row of this batch has the key ${key}.` },
          ]),
        );
        continue;
      }
      if (key !== '') seen.add(`${key}\u0000${scope}`);
      if (current && isDeepStrictEqual(data, current.data)) {
        outcomes.push({
          ref: row.ref,
          status: 'UNCHANGED',
          recordId: current.record_id,
          key,
          revision: current.revision,
        });
        continue;
      }
      const screened = screen?.(row, key, data, current, rules) ?? null;
      if (screened && !Array.isArray(screened)) {
        outcomes.push(screened);
        continue;
      }
      const result = await this.deps.validation.findings(
        em,
        ctxRules.context,
        rules,
        validator,
        data,
        current?.data ?? null,
        current?.record_id ?? null,
        warned,
      );
      const findings = [
        ...(screened ?? []),
        ...(result.contract ? contractFindings(result.findings) : result.findings),
      ];
      if (findings.length > 0) {
        outcomes.push(refusal(row.ref, key, findings));
        continue;
      }
      ctxRules.accept(input.domain, key, scope, current?.record_id ?? `pending:${row.ref}`, data);
      accepted.push({
        ref: row.ref,
        key,
        recordId: current?.record_id ?? null,
        baseRevision: current?.revision ?? null,
        previous: current?.data ?? null,
        data,
        source: `row ${row.ref}`,
        findings: result.warnings,
      });
      outcomes.push({
        ref: row.ref,
        status: current ? 'UPDATED' : 'CREATED',
        recordId: '',
        key,
        revision: 0,
        warnings: result.warnings,
      });
    }
    return { validator, outcomes, accepted, refused: outcomes.some((o) => o.status === 'REFUSED') };
  }

  /** The live records with the batch's keys, locked for the batch's transaction, by key and scope. */
  private async lockExisting(em: Em, domain: string, keys: string[]): Promise<Map<string, Existing>> {
    const wanted = [...new Set(keys.filter((k) => k !== ''))];
    if (wanted.length === 0) return new Map();
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    await conn.execute(
      `select id from golden_record where domain = ? and key = any(?::text[]) and status = 'ACTIVE' order by id for update`,
      [domain, toPgArray(wanted)],
      'all',
      tx,
    );
    const q = recordRowsSql(new Date(), (_r, k) => ({
      sql: `${k}.domain = ? and ${k}.key = any(?::text[])
            and exists (select 1 from golden_record g where g.id = ${k}.record_id and g.status = 'ACTIVE')`,
      params: [domain, toPgArray(wanted)],
    }));
    const rows = await conn.execute<Existing[]>(q.sql, q.params, 'all', tx);
    return new Map(
      rows
        .filter((r) => r.data !== null)
        .map((r) => [
          `${r.key}\u0000${r.key_scope}`,
          { ...r, data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Data },
        ]),
    );
  }
}

/** A row without its key fields has no key (the contract check then says which field is missing). */
function keyOfRow(rules: DomainRules, d: Data): string {
  return rules.keyFields.every((p) => valueAt(d, p) !== undefined && valueAt(d, p) !== null)
    ? rules.keyOf(d)
    : '';
}

function refusal(ref: number, key: string, findings: Finding[]): BulkOutcome {
  return { ref, status: 'REFUSED', key: key === '' ? null : key, findings };
}

/** Contract violations as import findings: a missing property reported at its own pointer. */
function contractFindings(findings: Finding[]): Finding[] {
  return findings.map((f) => ({
    ...f,
    path: (f.code as string) === 'required' ? `${f.path}/${/'([^']+)'/.exec(f.message)?.[1] ?? ''}` : f.path,
    code: 'CONTRACT_VALIDATION_FAILED',
    message: `${f.message} (${f.code})`,
  }));
}

/** A batch with a refused row writes nothing: its valid rows are reported as not applied. */
function notApplied(outcomes: BulkOutcome[]): BulkOutcome[] {
  return outcomes.map((o) =>
    o.status === 'CREATED' || o.status === 'UPDATED' ? { ref: o.ref, status: 'NOT_APPLIED', key: o.key } : o,
  );
}
