/**
 * Golden records and their stewardship (DESIGN §3, §5): every write is a proposal, validated against
 * the domain's published contract and the domain's rules, applied at once or after the approvals the
 * domain's policy asks for, as a new append-only revision — with the audit and outbox events, the
 * reference links and the record's lock version, all in one transaction. Reads pick the revision
 * effective at any moment.
 */

import { subject as casl } from '@casl/ability';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import {
  CanonError,
  NotSystemOfRecordError,
  notFound,
  StaleBaseError,
  ValidationError,
} from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize, can } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService, ContractValidator } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { type IdempotencyService, idempotentTransaction } from '../idempotency/idempotency.service.ts';
import { ApprovalPolicy } from './approval-policy.entity.ts';
import {
  type Approval,
  type ChangeOperation,
  ChangeRequest,
  type ChangeStatus,
} from './change-request.entity.ts';
import type { Data, DomainRules, Finding, LiveRecord, RuleContext } from './domain-rules.ts';
import { type FieldChange, fieldDiff } from './field-diff.ts';
import { GoldenRecord } from './golden-record.entity.ts';
import { applyMergePatch } from './merge-patch.ts';
import { RecordRevision } from './record-revision.entity.ts';
import { rulesFor } from './rules-registry.ts';
import type { RoundingMethod } from './uom/rational.ts';
import { type Conversion, convertQuantity, type UnitFacts } from './uom/uom-conversion.ts';

/** Approvals a proposal needs when no policy was set for its domain: four eyes. */
export const DEFAULT_REQUIRED_APPROVALS = 1;

export interface ProposeInput {
  domain: string;
  /** Absent: create a record. */
  recordId?: string;
  operation?: ChangeOperation;
  /** The full payload (create, replace). */
  data?: Data;
  /** An RFC 7396 merge patch against the base revision (update). */
  patch?: Data;
  /** The revision the proposer saw; a stale one ends in CONFLICT. Required for a full replace. */
  baseRevision?: number;
  effectiveFrom?: Date;
  reason?: string;
  /** Validate against this major line of the contract instead of the newest. */
  contractMajor?: number;
  idempotencyKey?: string;
}

/** A record's value at one moment. */
export interface RecordView {
  id: string;
  domain: string;
  key: string;
  /** What the key is unique within: the site for site-scoped domains, '' otherwise. */
  keyScope: string;
  site: string | null;
  status: string;
  revision: number;
  latestRevision: number;
  data: Data;
  effectiveFrom: Date;
  contractVersion: string;
  lockVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface HistoryEntry {
  revision: number;
  operation: string;
  status: string;
  data: Data;
  effectiveFrom: Date;
  contractVersion: string;
  changeRequestId: string | null;
  createdBy: string | null;
  createdByName: string | null;
  reason: string | null;
  createdAt: Date;
  changes: FieldChange[];
}

export interface ListFilter {
  domain: string;
  asOf?: Date;
  status?: string;
  site?: string;
  keyPrefix?: string;
  search?: string;
  /** jsonb containment on the payload, e.g. { tracking: 'lot' }. */
  dataContains?: Data;
}

/** A forward page: up to `limit` rows after the keyset cursor values (one more row says there is more). */
export interface PageRequest<C> {
  limit: number;
  after?: C;
}

export interface ChangeRequestFilter {
  status?: ChangeStatus;
  domain?: string;
  proposedBy?: string;
  systemCode?: string;
  recordId?: string;
}

type CurrentRow = {
  record_id: string;
  revision: number;
  data: Data;
  status: string;
  effective_from: Date;
  contract_version: string;
};

export class RecordsService {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly outbox: OutboxService;
  private readonly contracts: ContractsService;
  private readonly idempotency: IdempotencyService;

  constructor(
    orm: Orm,
    audit: AuditService,
    outbox: OutboxService,
    contracts: ContractsService,
    idempotency: IdempotencyService,
  ) {
    this.orm = orm;
    this.audit = audit;
    this.outbox = outbox;
    this.contracts = contracts;
    this.idempotency = idempotency;
  }

  // ------------------------------------------------------------------ reads

