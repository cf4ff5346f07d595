/**
 * Bulk import of a file into a domain: rows streamed from the file, mapped to contract payloads,
 * applied a batch per transaction through the records module (validated, governed, audited), the
 * system's ids linked as cross-references, refused rows reported with their line, pointer, code and
 * message. Each batch commits its records, links, report lines and the job's cursor together, so a
 * run that dies resumes after the last committed batch with nothing doubled or half-written.
 */
import type { Readable } from 'node:stream';
import type { Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import { ImportBatch, type ImportWarningListener } from './import-batch.ts';
import { ImportJob, type ImportMode } from './import-job.entity.ts';
import { ImportJobs } from './import-jobs.ts';
import { ImportLinks } from './import-links.ts';
import {
  HEARTBEAT_MS,
  reapInterrupted,
  runnerAlive,
  STALE_AFTER_MS,
  THIS_RUNNER,
} from './import-liveness.ts';
import { announceProgress } from './import-progress.ts';
import type { Lookups, RowMapping } from './mappings.ts';
import { readRows, type SourceEncoding, type SourceFormat, type SourceRow } from './row-sources.ts';

export interface ImportRequest {
  domain: string;
  /** PROPOSE: change requests for stewards, one bulk per batch; APPLY: written directly (administrators). */
  mode: ImportMode;
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
    outbox: OutboxService;
  }) {
    this.orm = deps.orm;
    this.audit = deps.audit;
    this.records = deps.records;
    this.xref = deps.xref;
    this.contracts = deps.contracts;
    this.outbox = deps.outbox;
    this.batches = new ImportBatch({ ...deps, links: new ImportLinks(deps) });
    this.jobReads = new ImportJobs(deps);
  }

  private readonly jobReads: ImportJobs;

  private readonly outbox: OutboxService;

  private readonly batches: ImportBatch;

  /** Rows that went in with warnings of relaxed rules, told in their batch's transaction. */
  onWarnings(listener: ImportWarningListener): void {
    this.batches.warningListeners.push(listener);
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
    // applying directly is an administrator's act; proposing is a steward's (a connector proposes
    // only what its system owns, checked row by row)
    if (request.mode === 'APPLY') authorize(ctx.ability, ctx.actor, 'manage', 'GoldenRecord');
    else if (ctx.actor?.role !== 'connector')
      authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord', { domain: request.domain });
    if (request.system) this.xref.assertMayLink(ctx, request.system);
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

  /**
   * Marks imports whose process is gone as FAILED (import-liveness.ts), now and every minute; a
   * server starts it.
   */
  startReaper(log?: { warn(obj: object, msg: string): void }): void {
    const reap = () =>
      reapInterrupted(this.orm.em.fork())
        .then((n) => {
          if (n > 0) log?.warn({ imports: n }, 'imports interrupted by a stopped process marked FAILED');
        })
        .catch(() => undefined);
    void reap();
    this.reaper = setInterval(reap, STALE_AFTER_MS);
    this.reaper.unref();
  }

  private reaper: NodeJS.Timeout | null = null;

  /** Stops background imports after their batch in flight (on shutdown); they end CANCELLED. */
  async stopAll(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
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
    // a batch may take longer than the staleness window: the job shows it is alive meanwhile
    const heartbeat = setInterval(() => {
      void this.orm.em
        .fork()
        .nativeUpdate(ImportJob, { id: job.id, status: 'RUNNING' }, { heartbeatAt: new Date() })
        .catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      return await this.processRows(ctx, request, job, input, hooks);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async processRows(
    ctx: CallContext,
    request: ImportRequest,
    job: ImportJob,
    input: Readable,
    hooks: { onProgress?: (p: ImportProgress) => void; shouldStop?: () => boolean },
  ): Promise<ImportJob> {
    const lookups = this.lookups(ctx, request.system);
    let header: string[] | null = null;
    let batch: SourceRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.batches.commit(ctx, job, request, batch, lookups, header);
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
        if (open.status === 'RUNNING' && runnerAlive(open))
          throw new CanonError(
            'INVALID_STATE',
            `Import ${open.id} of this file is running (${open.runner}); wait for it, or cancel it, before resuming.`,
            { path: ['resume'] },
          );
        open.status = 'RUNNING';
        open.message = null;
        open.runner = THIS_RUNNER;
        open.heartbeatAt = new Date();
        await em.flush();
        return open;
      }
    }
    return em.transactional(async (tx) => {
      const job = tx.create(ImportJob, {
        domain: request.domain,
        systemCode: request.system ?? null,
        mode: request.mode,
        source: request.source.slice(0, 500),
        format: request.format,
        mapping: request.mapping.name.slice(0, 200),
        fingerprint: request.fingerprint,
        batchSize: request.batchSize,
        skipInvalid: request.skipInvalid,
        startedBy: ctx.actor?.id ?? null,
        startedByName: ctx.actor?.name ?? null,
        runner: THIS_RUNNER,
        heartbeatAt: new Date(),
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
          proposed: current.rowsProposed,
        },
      });
      await announceProgress(this.outbox, em, ctx, current);
      Object.assign(job, { status, message, finishedAt: current.finishedAt, rowsTotal: current.rowsTotal });
      return current;
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

  // the jobs' reads and cancellation (import-jobs.ts)
  cancel: ImportJobs['cancel'] = (...a) => this.jobReads.cancel(...a);
  jobs: ImportJobs['jobs'] = (...a) => this.jobReads.jobs(...a);
  job: ImportJobs['job'] = (...a) => this.jobReads.job(...a);
  report: ImportJobs['report'] = (...a) => this.jobReads.report(...a);
}
