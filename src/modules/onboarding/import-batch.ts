/**
 * One batch of an import, committed in one transaction: the rows mapped (lookups may query, outside
 * the transaction), ids already linked elsewhere refused, the rows applied through the records
 * module, the system's ids linked, the report lines and the job's counts and cursor written with
 * them — so a batch is in the database whole or not at all.
 */
import { LockMode } from '@mikro-orm/core';
import type { Em, Orm } from '../../db/orm.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { originOf } from '../events/outbox.service.ts';
import type { BulkOutcome } from '../records/bulk-apply.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import type { ImportRequest } from './import.service.ts';
import { ImportJob, type ImportReportRow, ImportReportRowEntity } from './import-job.entity.ts';
import type { ImportLinks } from './import-links.ts';
import { announceProgress } from './import-progress.ts';
import type { Lookups, MappedRow } from './mappings.ts';
import type { SourceRow } from './row-sources.ts';

type ReportLine = Pick<ImportReportRow, 'rowNumber' | 'businessKey' | 'pointer' | 'code' | 'message'> & {
  severity?: 'ERROR' | 'WARNING';
};

/** A row that went in with a warning of a relaxed rule, for whoever files them (exceptions). */
export interface ImportWarning {
  jobId: string;
  system: string | null;
  domain: string;
  recordId: string;
  revision: number;
  rowNumber: number;
  key: string;
  pointer: string;
  code: string;
  message: string;
}
export type ImportWarningListener = (
  em: Em,
  ctx: CallContext,
  warnings: readonly ImportWarning[],
) => Promise<void>;

export class ImportBatch {
  /** Told, in each batch's transaction, of the rows that went in with warnings. */
  readonly warningListeners: ImportWarningListener[] = [];
  private readonly orm: Orm;
  private readonly records: RecordsService;
  private readonly xref: XrefService;

  private readonly links: ImportLinks;
  private readonly outbox: OutboxService;

  constructor(deps: {
    orm: Orm;
    records: RecordsService;
    xref: XrefService;
    links: ImportLinks;
    outbox: OutboxService;
  }) {
    this.orm = deps.orm;
    this.records = deps.records;
    this.xref = deps.xref;
    this.links = deps.links;
    this.outbox = deps.outbox;
  }

  /** Maps the rows outside the transaction (lookups may query), then applies them in one. */
  async commit(
    ctx: CallContext,
    job: ImportJob,
    request: ImportRequest,
    rows: SourceRow[],
    lookups: Lookups,
    header: string[] | null,
  ): Promise<void> {
    const report: ReportLine[] = [];
    if (header) {
      for (const column of header.filter((c) => !request.mapping.knowsColumn(c)))
        report.push({
          rowNumber: 1,
          businessKey: null,
          pointer: column,
          code: 'UNKNOWN_COLUMN',
          message: `The column "${column}" is not part of the mapping ${request.mapping.name}; it was not imported.`,
        });
    }
    const candidates: (MappedRow & { line: number })[] = [];
    for (const row of rows) {
      if (row.problem) {
        report.push({
          rowNumber: row.line,
          businessKey: null,
          pointer: row.problem.pointer,
          code: row.problem.code,
          message: row.problem.message,
        });
        continue;
      }
      const mapped = await request.mapping.map(row, lookups);
      if (mapped.findings.length > 0) {
        for (const f of mapped.findings)
          report.push({
            rowNumber: row.line,
            businessKey: null,
            pointer: f.pointer,
            code: f.code,
            message: f.message,
          });
        continue;
      }
      candidates.push({ ...mapped, line: row.line });
    }
    const refusedEarly = new Set(report.filter((r) => r.rowNumber > 1).map((r) => r.rowNumber));
    await this.orm.em.fork().transactional(async (em) => {
      const usable = await this.withoutLinkConflicts(em, request, candidates, report);
      const blockEverything =
        !request.skipInvalid && (refusedEarly.size > 0 || usable.length < candidates.length);
      const bulk = {
        domain: request.domain,
        rows: usable.map((c) => ({ ref: c.line, data: c.data })),
        skipInvalid: request.skipInvalid,
        importJobId: job.id,
        origin: originOf(ctx),
        reason: `import ${job.id} (${job.source})`,
      };
      let outcomes: BulkOutcome[];
      if (blockEverything) outcomes = usable.map((c) => ({ ref: c.line, status: 'NOT_APPLIED', key: null }));
      else if (job.mode === 'PROPOSE')
        outcomes = await this.records.bulk.propose(em, ctx, {
          ...bulk,
          batchNumber: job.batchesCommitted + 1,
        });
      else outcomes = await this.records.bulk.apply(em, ctx, bulk);
      const linked = await this.linkIds(em, ctx, job, request, usable, outcomes);
      this.reportOutcomes(outcomes, report);
      await this.saveProgress(em, job, rows, outcomes, report, linked);
      await this.tellWarnings(em, ctx, job.id, request, outcomes);
      await announceProgress(this.outbox, em, ctx, job);
    });
  }