  /** Records as of a moment (default now): the revision effective then, joined to the record. */
  private async currentRows(em: Em, recordIds: string[], asOf: Date): Promise<Map<string, CurrentRow>> {
    if (recordIds.length === 0) return new Map();
    const rows = await em.getConnection().execute<CurrentRow[]>(
      `select distinct on (rv.record_id) rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version
         from record_revision rv
        where rv.record_id in (${recordIds.map(() => '?').join(',')}) and rv.effective_from <= ?
        order by rv.record_id, rv.effective_from desc, rv.revision desc`,
      [...recordIds, asOf],
      'all',
      em.getTransactionContext(),
    );
    return new Map(rows.map((r) => [r.record_id, r]));
  }

  private view(record: GoldenRecord, row: CurrentRow): RecordView {
    return {
      id: record.id,
      domain: record.domain,
      key: record.key,
      site: record.site ?? null,
      status: row.status,
      revision: row.revision,
      latestRevision: record.latestRevision,
      keyScope: record.keyScope,
      data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
      effectiveFrom: new Date(row.effective_from),
      contractVersion: row.contract_version,
      lockVersion: record.lockVersion,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  /** Several records by id as of a moment, in input order (null for unknown ones, or not yet effective). */
  async recordsByIds(ctx: CallContext, ids: readonly string[], asOf?: Date): Promise<(RecordView | null)[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const em = this.orm.em.fork();
    const valid = [...new Set(ids.filter((id) => isUuid(id)))];
    const records = valid.length > 0 ? await em.find(GoldenRecord, { id: { $in: valid } }) : [];
    const current = await this.currentRows(em, valid, asOf ?? new Date());
    return ids.map((id) => {
      const record = records.find((r) => r.id === id);
      const row = current.get(id);
      return record && row ? this.view(record, row) : null;
    });
  }

  async record(ctx: CallContext, id: string, asOf?: Date): Promise<RecordView | null> {
    return (await this.recordsByIds(ctx, [id], asOf))[0];
  }

  /** Live records of a domain by business key (several keys in one query, for DataLoader), as of a moment. */
  async recordsByKeys(
    ctx: CallContext,
    domain: string,
    keys: readonly { key: string; scope?: string }[],
    asOf?: Date,
  ): Promise<(RecordView | null)[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const em = this.orm.em.fork();
    const records =
      keys.length > 0
        ? await em.find(GoldenRecord, { domain, key: { $in: [...new Set(keys.map((k) => k.key))] } })
        : [];
    const current = await this.currentRows(
      em,
      records.map((r) => r.id),
      asOf ?? new Date(),
    );
    return keys.map((k) => {
      const candidates = records.filter(
        (r) => r.key === k.key && (k.scope === undefined || r.keyScope === k.scope),
      );
      // the live one if any, otherwise the newest (a retired key may be reused)
      const record =
        candidates.find((r) => r.status === 'ACTIVE') ??
        candidates.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
      const row = record && current.get(record.id);
      return record && row ? this.view(record, row) : null;
    });
  }

  /** A page of a domain's records by key (keyset on key, key scope, id), as of a moment. */
  async list(
    ctx: CallContext,
    filter: ListFilter,
    page: PageRequest<[string, string, string]>,
  ): Promise<RecordView[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const em = this.orm.em.fork();
    const { sql, params } = listQuery(filter);
    const after = page.after ? 'where (g.key, g.key_scope, g.id) > (?, ?, ?::uuid)' : '';
    const rows = await em.getConnection().execute<CurrentRow[]>(
      `select cur.* from (${sql}) cur join golden_record g on g.id = cur.record_id ${after}
        order by g.key, g.key_scope, g.id limit ?`,
      [...params, ...(page.after ?? []), page.limit + 1],
    );
    return this.views(em, rows);
  }

  /** How many records a list filter matches (for totalCount; computed only when asked). */
  async count(ctx: CallContext, filter: ListFilter): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const { sql, params } = listQuery(filter);
    const rows = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(`select count(*)::text as n from (${sql}) cur`, params);
    return Number(rows[0].n);
  }

  private async views(em: Em, rows: CurrentRow[]): Promise<RecordView[]> {
    const records =
      rows.length > 0 ? await em.find(GoldenRecord, { id: { $in: rows.map((r) => r.record_id) } }) : [];
    const byId = new Map(records.map((r) => [r.id, r]));
    return rows.map((r) => this.view(byId.get(r.record_id)!, r));
  }

  /** Live children (payload `parent` = key, same key scope) of several records in one query, as of a moment. */
  async childrenOf(
    ctx: CallContext,
    domain: string,
    parents: readonly { key: string; scope: string }[],
    asOf?: Date,
  ): Promise<RecordView[][]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (parents.length === 0) return [];
    const em = this.orm.em.fork();
    const rows = await em.getConnection().execute<(CurrentRow & { key_scope: string })[]>(
      `with cur as (
          select distinct on (rv.record_id) rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version
            from record_revision rv join golden_record g0 on g0.id = rv.record_id
           where g0.domain = ? and rv.effective_from <= ?
           order by rv.record_id, rv.effective_from desc, rv.revision desc)
        select cur.*, g.key_scope from cur join golden_record g on g.id = cur.record_id
         where cur.status = 'ACTIVE' and cur.data->>'parent' in (${parents.map(() => '?').join(',')})
         order by g.key`,
      [domain, asOf ?? new Date(), ...new Set(parents.map((p) => p.key))],
    );
    const records =
      rows.length > 0 ? await em.find(GoldenRecord, { id: { $in: rows.map((r) => r.record_id) } }) : [];
    const byId = new Map(records.map((r) => [r.id, r]));
    return parents.map((p) =>
      rows
        .filter((r) => (r.data as Data).parent === p.key && r.key_scope === p.scope)
        .map((r) => this.view(byId.get(r.record_id)!, r)),
    );
  }

