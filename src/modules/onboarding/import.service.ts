/**
 * Bulk import of a file into a domain: rows streamed from the file, mapped to contract payloads,
 * applied a batch per transaction through the records module (validated, governed, audited), the
 * system's ids linked as cross-references, refused rows reported with their line, pointer, code and
 * message. Each batch commits its records, links, report lines and the job's cursor together, so a
 * run that dies resumes after the last committed batch with nothing doubled or half-written.
 */
import type { Readable } from 'node:stream';
import { LockMode } from '@mikro-orm/core';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { originOf } from '../events/outbox.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import type { BulkOutcome } from '../records/bulk-apply.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import { ImportJob, type ImportReportRow, ImportReportRowEntity } from './import-job.entity.ts';
import type { Lookups, MappedRow, RowMapping } from './mappings.ts';
import { readRows, type SourceEncoding, type SourceFormat, type SourceRow } from './row-sources.ts';

export interface ImportRequest {
  domain: string;
  system?: string;
  mapping: RowMapping;
  format: SourceFormat;
  encoding?: SourceEncoding;
  batchSize: number;
  skipInvalid: boolean;
  /** Continue the unfinished job with this fingerprint instead of starting another. */
  resume: boolean;
  /** The file's name as the user gave it (shown in the job). */
  source: string;
  /** sha256 of the file's bytes and the options: the same run of the same file has the same one. */
  fingerprint: string;
}

export interface ImportProgress {
  job: ImportJob;
  /** The batch just committed. */
  batchRows: number;
}

type ReportLine = Pick<ImportReportRow, 'rowNumber' | 'businessKey' | 'pointer' | 'code' | 'message'>;

/** At most this many lookups of external ids are remembered per import (constant memory). */
const LOOKUP_MEMO = 50_000;

export class ImportService {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly records: RecordsService;
  private readonly xref: XrefService;
  private readonly contracts: ContractsService;

  constructor(deps: {
    orm: Orm;
    audit: AuditService;
    records: RecordsService;
    xref: XrefService;
    contracts: ContractsService;
  }) {
    this.orm = deps.orm;
    this.audit = deps.audit;
    this.records = deps.records;
    this.xref = deps.xref;
    this.contracts = deps.contracts;
  }

  /** The contract schema of a domain's published version (mappings type cells with it). */
  async schemaOf(domain: string): Promise<Record<string, unknown>> {
    const validator = await this.contracts.validatorFor(this.orm.em.fork(), domain);
    return validator.schema as Record<string, unknown>;
  }

  /**
   * Runs (or resumes) an import to its end, or until `shouldStop` says so between batches (the job
   * is then CANCELLED and `--resume` continues it). Answers the job with its counts.
   */
  async run(
    ctx: CallContext,
    request: ImportRequest,
    input: Readable,
    hooks: {
      onProgress?: (p: ImportProgress) => void;
      shouldStop?: () => boolean;
      onOpen?: (job: ImportJob) => void;
    } = {},
  ): Promise<ImportJob> {
    authorize(ctx.ability, ctx.actor, 'manage', 'GoldenRecord');
    if (request.mapping.domain && request.mapping.domain !== request.domain)
      throw new CanonError(
        'BAD_USER_INPUT',
        `The mapping ${request.mapping.name} is for ${request.mapping.domain}, not ${request.domain}.`,
        {
          path: ['mapping'],
        },
      );
    if (!Number.isInteger(request.batchSize) || request.batchSize < 1 || request.batchSize > 10_000)
      throw new CanonError('BAD_USER_INPUT', 'The batch size is a whole number from 1 to 10,000.', {
        path: ['batch'],
      });
    await this.contracts.validatorFor(this.orm.em.fork(), request.domain);
    if (request.system) await this.xref.requireMapNames(ctx, request.system, request.domain);
    const job = await this.openJob(ctx, request);
    return this.process(ctx, request, job, input, hooks);
  }

  /**
   * Starts an import and runs it in the background (uploads over HTTP): answers the job at once;
   * `importJob(id)` follows it, `cancelImport` stops it after the batch in flight.
   */
  async start(
    ctx: CallContext,
    request: ImportRequest,
    input: Readable,
    onEnd?: () => void,
  ): Promise<ImportJob> {
    let started: (job: ImportJob) => void = () => undefined;
    let failed: (error: unknown) => void = () => undefined;
    const opened = new Promise<ImportJob>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    const running = this.run(ctx, request, input, { onOpen: started, shouldStop: () => this.stopping })
      .catch((error) => failed(error))
      .finally(() => {
        this.background.delete(running);
        onEnd?.();
      });
    this.background.add(running);
    return opened;
  }