  /** Rows whose external id is already linked to another record are refused (the link would move). */
  private async withoutLinkConflicts(
    em: Em,
    request: ImportRequest,
    candidates: (MappedRow & { line: number })[],
    report: ReportLine[],
  ): Promise<(MappedRow & { line: number })[]> {
    if (!request.system) return candidates;
    const ids = candidates.flatMap((c) => (c.externalId ? [c.externalId] : []));
    const linked = await this.xref.linkedKeysIn(em, request.system, request.domain, ids);
    const keys = await this.records.businessKeysOf(
      em,
      request.domain,
      candidates.map((c) => c.data),
    );
    return candidates.filter((c, i) => {
      const to = c.externalId ? linked.get(c.externalId) : undefined;
      if (to === undefined || to === keys[i]) return true;
      report.push({
        rowNumber: c.line,
        businessKey: keys[i] || null,
        pointer: 'externalId',
        code: 'DUPLICATE_KEY',
        message: `${request.system} id ${c.externalId} is linked to the ${request.domain} record ${to}; unlink it first to link it to ${keys[i]}.`,
      });
      return false;
    });
  }

  /**
   * Links the system's ids of the rows' records; ids of records a pending proposal creates are kept
   * until a steward's approval creates them (import-links.ts).
   */
  private async linkIds(
    em: Em,
    ctx: CallContext,
    job: ImportJob,
    request: ImportRequest,
    usable: (MappedRow & { line: number })[],
    outcomes: BulkOutcome[],
  ): Promise<number> {
    if (!request.system) return 0;
    const byLine = new Map(usable.map((c) => [c.line, c]));
    const later = outcomes.flatMap((o) => {
      const c = byLine.get(o.ref);
      if (!c?.externalId || (o.status !== 'PROPOSED' && o.status !== 'ALREADY_PROPOSED') || o.recordId)
        return [];
      return [
        {
          changeRequestId: o.changeRequestId,
          externalId: c.externalId,
          ...(c.externalKey ? { externalKey: c.externalKey } : {}),
        },
      ];
    });
    await this.links.keep(em, { id: job.id, systemCode: request.system, domain: request.domain }, later);
    const links = outcomes.flatMap((o) => {
      const c = byLine.get(o.ref);
      if (!c?.externalId || !('recordId' in o) || !o.recordId) return [];
      return [
        {
          externalId: c.externalId,
          recordId: o.recordId,
          ...(c.externalKey ? { externalKey: c.externalKey } : {}),
        },
      ];
    });
    if (links.length === 0) return 0;
    const result = await this.xref.linkWithin(
      em,
      ctx,
      { system: request.system, domain: request.domain, links },
      { withoutAnswer: true },
    );
    return result.linked;
  }

