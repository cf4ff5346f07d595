/**
 * `canon match --domain D` and `startMatchJob`: a match over a whole domain in the background, its
 * progress written as it goes (phase, records read, comparisons done), its pairs stored when it ends;
 * pairs a rule scores at its auto-merge threshold become merge proposals (under the approval
 * policy). A server that stops ends its running jobs FAILED (matching only reads: run it again).
 */
import { validate as isUuid } from 'uuid';
import type { Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import { type FoundPair, matchDomain } from './domain-matcher.ts';
import { MatchJob } from './match.entities.ts';
import type { MatchCandidates } from './match-candidates.ts';
import type { MatchRules } from './match-rules.ts';

/** A RUNNING job started this long ago that no server runs is taken as dead. */
const STALE_AFTER_MS = 30 * 60_000;
/** Progress is written at most this often (ms). */
const PROGRESS_EVERY = 500;

export class MatchJobs {
  private readonly deps: {
    orm: Orm;
    audit: AuditService;
    contracts: ContractsService;
    rules: MatchRules;
    candidates: MatchCandidates;
    records: RecordsService;
  };
  private stopping = false;

  constructor(deps: MatchJobs['deps']) {
    this.deps = deps;
  }

  async start(ctx: CallContext, domain: string): Promise<MatchJob> {
    authorize(ctx.ability, ctx.actor, 'merge', 'GoldenRecord');
    const em = this.deps.orm.em.fork();
    let created = false;
    const job = await em.transactional(async (tx) => {
      await this.deps.contracts.validatorFor(tx, domain); // NOT_FOUND for an unknown domain
      // one match of a domain at a time: a second start answers the running one
      await tx
        .getConnection()
        .execute(
          'select pg_advisory_xact_lock(hashtext(?))',
          [`match-job:${domain}`],
          'all',
          tx.getTransactionContext(),
        );
      const running = await tx.findOne(MatchJob, { domain, status: 'RUNNING' });
      if (running && (this.runs.has(running.id) || Date.now() - running.startedAt.getTime() < STALE_AFTER_MS))
        return running;
      if (running) {
        // left RUNNING by a server that died: nobody will finish it
        running.status = 'FAILED';
        running.error = 'The server running it stopped.';
        running.finishedAt = new Date();
      }
      const j = tx.create(MatchJob, { domain, phase: 'READING', startedBy: ctx.actor?.id ?? null });
      await tx.flush();
      created = true;
      await this.deps.audit.record(tx, ctx, {
        action: 'MATCH_JOB_STARTED',
        subjectType: 'MatchJob',
        subjectId: j.id,
        after: { domain },
      });
      return j;
    });
    if (created) {
      const run = this.run(ctx, job.id, domain).finally(() => this.runs.delete(job.id));
      this.runs.set(job.id, run);
    }
    return job;
  }

  /** Jobs running in this process, by id. */
  private readonly runs = new Map<string, Promise<void>>();

  /** Waits for a job of this process to end (the CLI's in-process transport). */
  async wait(id: string): Promise<void> {
    await this.runs.get(id);
  }

  private async run(ctx: CallContext, jobId: string, domain: string): Promise<void> {
    const orm = this.deps.orm;
    let last = 0;
    const update = async (values: Partial<MatchJob>, force = false) => {
      if (!force && Date.now() - last < PROGRESS_EVERY) return;
      last = Date.now();
      await orm.em.fork().nativeUpdate(MatchJob, { id: jobId }, values);
    };
    try {
      const em = orm.em.fork();
      const rules = await this.deps.rules.activeIn(em, domain);
      const { records, pairs } = await matchDomain(em, domain, rules, async (p) => {
        if (this.stopping)
          throw new CanonError('SERVICE_UNAVAILABLE', 'The server stopped during the match; run it again.');
        await update({
          phase: p.phase,
          records: p.records,
          comparisons: p.comparisons,
          compared: p.compared,
        });
      });
      await update({ phase: 'STORING', records }, true);
      const found = await orm.em
        .fork()
        .transactional((tx) => this.deps.candidates.store(tx, domain, 'JOB', pairs));
      const autoMerges = await this.autoMerge(
        ctx,
        pairs.filter((p) => p.autoMerge),
      );
      await update({ phase: 'DONE', status: 'COMPLETED', found, autoMerges, finishedAt: new Date() }, true);
    } catch (error) {
      await update(
        { status: 'FAILED', error: (error as Error).message.slice(0, 2000), finishedAt: new Date() },
        true,
      ).catch(() => undefined);
    }
  }

  /** Merge proposals for pairs at an auto-merge threshold: the older record survives. */
  private async autoMerge(ctx: CallContext, pairs: FoundPair[]): Promise<number> {
    let proposed = 0;
    for (const p of pairs) {
      const [a, b] = await this.deps.records.recordsByIds(ctx, [p.a, p.b]);
      if (!a || !b) continue;
      const [survivor, merged] = a.createdAt <= b.createdAt ? [a, b] : [b, a];
      try {
        await this.deps.records.mergeRecords(ctx, {
          survivorId: survivor.id,
          mergedId: merged.id,
          reason: `Proposed by the match: ${p.rule} scored ${p.score}.`,
          idempotencyKey: `auto-merge:${p.a}:${p.b}`,
        });
        proposed++;
      } catch (error) {
        if (!(error instanceof CanonError)) throw error;
      }
    }
    return proposed;
  }

  async job(ctx: CallContext, id: string): Promise<MatchJob | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return isUuid(id) ? this.deps.orm.em.fork().findOne(MatchJob, { id }) : null;
  }

  async jobs(ctx: CallContext, domain: string | undefined, limit: number): Promise<MatchJob[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return this.deps.orm.em
      .fork()
      .find(MatchJob, domain ? { domain } : {}, { orderBy: { startedAt: 'desc', id: 'desc' }, limit });
  }

  /** Stops running matches (on shutdown): they end FAILED. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.runs.values()]);
  }
}
