/**
 * Exceptions (DESIGN §8): integration failures with owners, states, comments, quarantine and
 * resolution time. Refusals and applications come from the propagation module's acknowledgements
 * (in their transaction); connectors report inbound failures; stewards work the queues.
 */
import type { Em, Orm } from '../../db/orm.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { ChangeFeedService } from '../events/change-feed.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import type { ImportService } from '../onboarding/import.service.ts';
import type { ReconcileJobs } from '../onboarding/reconcile-jobs.ts';
import type { AcknowledgedChange } from '../propagation/ack-ingest.ts';
import type { PropagationService } from '../propagation/propagation.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import { ExceptionActions } from './exception-actions.ts';
import {
  type ExceptionInput,
  excerptOf,
  fileExceptions,
  type IntakeDeps,
  resolveApplied,
} from './exception-intake.ts';
import { ExceptionOwners } from './exception-owners.ts';
import { ExceptionReads, HELD_EVENT_CONDITION } from './exception-reads.ts';

export class ExceptionsService {
  readonly owners: ExceptionOwners;
  readonly actions: ExceptionActions;
  readonly reads: ExceptionReads;
  private readonly intake: IntakeDeps;
  /** Counted when exceptions are filed or resolve themselves (/metrics). */
  onFiled: (source: string, created: number, repeated: number) => void = () => {};

  constructor(deps: {
    orm: Orm;
    audit: AuditService;
    outbox: OutboxService;
    systems: SystemsService;
    contracts: ContractsService;
    records: RecordsService;
    propagation: PropagationService;
    changeFeed: ChangeFeedService;
    imports: ImportService;
    reconcileJobs: ReconcileJobs;
    defaultQueue?: string;
  }) {
    this.owners = new ExceptionOwners({
      systems: deps.systems,
      contracts: deps.contracts,
      defaultQueue: deps.defaultQueue ?? 'data-stewards',
    });
    this.actions = new ExceptionActions({ ...deps, owners: this.owners });
    this.reads = new ExceptionReads(deps.orm);
    this.intake = { owners: this.owners, outbox: deps.outbox };
    deps.changeFeed.holdWith(HELD_EVENT_CONDITION);
    deps.imports.onWarnings((em, ctx, warnings) =>
      this.file(
        em,
        ctx,
        'IMPORT',
        warnings
          .filter((w) => w.system)
          .map((w) => ({
            source: 'IMPORT' as const,
            systemCode: w.system!,
            domain: w.domain,
            site: null,
            recordId: w.recordId,
            revision: w.revision,
            changeRequestId: null,
            sequence: null,
            externalId: null,
            code: w.code,
            message: w.message,
            payloadExcerpt: { importJobId: w.jobId, row: w.rowNumber, key: w.key, pointer: w.pointer },
            blocking: false,
          })),
      ),
    );
    deps.reconcileJobs.onDifferences((em, ctx, job, differences) =>
      this.file(
        em,
        ctx,
        'RECONCILE',
        differences.map((d) => ({
          source: 'RECONCILE' as const,
          systemCode: job.system,
          domain: job.domain,
          site: null,
          recordId: d.recordId,
          revision: null,
          changeRequestId: null,
          sequence: null,
          externalId: d.recordId ? null : d.externalId,
          code: `RECONCILE_${d.kind}`,
          message: d.message,
          payloadExcerpt: excerptOf({
            reconciliationId: job.jobId,
            row: d.row,
            key: d.key,
            pointer: d.pointer,
            canon: d.canon ?? null,
            system: d.system ?? null,
          }),
          blocking: false,
        })),
      ),
    );
    deps.propagation.acks.onAcknowledged((em, ctx, changes) => this.acknowledged(em, ctx, changes));
  }

  private async file(em: Em, ctx: CallContext, source: string, inputs: ExceptionInput[]): Promise<void> {
    const filed = await fileExceptions(em, this.intake, ctx, inputs);
    if (filed.length > 0)
      this.onFiled(source, filed.filter((f) => f.created).length, filed.filter((f) => !f.created).length);
  }

  /** Refusals file exceptions; applications resolve the ones they settle. */
  private async acknowledged(
    em: Em,
    ctx: CallContext,
    changes: readonly AcknowledgedChange[],
  ): Promise<void> {
    const refused = changes.filter((c) => c.status === 'REFUSED');
    const filed = await fileExceptions(
      em,
      this.intake,
      ctx,
      refused.map((c) => ({
        source: 'ACKNOWLEDGEMENT' as const,
        systemCode: c.system,
        domain: c.change.domain,
        site: c.change.site,
        recordId: c.change.type === 'RECORD_CHANGED' ? c.change.subjectId : null,
        revision: c.change.revision,
        changeRequestId: c.change.changeRequestId,
        sequence: c.change.sequence,
        externalId: null,
        code: c.code ?? 'REFUSED',
        message: c.message ?? '',
        payloadExcerpt: excerptOf(c.change.data),
        blocking: c.blocking,
      })),
    );
    if (filed.length > 0)
      this.onFiled(
        'ACKNOWLEDGEMENT',
        filed.filter((f) => f.created).length,
        filed.filter((f) => !f.created).length,
      );
    const bySystem = new Map<string, { recordId: string; revision: number }[]>();
    for (const c of changes)
      if (
        c.status === 'APPLIED' &&
        c.change.type === 'RECORD_CHANGED' &&
        c.change.subjectId &&
        c.change.revision
      )
        bySystem.set(c.system, [
          ...(bySystem.get(c.system) ?? []),
          { recordId: c.change.subjectId, revision: c.change.revision },
        ]);
    for (const [system, applied] of bySystem) await resolveApplied(em, this.intake, ctx, system, applied);
  }
}