  private async tellWarnings(
    em: Em,
    ctx: CallContext,
    jobId: string,
    request: ImportRequest,
    outcomes: BulkOutcome[],
  ): Promise<void> {
    if (this.warningListeners.length === 0) return;
    const warnings: ImportWarning[] = [];
    // rows written now (a proposal's warnings are the stewards' to see on the change request)
    for (const o of outcomes)
      if ('warnings' in o && 'revision' in o)
        for (const f of o.warnings ?? [])
          warnings.push({
            jobId,
            system: request.system ?? null,
            domain: request.domain,
            recordId: o.recordId,
            revision: o.revision,
            rowNumber: o.ref,
            key: o.key,
            pointer: f.path,
            code: f.code,
            message: f.message,
          });
    if (warnings.length === 0) return;
    for (const listener of this.warningListeners) await listener(em, ctx, warnings);
  }

  private reportOutcomes(outcomes: BulkOutcome[], report: ReportLine[]): void {
    for (const o of outcomes) {
      if ('warnings' in o)
        for (const f of o.warnings ?? [])
          report.push({
            rowNumber: o.ref,
            businessKey: o.key,
            pointer: f.path,
            code: f.code,
            message: `${f.message} (warning of ${f.rule}: the row went in)`,
            severity: 'WARNING',
          });
      if (o.status === 'REFUSED')
        for (const f of o.findings)
          report.push({
            rowNumber: o.ref,
            businessKey: o.key,
            pointer: f.path,
            code: f.code,
            message: f.message,
          });
      else if (o.status === 'NOT_APPLIED')
        report.push({
          rowNumber: o.ref,
          businessKey: o.key,
          pointer: '',
          code: 'BATCH_REFUSED',
          message:
            'Not applied: another row of its batch was refused (run with --skip-invalid to apply the valid rows).',
        });
    }
  }

  private async saveProgress(
    em: Em,
    job: ImportJob,
    rows: SourceRow[],
    outcomes: BulkOutcome[],
    report: ReportLine[],
    linked: number,
  ): Promise<void> {
    const refusedRows = new Set(
      report
        .filter((r) => r.rowNumber > 1 && r.code !== 'UNKNOWN_COLUMN' && r.severity !== 'WARNING')
        .map((r) => r.rowNumber),
    );
    const warnedRows = new Set(report.filter((r) => r.severity === 'WARNING').map((r) => r.rowNumber));
    const current = await em.findOneOrFail(
      ImportJob,
      { id: job.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    current.rowsDone += rows.length;
    current.rowsRefused += refusedRows.size;
    current.rowsWarned += warnedRows.size;
    current.rowsCreated += outcomes.filter((o) => o.status === 'CREATED').length;
    current.rowsUpdated += outcomes.filter((o) => o.status === 'UPDATED').length;
    current.rowsUnchanged += outcomes.filter(
      (o) => o.status === 'UNCHANGED' || o.status === 'ALREADY_PROPOSED',
    ).length;
    current.rowsProposed += outcomes.filter((o) => o.status === 'PROPOSED').length;
    current.xrefsLinked += linked;
    current.batchesCommitted += 1;
    current.lastCommittedRow = Math.max(current.lastCommittedRow, ...rows.map((r) => r.line));
    current.heartbeatAt = new Date();
    for (const line of report)
      em.create(ImportReportRowEntity, {
        jobId: job.id,
        ...line,
        businessKey: line.businessKey?.slice(0, 300) ?? null,
        pointer: line.pointer.slice(0, 300),
        severity: line.severity ?? 'ERROR',
      });
    await em.flush();
    Object.assign(job, {
      rowsDone: current.rowsDone,
      rowsRefused: current.rowsRefused,
      rowsCreated: current.rowsCreated,
      rowsUpdated: current.rowsUpdated,
      rowsUnchanged: current.rowsUnchanged,
      rowsProposed: current.rowsProposed,
      rowsWarned: current.rowsWarned,
      xrefsLinked: current.xrefsLinked,
      batchesCommitted: current.batchesCommitted,
      lastCommittedRow: current.lastCommittedRow,
      cancelRequestedAt: current.cancelRequestedAt,
    });
  }
}
