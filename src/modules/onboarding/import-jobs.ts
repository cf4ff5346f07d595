/**
 * An import's job from outside its run: read it, list them, page its report, and ask a running one
 * to stop (whichever process runs it reads the request with each batch's commit).
 */
import { LockMode } from '@mikro-orm/core';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize, can } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import { ImportJob, type ImportReportRow, ImportReportRowEntity } from './import-job.entity.ts';
import { newestFirst } from './job-lists.ts';

export class ImportJobs {
  private readonly orm: Orm;
  private readonly audit: AuditService;

  constructor(deps: { orm: Orm; audit: AuditService }) {
    this.orm = deps.orm;
    this.audit = deps.audit;
  }

  /**
   * Asks a running import to stop after its batch in flight (whichever process runs it: it reads the
   * request with each batch's commit). A finished import cannot be cancelled; asking twice is one ask.
   */
  async cancel(ctx: CallContext, id: string, idempotencyKey?: string | null): Promise<ImportJob> {
    // administrators cancel any import; whoever started one (a steward, a connector) may cancel theirs
    authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord');
    const admin = can(ctx.ability, 'manage', 'GoldenRecord');
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
        if (!admin && job.startedBy !== ctx.actor?.id)
          throw new CanonError(
            'FORBIDDEN',
            'Only whoever started an import (or an administrator) can cancel it.',
          );
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
    return newestFirst(this.orm.em.fork(), ImportJob, page);
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
