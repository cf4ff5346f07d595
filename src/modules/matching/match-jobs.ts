/**
 * `canon match --domain D` and `startMatchJob`: a match over a whole domain in the background, its
 * progress written as it goes (phase, records read, comparisons done), its pairs stored when it ends;
 * pairs a rule scores at its auto-merge threshold become merge proposals (under the approval
 * policy). A server that stops ends its running jobs FAILED (matching only reads: run it again).
 */

import { createHash } from 'node:crypto';
import { validate as isUuid } from 'uuid';
import { lockNamed } from '../../db/locks.ts';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import { type FoundPair, matchDomain } from './domain-matcher.ts';
import { MatchJob, type MatchRule } from './match.entities.ts';
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

  async start(ctx: CallContext, domain: string, idempotencyKey?: string): Promise<MatchJob> {
    authorize(ctx.ability, ctx.actor, 'merge', 'GoldenRecord');
    let created = false;
    const replay = (em: Em): Replayable<MatchJob> => ({
      idOf: (j) => j.id,
      replay: (id) => em.findOneOrFail(MatchJob, { id }),
    });
    const job = await idempotentTransaction(
      this.deps.orm,
      ctx,
      idempotencyKey,
      'startMatchJob',
      { domain },
      replay,
      async (tx) => {
        await this.deps.contracts.validatorFor(tx, domain); // NOT_FOUND for an unknown domain
        // one match of a domain at a time: a second start answers the running one
        await lockNamed(tx, `match-job:${domain}`);
        const running = await tx.findOne(MatchJob, { domain, status: 'RUNNING' });
        if (
          running &&
          (this.runs.has(running.id) || Date.now() - running.startedAt.getTime() < STALE_AFTER_MS)
        )
          return running;
        if (running) {
          // left RUNNING by a server that died: nobody will finish it
          running.status = 'FAILED';
          running.error = 'The server running it stopped.';
          running.finishedAt = new Date();
        }
        // nothing written in the domain and the rules unchanged since the last match: its answer stands
        const recordsAsOf = await this.deps.records.lastWriteIn(tx, domain);
        const rulesSignature = signatureOf(await this.deps.rules.activeIn(tx, domain));
        const last = await tx.findOne(
          MatchJob,
          { domain, status: 'COMPLETED' },
          { orderBy: { startedAt: 'desc' } },
        );
        if (
          last &&
          last.rulesSignature === rulesSignature &&
          (last.recordsAsOf?.getTime() ?? null) === (recordsAsOf?.getTime() ?? null)
        )
          return last;
        const j = tx.create(MatchJob, {
          domain,
          phase: 'READING',
          startedBy: ctx.actor?.id ?? null,
          recordsAsOf,
          rulesSignature,
        });
        await tx.flush();
        created = true;
        await this.deps.audit.record(tx, ctx, {
          action: 'MATCH_JOB_STARTED',
          subjectType: 'MatchJob',
          subjectId: j.id,
          after: { domain },
        });
        return j;
      },
    );
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
      let latest = { comparisons: 0, compared: 0 };
      const { records, pairs } = await matchDomain(em, domain, rules, async (p) => {
        latest = { comparisons: p.comparisons, compared: p.compared };
        if (this.stopping)
          throw new CanonError('SERVICE_UNAVAILABLE', 'The server stopped during the match; run it again.');
        await update({
          phase: p.phase,
          records: p.records,
          comparisons: p.comparisons,
          compared: p.compared,
        });
      });
      await update({ phase: 'STORING', records, ...latest }, true);
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

  /** A page of jobs, newest first, after a (startedAt, id) cursor; one row more when there are more. */
  async jobs(
    ctx: CallContext,
    domain: string | undefined,
    page: { limit: number; after?: [string, string] },
  ): Promise<MatchJob[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const at = page.after ? new Date(page.after[0]) : null;
    if (page.after && (Number.isNaN(at!.getTime()) || !isUuid(page.after[1])))
      throw new CanonError('BAD_USER_INPUT', 'The cursor is not one of this list.', { path: ['after'] });
    const where = {
      ...(domain ? { domain } : {}),
      ...(page.after
        ? { $or: [{ startedAt: { $lt: at! } }, { startedAt: at!, id: { $lt: page.after[1] } }] }
        : {}),
    };
    return this.deps.orm.em
      .fork()
      .find(MatchJob, where, { orderBy: { startedAt: 'desc', id: 'desc' }, limit: page.limit + 1 });
  }

  /** Stops running matches (on shutdown): they end FAILED. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.runs.values()]);
  }
}

/** A digest of the rules a match used (ids and versions): a rule changed, added or removed changes it. */
function signatureOf(rules: readonly MatchRule[]): string {
  const text = rules
    .map((r) => `${r.id}:${r.lockVersion}`)
    .sort()
    .join(',');
  return createHash('sha256').update(text).digest('hex');
}