  /**
   * Revisions in order with who, when, why and the field-level changes against the one before; a
   * page of them after a revision number (null for an unknown record).
   */
  async history(
    ctx: CallContext,
    recordId: string,
    page: PageRequest<[number]> = { limit: 10_000 },
  ): Promise<HistoryEntry[] | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (!isUuid(recordId)) return null;
    const em = this.orm.em.fork();
    const after = page.after?.[0] ?? 0;
    // the revision before the page comes along: the first entry's changes are against it
    const revisions = await em.find(
      RecordRevision,
      { record: recordId, revision: { $gte: Math.max(after, 1) } },
      { orderBy: { revision: 'asc' }, limit: page.limit + 2 },
    );
    if (revisions.length === 0) {
      const exists = await em.count(GoldenRecord, { id: recordId });
      return exists > 0 ? [] : null;
    }
    const previous = after > 0 && revisions[0].revision === after ? revisions.shift() : undefined;
    return revisions.slice(0, page.limit + 1).map((r, i) => ({
      revision: r.revision,
      operation: r.operation,
      status: r.status,
      data: r.data,
      effectiveFrom: r.effectiveFrom,
      contractVersion: r.contractVersion,
      changeRequestId: r.changeRequestId ?? null,
      createdBy: r.createdBy ?? null,
      createdByName: r.createdByName ?? null,
      reason: r.reason ?? null,
      createdAt: r.createdAt,
      changes: fieldDiff((i === 0 ? previous : revisions[i - 1])?.data ?? {}, r.data),
    }));
  }

