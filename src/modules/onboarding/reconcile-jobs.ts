/**
 * Reconciliations as server jobs (the console's, and anyone's without the CLI): an uploaded extract
 * reconciled in the background by ReconcileService, its differences stored as they are found (in
 * chunks, so memory stays flat) and its summary when it ends; `reconciliation(id)` follows it. A
 * server that stops marks its running jobs FAILED (run it again: reconciling only reads, but for the
 * proposals it may have made, which stay as change requests).
 */
import type { Readable } from 'node:stream';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { newestFirst } from './job-lists.ts';
import type { RowMapping } from './mappings.ts';
import type { Difference, DifferenceKind, ReconcileService } from './reconcile.service.ts';
import { type ReconcileDifference, ReconcileDifferenceEntity, ReconcileJob } from './reconcile-job.entity.ts';
import type { SourceEncoding, SourceFormat } from './row-sources.ts';

/** Differences written per insert. */
const CHUNK = 500;

export interface ReconcileJobRequest {
  system: string;
  domain: string;
  mapping: RowMapping;
  format: SourceFormat;
  encoding?: SourceEncoding;
  propose: boolean;
  source: string;
}

export type ReconcileDifferenceListener = (
  em: Em,
  ctx: CallContext,
  job: { jobId: string; system: string; domain: string },
  differences: readonly Difference[],
) => Promise<void>;

export class ReconcileJobs {
  private readonly orm: Orm;
  private readonly reconcile: ReconcileService;
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(deps: { orm: Orm; reconcile: ReconcileService }) {
    this.orm = deps.orm;
    this.reconcile = deps.reconcile;
  }

  /** Opens the job and reconciles in the background; answers the job at once. */
  async start(
    ctx: CallContext,
    request: ReconcileJobRequest,
    input: Readable,
    onEnd?: () => void,
  ): Promise<ReconcileJob> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (request.propose)
      authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord', { domain: request.domain });
    const em = this.orm.em.fork();
    const job = em.create(ReconcileJob, {
      domain: request.domain,
      systemCode: request.system,
      source: request.source.slice(0, 500),
      format: request.format,
      mapping: request.mapping.name.slice(0, 200),
      propose: request.propose,
      startedBy: ctx.actor?.id ?? null,
      startedByName: ctx.actor?.name ?? null,
    });
    await em.flush();
    const run = this.run(ctx, job.id, request, input).finally(() => {
      this.running.delete(run);
      onEnd?.();
    });
    this.running.add(run);
    return job;
  }

  private readonly differenceListeners: ReconcileDifferenceListener[] = [];

  /** Differences as they are stored, told in the same transaction (exceptions file them). */
  onDifferences(listener: ReconcileDifferenceListener): void {
    this.differenceListeners.push(listener);
  }

  private async run(ctx: CallContext, jobId: string, request: ReconcileJobRequest, input: Readable) {
    let pending: Difference[] = [];
    let found = 0;
    const write = async () => {
      if (pending.length === 0) return;
      const chunk = pending;
      pending = [];
      found += chunk.length;
      await this.orm.em.fork().transactional(async (em) => {
        for (const d of chunk)
          em.create(ReconcileDifferenceEntity, {
            jobId,
            kind: d.kind,
            rowNumber: d.row,
            externalId: d.externalId?.slice(0, 300) ?? null,
            businessKey: d.key?.slice(0, 300) ?? null,
            recordId: d.recordId,
            pointer: d.pointer.slice(0, 300),
            canonValue: d.canon === undefined ? null : d.canon,
            systemValue: d.system === undefined ? null : d.system,
            message: d.message,
          });
        await em.flush();
        await em.nativeUpdate(ReconcileJob, { id: jobId }, { differencesFound: found });
        for (const listener of this.differenceListeners)
          await listener(em, ctx, { jobId, system: request.system, domain: request.domain }, chunk);
      });
    };
    try {
      const summary = await this.reconcile.run(ctx, request, input, async (d) => {
        if (this.stopping)
          throw new CanonError(
            'SERVICE_UNAVAILABLE',
            'The server stopped during the reconciliation; run it again.',
          );
        pending.push(d);
        if (pending.length >= CHUNK) await write();
      });
      await write();
      await this.finish(jobId, 'COMPLETED', null, summary as unknown as Record<string, unknown>);
    } catch (error) {
      await write().catch(() => undefined);
      await this.finish(jobId, 'FAILED', (error as Error).message, null).catch(() => undefined);
    }
  }

  private async finish(
    jobId: string,
    status: ReconcileJob['status'],
    message: string | null,
    summary: Record<string, unknown> | null,
  ): Promise<void> {
    await this.orm.em
      .fork()
      .nativeUpdate(ReconcileJob, { id: jobId }, { status, message, summary, finishedAt: new Date() });
  }

  /** Stops running reconciliations (on shutdown): they end FAILED. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }

  async job(ctx: CallContext, id: string): Promise<ReconcileJob | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return isUuid(id) ? this.orm.em.fork().findOne(ReconcileJob, { id }) : null;
  }

  /** Newest first: a keyset page after (createdAt, id), one more row when there are more. */
  async jobs(ctx: CallContext, page: { limit: number; after?: [string, string] }): Promise<ReconcileJob[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return newestFirst(this.orm.em.fork(), ReconcileJob, page);
  }

  /** A job's differences in the order found (of one kind), a page after a difference id. */
  async differences(
    ctx: CallContext,
    jobId: string,
    page: { after?: string; limit: number; kind?: DifferenceKind },
  ): Promise<ReconcileDifference[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return this.orm.em.fork().find(
      ReconcileDifferenceEntity,
      {
        jobId,
        ...(page.kind ? { kind: page.kind } : {}),
        ...(page.after ? { id: { $gt: page.after } } : {}),
      },
      { orderBy: { id: 'asc' }, limit: page.limit },
    );
  }
}