  /** Stops background imports after their batch in flight (on shutdown); they end CANCELLED. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.background]);
  }

  private stopping = false;
  private readonly background = new Set<Promise<unknown>>();

  private async process(
    ctx: CallContext,
    request: ImportRequest,
    job: ImportJob,
    input: Readable,
    hooks: {
      onProgress?: (p: ImportProgress) => void;
      shouldStop?: () => boolean;
      onOpen?: (job: ImportJob) => void;
    },
  ): Promise<ImportJob> {
    hooks.onOpen?.(job);
    const lookups = this.lookups(ctx, request.system);
    let header: string[] | null = null;
    let batch: SourceRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.commitBatch(ctx, job, request, batch, lookups, header);
      header = null; // unknown columns are reported once, with the first batch
      hooks.onProgress?.({ job, batchRows: batch.length });
      batch = [];
    };
    try {
      for await (const row of readRows(input, request.format, request.encoding, (h) => {
        header = job.lastCommittedRow === 0 ? h.columns : null;
      })) {
        // a resumed run skips what the committed batches already hold
        if (row.line > 0 && row.line <= job.lastCommittedRow) continue;
        batch.push(row);
        if (batch.length >= request.batchSize) {
          await flush();
          if (hooks.shouldStop?.() || job.cancelRequestedAt)
            return await this.finish(
              ctx,
              job,
              'CANCELLED',
              job.cancelRequestedAt
                ? 'Cancelled; importing the same file again with resume continues after the last committed batch.'
                : 'Stopped by the user; run again with --resume to continue.',
            );
        }
      }
      await flush();
    } catch (error) {
      await this.finish(ctx, job, 'FAILED', (error as Error).message).catch(() => undefined);
      throw error;
    }
    return this.finish(ctx, job, 'COMPLETED', null);
  }

  private async openJob(ctx: CallContext, request: ImportRequest): Promise<ImportJob> {
    const em = this.orm.em.fork();
    if (request.resume) {
      const open = await em.findOne(
        ImportJob,
        { fingerprint: request.fingerprint, status: { $ne: 'COMPLETED' } },
        { orderBy: { createdAt: 'desc' } },
      );
      if (open) {
        open.status = 'RUNNING';
        open.message = null;
        await em.flush();
        return open;
      }
    }
    return em.transactional(async (tx) => {
      const job = tx.create(ImportJob, {
        domain: request.domain,
        systemCode: request.system ?? null,
        mode: 'APPLY',
        source: request.source.slice(0, 500),
        format: request.format,
        mapping: request.mapping.name.slice(0, 200),
        fingerprint: request.fingerprint,
        batchSize: request.batchSize,
        skipInvalid: request.skipInvalid,
        startedBy: ctx.actor?.id ?? null,
        startedByName: ctx.actor?.name ?? null,
      });
      await tx.flush();
      await this.audit.record(tx, ctx, {
        action: 'IMPORT_STARTED',
        subjectType: 'ImportJob',
        subjectId: job.id,
        after: {
          domain: job.domain,
          system: job.systemCode,
          mode: job.mode,
          source: job.source,
          mapping: job.mapping,
        },
      });
      return job;
    });
  }

  private async finish(
    ctx: CallContext,
    job: ImportJob,
    status: ImportJob['status'],
    message: string | null,
  ): Promise<ImportJob> {
    return this.orm.em.fork().transactional(async (em) => {
      const current = await em.findOneOrFail(ImportJob, { id: job.id });
      current.status = status;
      current.message = message;
      current.finishedAt = new Date();
      if (status === 'COMPLETED') current.rowsTotal = current.rowsDone;
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'IMPORT_FINISHED',
        subjectType: 'ImportJob',
        subjectId: job.id,
        after: {
          status,
          rowsDone: current.rowsDone,
          rowsRefused: current.rowsRefused,
          created: current.rowsCreated,
          updated: current.rowsUpdated,
          unchanged: current.rowsUnchanged,
        },
      });
      Object.assign(job, { status, message, finishedAt: current.finishedAt, rowsTotal: current.rowsTotal });
      return current;
    });
  }

  /** Maps the rows outside the transaction (lookups may query), then applies them in one. */
  private async commitBatch(
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
      const outcomes: BulkOutcome[] = blockEverything
        ? usable.map((c) => ({ ref: c.line, status: 'NOT_APPLIED', key: null }))
        : await this.records.bulk.apply(em, ctx, {
            domain: request.domain,
            rows: usable.map((c) => ({ ref: c.line, data: c.data })),
            skipInvalid: request.skipInvalid,
            importJobId: job.id,
            origin: originOf(ctx),
            reason: `import ${job.id} (${job.source})`,
          });
      const linked = await this.linkIds(em, ctx, request, usable, outcomes);
      this.reportOutcomes(outcomes, report);
      await this.saveProgress(em, job, rows, outcomes, report, linked);
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

  private async linkIds(
    em: Em,
    ctx: CallContext,
    request: ImportRequest,
    usable: (MappedRow & { line: number })[],
    outcomes: BulkOutcome[],
  ): Promise<number> {
    if (!request.system) return 0;
    const byLine = new Map(usable.map((c) => [c.line, c]));
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
    const result = await this.xref.linkWithin(em, ctx, {
      system: request.system,
      domain: request.domain,
      links,
    });
    return result.linked;
  }

  private reportOutcomes(outcomes: BulkOutcome[], report: ReportLine[]): void {
    for (const o of outcomes) {
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
      report.filter((r) => r.rowNumber > 1 && r.code !== 'UNKNOWN_COLUMN').map((r) => r.rowNumber),
    );
    const current = await em.findOneOrFail(
      ImportJob,
      { id: job.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    current.rowsDone += rows.length;
    current.rowsRefused += refusedRows.size;
    current.rowsCreated += outcomes.filter((o) => o.status === 'CREATED').length;
    current.rowsUpdated += outcomes.filter((o) => o.status === 'UPDATED').length;
    current.rowsUnchanged += outcomes.filter((o) => o.status === 'UNCHANGED').length;
    current.xrefsLinked += linked;
    current.batchesCommitted += 1;
    current.lastCommittedRow = Math.max(current.lastCommittedRow, ...rows.map((r) => r.line));
    for (const line of report)
      em.create(ImportReportRowEntity, {
        jobId: job.id,
        ...line,
        businessKey: line.businessKey?.slice(0, 300) ?? null,
        pointer: line.pointer.slice(0, 300),
      });
    await em.flush();
    Object.assign(job, {
      rowsDone: current.rowsDone,
      rowsRefused: current.rowsRefused,
      rowsCreated: current.rowsCreated,
      rowsUpdated: current.rowsUpdated,
      rowsUnchanged: current.rowsUnchanged,
      xrefsLinked: current.xrefsLinked,
      batchesCommitted: current.batchesCommitted,
      lastCommittedRow: current.lastCommittedRow,
      cancelRequestedAt: current.cancelRequestedAt,
    });
  }

  /** External ids of the import's system to record keys, remembered for the run (bounded). */
  private lookups(ctx: CallContext, system: string | undefined): Lookups {
    const memo = new Map<string, string | null>();
    return {
      keyOfExternalId: async (domain, externalId) => {
        if (!system) return null;
        const k = `${domain}\u0000${externalId}`;
        if (memo.has(k)) return memo.get(k)!;
        const [hit] = await this.xref.resolve(ctx, system, domain, [externalId]);
        if (memo.size >= LOOKUP_MEMO) memo.clear();
        memo.set(k, hit?.key ?? null);
        return hit?.key ?? null;
      },
    };
  }

  /**
   * Asks a running import to stop after its batch in flight (whichever process runs it: it reads the
   * request with each batch's commit). A finished import cannot be cancelled; asking twice is one ask.
   */
  async cancel(ctx: CallContext, id: string, idempotencyKey?: string | null): Promise<ImportJob> {
    authorize(ctx.ability, ctx.actor, 'manage', 'GoldenRecord');
    const replay = (em: Em): Replayable<ImportJob> => ({
      idOf: (j) => j.id,
      replay: (jobId) => em.findOneOrFail(ImportJob, { id: jobId }),
    });
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'cancelImport',
      { id },
      replay,
      async (em) => {
        const job = isUuid(id)
          ? await em.findOne(ImportJob, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE })
          : null;
        if (!job) throw new CanonError('NOT_FOUND', `No import ${id}.`, { path: ['id'] });
        if (job.status === 'COMPLETED' || job.status === 'FAILED')
          throw new CanonError(
            'INVALID_STATE',
            `The import is ${job.status.toLowerCase()}; there is nothing to cancel.`,
            { path: ['id'] },
          );
        if (job.cancelRequestedAt || job.status === 'CANCELLED') return job;
        job.cancelRequestedAt = new Date();
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'IMPORT_CANCELLED',
          subjectType: 'ImportJob',
          subjectId: job.id,
          after: { rowsDone: job.rowsDone },
        });
        return job;
      },
    );
  }

  /** The newest imports first: a keyset page after (createdAt, id), with one more row when there are more. */
  async jobs(ctx: CallContext, page: { limit: number; after?: [string, string] }): Promise<ImportJob[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const after = page.after;
    const at = after ? new Date(after[0]) : null;
    if (after && (Number.isNaN(at!.getTime()) || !isUuid(after[1])))
      throw new CanonError('BAD_USER_INPUT', 'The cursor is not one of this list.', { path: ['after'] });
    return this.orm.em
      .fork()
      .find(
        ImportJob,
        after ? { $or: [{ createdAt: { $lt: at! } }, { createdAt: at!, id: { $lt: after[1] } }] } : {},
        { orderBy: { createdAt: 'desc', id: 'desc' }, limit: page.limit + 1 },
      );
  }

  /** An import job, for its owner and administrators. */
  async job(ctx: CallContext, id: string): Promise<ImportJob | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return isUuid(id) ? this.orm.em.fork().findOne(ImportJob, { id }) : null;
  }

  /** The report of a job in row order, a page after a report line id. */
  async report(
    ctx: CallContext,
    jobId: string,
    page: { after?: string; limit: number },
  ): Promise<ImportReportRow[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return this.orm.em
      .fork()
      .find(
        ImportReportRowEntity,
        { jobId, ...(page.after ? { id: { $gt: page.after } } : {}) },
        { orderBy: { id: 'asc' }, limit: page.limit },
      );
  }
}