  async changeRequest(ctx: CallContext, id: string): Promise<ChangeRequest | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(ChangeRequest, { id });
  }

  /** Converts a quantity between two live units (by code) of one dimension, exactly (DESIGN §6). */
  async convertQuantity(
    ctx: CallContext,
    quantity: string,
    fromCode: string,
    toCode: string,
    rounding: RoundingMethod,
  ): Promise<Conversion> {
    const [from, to] = await this.recordsByKeys(ctx, 'uom', [{ key: fromCode }, { key: toCode }]);
    if (from?.status !== 'ACTIVE')
      throw new CanonError('NOT_FOUND', `No live unit ${fromCode}.`, { path: ['from'] });
    if (to?.status !== 'ACTIVE')
      throw new CanonError('NOT_FOUND', `No live unit ${toCode}.`, { path: ['to'] });
    return convertQuantity(
      quantity,
      from.data as unknown as UnitFacts,
      to.data as unknown as UnitFacts,
      rounding,
    );
  }

  /**
   * Full names of locations from the top ("EU1 / Stock / Shelf 2"; Odoo: complete_name), each as of
   * its moment: all of them walked up together, one query per level and moment, not per location.
   */
  async locationPaths(
    ctx: CallContext,
    locations: readonly { id: string; asOf?: string }[],
  ): Promise<string[]> {
    const names: string[][] = locations.map(() => []);
    let frontier: { i: number; parent: string | null; site: string; asOf?: string }[] = [];
    for (const [asOf, group] of groupByMoment(locations.map((l, i) => ({ ...l, i })))) {
      const views = await this.recordsByIds(
        ctx,
        group.map((l) => l.id),
        asOf ? new Date(asOf) : undefined,
      );
      group.forEach((l, j) => {
        const v = views[j];
        if (!v) return;
        names[l.i].push(String(v.data.name));
        const parent = v.data.parent;
        frontier.push({
          i: l.i,
          parent: typeof parent === 'string' ? parent : null,
          site: v.site ?? '',
          asOf,
        });
      });
    }
    for (let depth = 0; frontier.length > 0 && depth < 50; depth++) {
      const next: typeof frontier = [];
      for (const [asOf, group] of groupByMoment(frontier.filter((f) => f.parent))) {
        const parents = await this.recordsByKeys(
          ctx,
          'location',
          group.map((f) => ({ key: f.parent!, scope: f.site })),
          asOf ? new Date(asOf) : undefined,
        );
        group.forEach((f, j) => {
          const p = parents[j];
          if (!p) return;
          names[f.i].unshift(String(p.data.name));
          const parent = p.data.parent;
          next.push({ i: f.i, parent: typeof parent === 'string' ? parent : null, site: f.site, asOf });
        });
      }
      frontier = next;
    }
    return names.map((n) => n.join(' / '));
  }

  /** Change requests by id (for node lookups), unknown ids left out. */
  async changeRequestsByIds(ctx: CallContext, ids: readonly string[]): Promise<ChangeRequest[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    const valid = ids.filter((id) => isUuid(id));
    return valid.length > 0 ? this.orm.em.fork().find(ChangeRequest, { id: { $in: valid } }) : [];
  }

  /** The stewards' inbox, newest first (keyset on created_at, id). */
  async changeRequests(
    ctx: CallContext,
    filter: ChangeRequestFilter,
    page: PageRequest<[string, string]>,
  ): Promise<ChangeRequest[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    const where: Record<string, unknown>[] = [changeRequestWhere(filter)];
    if (page.after) {
      const [at, id] = page.after;
      where.push({
        $or: [{ createdAt: { $lt: new Date(at) } }, { createdAt: new Date(at), id: { $lt: id } }],
      });
    }
    return this.orm.em
      .fork()
      .find(
        ChangeRequest,
        { $and: where },
        { orderBy: { createdAt: 'desc', id: 'desc' }, limit: page.limit + 1 },
      );
  }

  async countChangeRequests(ctx: CallContext, filter: ChangeRequestFilter): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'ChangeRequest');
    return this.orm.em.fork().count(ChangeRequest, changeRequestWhere(filter));
  }

  /**
   * Who records are — domain, status, business key — for another module's checks inside its own
   * transaction (the xref module links only live records and keeps their key beside the link).
   */
  async identities(
    em: Em,
    ids: readonly string[],
  ): Promise<{ id: string; domain: string; status: string; key: string }[]> {
    if (ids.length === 0) return [];
    return em
      .getConnection()
      .execute<{ id: string; domain: string; status: string; key: string }[]>(
        `select id, domain, status, key from golden_record where id in (${ids.map(() => '?').join(',')})`,
        [...ids],
        'all',
        em.getTransactionContext(),
      );
  }

  async requiredApprovals(em: Em, domain: string): Promise<number> {
    const policy = await em.findOne(ApprovalPolicy, { domain });
    return policy?.requiredApprovals ?? DEFAULT_REQUIRED_APPROVALS;
  }

  async approvalPolicies(ctx: CallContext): Promise<ApprovalPolicy[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return this.orm.em.fork().find(ApprovalPolicy, {}, { orderBy: { domain: 'asc' } });
  }

  async setApprovalPolicy(
    ctx: CallContext,
    domain: string,
    requiredApprovals: number,
    idempotencyKey?: string | null,
  ): Promise<ApprovalPolicy> {
    authorize(ctx.ability, ctx.actor, 'manage', 'ApprovalPolicy');
    if (!Number.isInteger(requiredApprovals) || requiredApprovals < 0 || requiredApprovals > 5) {
      throw new CanonError('BAD_USER_INPUT', 'A domain needs 0 to 5 approvals.', {
        path: ['requiredApprovals'],
      });
    }
    const replay = (em: Em) => ({
      idOf: (p: ApprovalPolicy) => p.domain,
      replay: (d: string) => em.findOneOrFail(ApprovalPolicy, { domain: d }),
    });
    const input = { domain, requiredApprovals };
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'setApprovalPolicy',
      input,
      replay,
      async (em) => {
        await this.contracts.validatorFor(em, domain); // the domain must have a published contract
        let policy = await em.findOne(ApprovalPolicy, { domain });
        const before = policy?.requiredApprovals ?? DEFAULT_REQUIRED_APPROVALS;
        if (policy) policy.requiredApprovals = requiredApprovals;
        else
          policy = em.create(ApprovalPolicy, { domain, requiredApprovals, updatedBy: ctx.actor?.id ?? null });
        policy.updatedBy = ctx.actor?.id ?? null;
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'APPROVAL_POLICY_SET',
          subjectType: 'ApprovalPolicy',
          subjectId: domain,
          before: { requiredApprovals: before },
          after: { requiredApprovals },
        });
        return policy;
      },
    );
  }

  // ------------------------------------------------------------------ proposals

  async propose(ctx: CallContext, input: ProposeInput): Promise<ChangeRequest> {
    // a connector's rights depend on the record's site and the fields changed: checked in proposeIn
    if (ctx.actor?.role !== 'connector')
      authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord', { domain: input.domain });
    const operation: ChangeOperation = input.operation ?? (input.recordId ? 'UPDATE' : 'CREATE');
    checkProposalShape(input, operation);
    return this.orm.em.fork().transactional((em) =>
      this.idempotency.run(
        em,
        ctx.actor?.id,
        input.idempotencyKey,
        'proposeChange',
        { ...input, idempotencyKey: undefined },
        () => this.proposeIn(em, ctx, input, operation),
        (cr) => cr.id,
        async (id) => (await em.findOne(ChangeRequest, { id }))!,
      ),
    );
  }

  private async proposeIn(
    em: Em,
    ctx: CallContext,
    input: ProposeInput,
    operation: ChangeOperation,
  ): Promise<ChangeRequest> {
    const rules = rulesFor(input.domain);
    let record: GoldenRecord | null = null;
    let latest: RecordRevision | null = null;
    if (input.recordId) {
      record = isUuid(input.recordId)
        ? await em.findOne(GoldenRecord, { id: input.recordId, domain: input.domain })
        : null;
      if (!record) throw notFound(`The ${input.domain} record`, ['recordId']);
      latest = await em.findOneOrFail(RecordRevision, { record, revision: record.latestRevision });
    }
    const previous = latest?.data ?? null;
    let proposed: Data;
    if (operation === 'CREATE' || (operation === 'UPDATE' && input.data)) proposed = input.data!;
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
      ? this.checkOwnership(ctx, rules, operation, proposed, previous)
      : await this.requiredApprovals(em, input.domain);
    const validator = await this.contracts.validatorFor(em, input.domain, input.contractMajor);
    await this.validate(em, rules, validator, operation, proposed, previous, record);

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
      effectiveFrom: input.effectiveFrom ?? new Date(),
    });
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
    if (input.baseRevision !== undefined && latest && input.baseRevision !== latest.revision) {
      // refused outright, nothing stored: the proposer rebases on the current revision
      throw new StaleBaseError(
        `The record is at revision ${latest.revision}, not ${input.baseRevision}; propose against the current revision.`,
        latest.revision,
      );
    } else if (cr.requiredApprovals === 0) {
      await this.apply(em, ctx, cr);
    }
    return cr;
  }

  /**
   * A connector proposes only where its system is the system of record: the domain, the record's site
   * (before and after the change), and — under field-level rules — only the fields it owns. Returns the
   * approvals its rules ask for.
   */
  private checkOwnership(
    ctx: CallContext,
    rules: DomainRules,
    operation: ChangeOperation,
    proposed: Data,
    previous: Data | null,
  ): number {
    const system = ctx.actor?.systemCode ?? '?';
    const sites = [...new Set([rules.siteOf(proposed), ...(previous ? [rules.siteOf(previous)] : [])])];
    const subjects = sites.map((site) =>
      casl('GoldenRecord', { domain: rules.domain, site } as Record<string, unknown>),
    );
    for (const [i, subject] of subjects.entries()) {
      if (!ctx.ability.can('propose', subject)) {
        throw new NotSystemOfRecordError(
          'NOT_SYSTEM_OF_RECORD',
          `${system} is not the system of record of ${rules.domain}${sites[i] ? ` on site ${sites[i]}` : ''}.`,
          ownedFieldsOf(ctx, rules.domain),
          [],
          ['domain'],
        );
      }
    }
    // creating, retiring and restoring touch the whole record; updates only their changed fields
    const changed = operation === 'UPDATE' ? fieldDiff(previous ?? {}, proposed).map((c) => c.path) : ['/'];
    const notOwned = changed.filter((path) =>
      subjects.some((subject) => !ctx.ability.can('propose', subject, path)),
    );
    if (notOwned.length > 0) {
      throw new NotSystemOfRecordError(
        'FIELD_NOT_OWNED',
        `${system} may not change ${notOwned.join(', ')} of ${rules.domain}: another system owns ${notOwned.length > 1 ? 'them' : 'it'}.`,
        ownedFieldsOf(ctx, rules.domain),
        notOwned,
        ['data'],
      );
    }
    const matching = (ctx.ownership ?? []).filter(
      (r) => r.domain === rules.domain && (!r.site || sites.every((s) => s === r.site)),
    );
    return Math.max(0, ...matching.map((r) => r.requiredApprovals));
  }

  /** Contract (ajv) and domain rules; failures refuse the proposal with every finding. */
  private async validate(
    em: Em,
    rules: DomainRules,
    validator: ContractValidator,
    operation: ChangeOperation,
    data: Data,
    previous: Data | null,
    record: GoldenRecord | null,
  ): Promise<void> {
    const schemaErrors = validator.validate(data);
    if (schemaErrors.length > 0) {
      throw new ValidationError(
        'CONTRACT_VALIDATION_FAILED',
        `The ${rules.domain} payload does not satisfy the ${validator.version} contract.`,
        schemaErrors.map((e) => ({
          code: e.keyword ?? 'schema',
          path: e.path === '/' ? '' : e.path,
          severity: 'ERROR' as const,
          message: e.message,
        })),
      );
    }
    if (operation === 'RETIRE') {
      await this.assertNotReferenced(em, record!);
      return;
    }
    const ctx = this.ruleContext(em);
    const findings: Finding[] = [];
    for (const ref of rules.references(data)) {
      const target = await ctx.findLive(ref.domain, ref.key, ref.scope);
      if (!target) {
        findings.push({
          code: 'REFERENCE_NOT_FOUND',
          path: ref.field,
          message: `No live ${ref.domain} record has the key ${ref.key}${ref.scope ? ` on site ${ref.scope}` : ''}.`,
        });
      }
    }
    findings.push(...(await rules.check(ctx, data, previous, record?.id ?? null)));
    const key = rules.keyOf(data);
    const scope = rules.siteScoped ? (rules.siteOf(data) ?? '') : '';
    const taken = await ctx.findLive(rules.domain, key, scope);
    if (taken && taken.id !== record?.id) {
      findings.push({
        code: 'DUPLICATE_KEY',
        path: '',
        message: `A live ${rules.domain} record already has the key ${key}${scope ? ` on site ${scope}` : ''}.`,
      });
    }
    if (findings.length > 0) {
      throw new ValidationError(
        findings[0].code,
        findings.map((f) => f.message).join(' '),
        findings.map((f) => ({ ...f, severity: 'ERROR' as const })),
      );
    }
  }

  private async assertNotReferenced(em: Em, record: GoldenRecord): Promise<void> {
    const rows = await em.getConnection().execute<{ key: string; domain: string; field: string }[]>(
      `select g.key, g.domain, r.field from record_reference r join golden_record g on g.id = r.from_record
        where r.to_record = ? and g.status = 'ACTIVE' order by g.domain, g.key limit 20`,
      [record.id],
      'all',
      em.getTransactionContext(),
    );
    if (rows.length > 0) {
      throw new CanonError(
        'REFERENCED_BY_LIVE_RECORDS',
        `${record.domain} ${record.key} is still used by ${rows.length === 20 ? 'at least 20' : rows.length} live record(s).`,
        {
          details: rows.map((r) => ({ path: r.field, message: `${r.domain} ${r.key}` })),
        },
      );
    }
  }

  private ruleContext(em: Em): RuleContext {
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    const current = `select distinct on (rv.record_id) rv.data from record_revision rv where rv.record_id = g.id and rv.effective_from <= now()
                      order by rv.record_id, rv.effective_from desc, rv.revision desc`;
    const toLive = (r: { id: string; key: string; data: unknown }): LiveRecord => ({
      id: r.id,
      key: r.key,
      data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Data,
    });
    return {
      em,
      findLive: async (domain, key, scope) => {
        const rows = await conn.execute<{ id: string; key: string; data: unknown }[]>(
          `select g.id, g.key, (${current}) as data from golden_record g
            where g.domain = ? and g.key = ? and g.status = 'ACTIVE' ${scope === undefined ? '' : 'and g.key_scope = ?'} limit 1`,
          scope === undefined ? [domain, key] : [domain, key, scope],
          'all',
          tx,
        );
        return rows[0]?.data ? toLive(rows[0]) : null;
      },
      findLiveMatching: async (domain, match, excludeId) => {
        const rows = await conn.execute<{ id: string; key: string; data: unknown }[]>(
          `select * from (select g.id, g.key, (${current}) as data from golden_record g where g.domain = ? and g.status = 'ACTIVE' ${excludeId ? 'and g.id <> ?' : ''}) x
            where x.data @> ?::jsonb limit 20`,
          excludeId ? [domain, excludeId, JSON.stringify(match)] : [domain, JSON.stringify(match)],
          'all',
          tx,
        );
        return rows.map(toLive);
      },
    };
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
        await this.validate(em, rules, validator, 'CREATE', data, null, null);
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
        await this.apply(em, ctx, cr);
        created++;
      }
    });
    return created;
  }

  // ------------------------------------------------------------------ decisions

  async approve(
    ctx: CallContext,
    id: string,
    comment?: string,
    idempotencyKey?: string,
  ): Promise<ChangeRequest> {
    return this.decide(ctx, id, 'approve', idempotencyKey, { comment }, async (em, cr) => {
      if (cr.proposedBy && cr.proposedBy === ctx.actor?.id) {
        throw new CanonError(
          'SELF_APPROVAL',
          'A proposal cannot be approved by the one who proposed it (four eyes).',
        );
      }
      if (cr.approvals.some((a) => a.actorId === ctx.actor?.id)) return; // approving twice changes nothing
      const approval: Approval = {
        actorId: ctx.actor!.id,
        actorName: ctx.actor!.name,
        at: new Date().toISOString(),
        comment: comment ?? null,
      };
      cr.approvals = [...cr.approvals, approval];
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'CHANGE_APPROVED',
        subjectType: 'ChangeRequest',
        subjectId: cr.id,
        after: { approvals: cr.approvals.length, of: cr.requiredApprovals },
      });
      if (cr.approvals.length >= cr.requiredApprovals) await this.apply(em, ctx, cr);
    });
  }

  async reject(
    ctx: CallContext,
    id: string,
    reason: string,
    idempotencyKey?: string,
  ): Promise<ChangeRequest> {
    if (!reason?.trim())
      throw new CanonError('BAD_USER_INPUT', 'Say why the proposal is rejected.', { path: ['reason'] });
    return this.decide(ctx, id, 'reject', idempotencyKey, { reason }, async (em, cr) => {
      cr.status = 'REJECTED';
      cr.decisionReason = reason;
      cr.decidedBy = ctx.actor?.id ?? null;
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'CHANGE_REJECTED',
        subjectType: 'ChangeRequest',
        subjectId: cr.id,
        after: { reason },
      });
    });
  }

  async withdraw(ctx: CallContext, id: string, idempotencyKey?: string): Promise<ChangeRequest> {
    return this.decide(ctx, id, 'withdraw', idempotencyKey, {}, async (em, cr) => {
      if (cr.proposedBy !== ctx.actor?.id && !can(ctx.ability, 'manage', 'ChangeRequest')) {
        throw new CanonError('FORBIDDEN', 'Only the proposer (or an admin) can withdraw a proposal.');
      }
      cr.status = 'WITHDRAWN';
      cr.decidedBy = ctx.actor?.id ?? null;
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'CHANGE_WITHDRAWN',
        subjectType: 'ChangeRequest',
        subjectId: cr.id,
      });
    });
  }

  private async decide(
    ctx: CallContext,
    id: string,
    action: 'approve' | 'reject' | 'withdraw',
    idempotencyKey: string | undefined,
    input: Record<string, unknown>,
    act: (em: Em, cr: ChangeRequest) => Promise<void>,
  ): Promise<ChangeRequest> {
    if (action !== 'withdraw') authorize(ctx.ability, ctx.actor, 'approve', 'ChangeRequest');
    else authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord');
    return this.orm.em.fork().transactional((em) =>
      this.idempotency.run(
        em,
        ctx.actor?.id,
        idempotencyKey,
        `${action}Change`,
        { id, ...input },
        async () => {
          const cr = isUuid(id) ? await em.findOne(ChangeRequest, { id }) : null;
          if (!cr) throw notFound('The change request', ['id']);
          // one decision at a time per proposal
          await em
            .getConnection()
            .execute(
              'select id from change_request where id = ? for update',
              [cr.id],
              'all',
              em.getTransactionContext(),
            );
          await em.refresh(cr);
          if (cr.status !== 'PENDING') {
            // a repeated approval of an applied proposal is answered with its state
            if (
              action === 'approve' &&
              cr.status === 'APPLIED' &&
              cr.approvals.some((a) => a.actorId === ctx.actor?.id)
            )
              return cr;
            const past = { approve: 'approved', reject: 'rejected', withdraw: 'withdrawn' }[action];
            throw new CanonError(
              'INVALID_STATE',
              `The change request is ${cr.status}; only a pending one can be ${past}.`,
            );
          }
          await act(em, cr);
          return cr;
        },
        (cr) => cr.id,
        async (crId) => (await em.findOne(ChangeRequest, { id: crId }))!,
      ),
    );
  }

  // ------------------------------------------------------------------ applying

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
  private async apply(em: Em, ctx: CallContext, cr: ChangeRequest): Promise<void> {
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
    await this.validate(
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
    const ctx = this.ruleContext(em);
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

/** A new PENDING change request (not flushed). */
function newChangeRequest(
  em: Em,
  ctx: CallContext,
  p: {
    domain: string;
    record: GoldenRecord | null;
    operation: ChangeOperation;
    input: { data?: Data; patch?: Data; baseRevision?: number };
    proposed: Data;
    previous: Data | null;
    requiredApprovals: number;
    validator: ContractValidator;
    reason: string | null;
    effectiveFrom: Date;
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
    requiredApprovals: p.requiredApprovals,
    approvals: [],
    reason: p.reason,
    effectiveFrom: p.effectiveFrom,
    contractVersion: p.validator.version,
    warnings: [],
    conflict: null,
  });
}

function checkProposalShape(input: ProposeInput, operation: ChangeOperation): void {
  const has = (v: unknown) => v !== undefined && v !== null;
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
  if (input.effectiveFrom && Number.isNaN(input.effectiveFrom.getTime()))
    throw new CanonError('BAD_USER_INPUT', 'effectiveFrom is not a valid time.', { path: ['effectiveFrom'] });
}

/** What a connector's system owns in a domain: null = whole records (some rule has no fields). */
function ownedFieldsOf(ctx: CallContext, domain: string): string[] | null {
  const rules = (ctx.ownership ?? []).filter((r) => r.domain === domain);
  if (rules.some((r) => !r.fields)) return null;
  return [...new Set(rules.flatMap((r) => r.fields ?? []))].sort();
}

function changeRequestWhere(filter: ChangeRequestFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filter.status) where.status = filter.status;
  if (filter.domain) where.domain = filter.domain;
  if (filter.proposedBy) where.proposedBy = filter.proposedBy;
  if (filter.systemCode) where.systemCode = filter.systemCode;
  if (filter.recordId) where.recordId = filter.recordId;
  return where;
}

