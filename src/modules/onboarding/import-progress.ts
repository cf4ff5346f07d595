/**
 * An import's progress in the change feed: one IMPORT_PROGRESS event per committed batch (in the
 * batch's transaction, so the feed never shows a batch that rolled back) and one when the run ends,
 * so the console and a connector following `changes` see imports move without polling importJob.
 */
import type { Em } from '../../db/orm.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { type OutboxService, originOf } from '../events/outbox.service.ts';
import type { ImportJob } from './import-job.entity.ts';

export async function announceProgress(
  outbox: OutboxService,
  em: Em,
  ctx: CallContext,
  job: ImportJob,
): Promise<void> {
  await outbox.append(em, {
    type: 'IMPORT_PROGRESS',
    domain: job.domain,
    subjectId: job.id,
    payload: {
      importJobId: job.id,
      status: job.status,
      mode: job.mode,
      systemCode: job.systemCode ?? null,
      rowsDone: job.rowsDone,
      rowsTotal: job.rowsTotal ?? null,
      rowsRefused: job.rowsRefused,
      rowsCreated: job.rowsCreated,
      rowsUpdated: job.rowsUpdated,
      rowsUnchanged: job.rowsUnchanged,
      rowsProposed: job.rowsProposed,
      rowsWarned: job.rowsWarned,
      xrefsLinked: job.xrefsLinked,
      batchesCommitted: job.batchesCommitted,
    },
    origin: originOf(ctx),
  });
}