/**
 * The current revision of each record of a domain as of a moment, filtered: one SQL (with its
 * parameters) that list and count wrap.
 */
function listQuery(filter: ListFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [filter.domain, filter.asOf ?? new Date()];
  if (filter.status !== 'ALL') {
    where.push('cur.status = ?');
    params.push(filter.status ?? 'ACTIVE');
  }
  if (filter.site !== undefined) {
    where.push('g.site = ?');
    params.push(filter.site);
  }
  if (filter.keyPrefix) {
    where.push(`g.key like ? escape '\\'`);
    params.push(`${filter.keyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (filter.search) {
    where.push(`(g.key ilike ? escape '\\' or cur.data->>'name' ilike ? escape '\\')`);
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(pattern, pattern);
  }
  if (filter.dataContains) {
    where.push('cur.data @> ?::jsonb');
    params.push(JSON.stringify(filter.dataContains));
  }
  const sql = `select cur.* from (
      select distinct on (rv.record_id) rv.record_id, rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version
        from record_revision rv join golden_record g0 on g0.id = rv.record_id
       where g0.domain = ? and rv.effective_from <= ?
       order by rv.record_id, rv.effective_from desc, rv.revision desc) cur
    join golden_record g on g.id = cur.record_id
    ${where.length > 0 ? `where ${where.join(' and ')}` : ''}`;
  return { sql, params };
}

function groupByMoment<T extends { asOf?: string }>(items: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) m.set(x.asOf ?? '', [...(m.get(x.asOf ?? '') ?? []), x]);
  return m;
}
