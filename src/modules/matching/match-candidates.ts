/**
 * The stewards' queue of possible duplicates: pairs stored set-wise (one statement per batch), a pair
 * marked NOT_DUPLICATE never suggested again, pairs merged closed; the queue shows open pairs of live
 * records, best first.
 */
import { LockMode } from '@mikro-orm/core';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { CanonError, notFound } from '../../errors.ts';
import { assertTextLength } from '../../text-limits.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import { type CandidateStatus, MatchCandidate, type MatchReason } from './match.entities.ts';

export interface StoredPair {
  a: string;
  b: string;
  score: number;
  rule: string;
  reasons: MatchReason[];
}

export interface CandidatePage {
  domain: string;
  minScore: number;
  limit: number;
  /** Keyset: the last (score, id) of the previous page. */
  after?: [number, string];
}

const ordered = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

export class MatchCandidates {
  private readonly orm: Orm;
  private readonly audit: AuditService;

  constructor(orm: Orm, audit: AuditService) {
    this.orm = orm;
    this.audit = audit;
  }

  /** Stores pairs (open ones get the new score and reasons; decided ones stay as they are). */
  async store(
    em: Em,
    domain: string,
    foundBy: 'PROPOSAL' | 'JOB',
    pairs: readonly StoredPair[],
  ): Promise<number> {
    let stored = 0;
    for (let i = 0; i < pairs.length; i += 2_000) {
      const batch = pairs.slice(i, i + 2_000).map((p) => {
        const [a, b] = ordered(p.a, p.b);
        return { ...p, a, b };
      });
      const rows = await em.getConnection().execute<{ id: string }[]>(
        `insert into match_candidate (id, domain, record_a, record_b, score, rule, reasons, status, found_by, found_at, lock_version)
         select gen_random_uuid(), ?, u.a::uuid, u.b::uuid, u.s, u.r, u.j::jsonb, 'OPEN', ?, now(), 1
           from unnest(?::text[], ?::text[], ?::float8[], ?::text[], ?::text[]) as u(a, b, s, r, j)
         on conflict (domain, record_a, record_b) do update
            set score = excluded.score, rule = excluded.rule, reasons = excluded.reasons,
                found_by = excluded.found_by, found_at = excluded.found_at
          where match_candidate.status = 'OPEN'
         returning id`,
        [
          domain,
          foundBy,
          toPgArray(batch.map((p) => p.a)),
          toPgArray(batch.map((p) => p.b)),
          toPgArray(batch.map((p) => String(p.score))),
          toPgArray(batch.map((p) => p.rule)),
          toPgArray(batch.map((p) => JSON.stringify(p.reasons))),
        ],
        'all',
        em.getTransactionContext(),
      );
      stored += rows.length;
    }
    return stored;
  }

  /** Closes a pair (merged, or unmerged: then remembered as not a duplicate). */
  async close(
    em: Em,
    domain: string,
    x: string,
    y: string,
    status: CandidateStatus,
    actorId: string | null,
    note: string | null,
  ): Promise<void> {
    const [a, b] = ordered(x, y);
    await em.getConnection().execute(
      `insert into match_candidate (id, domain, record_a, record_b, score, rule, reasons, status, found_by, found_at, decided_at, decided_by, note, lock_version)
       values (gen_random_uuid(), ?, ?, ?, 0, 'steward', '[]'::jsonb, ?, 'STEWARD', now(), now(), ?, ?, 1)
       on conflict (domain, record_a, record_b) do update
          set status = excluded.status, decided_at = now(), decided_by = excluded.decided_by, note = excluded.note,
              lock_version = match_candidate.lock_version + 1`,
      [domain, a, b, status, actorId, note],
      'all',
      em.getTransactionContext(),
    );
  }

  async page(ctx: CallContext, p: CandidatePage): Promise<MatchCandidate[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const em = this.orm.em.fork();
    const rows = await em.getConnection().execute<Record<string, unknown>[]>(
      `select m.* from match_candidate m
         join golden_record a on a.id = m.record_a and a.status = 'ACTIVE'
         join golden_record b on b.id = m.record_b and b.status = 'ACTIVE'
        where m.domain = ? and m.status = 'OPEN' and m.score >= ?
          ${p.after ? 'and (m.score, m.id) < (?, ?::uuid)' : ''}
        order by m.score desc, m.id desc limit ?`,
      [p.domain, p.minScore, ...(p.after ? p.after : []), p.limit],
    );
    return rows.map((r) => em.map(MatchCandidate, r));
  }

  async count(ctx: CallContext, domain: string, minScore: number): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const [row] = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(
        `select count(*) as n from match_candidate m
         join golden_record a on a.id = m.record_a and a.status = 'ACTIVE'
         join golden_record b on b.id = m.record_b and b.status = 'ACTIVE'
        where m.domain = ? and m.status = 'OPEN' and m.score >= ?`,
        [domain, minScore],
      );
    return Number(row.n);
  }

  /** Open pairs of two live records per domain (the metrics' gauge). */
  async openCounts(ctx: CallContext): Promise<{ domain: string; count: number }[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const rows = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ domain: string; n: string }[]>(
        `select m.domain, count(*) as n from match_candidate m
           join golden_record a on a.id = m.record_a and a.status = 'ACTIVE'
           join golden_record b on b.id = m.record_b and b.status = 'ACTIVE'
          where m.status = 'OPEN' group by m.domain order by m.domain`,
      );
    return rows.map((r) => ({ domain: r.domain, count: Number(r.n) }));
  }

  async get(ctx: CallContext, id: string): Promise<MatchCandidate | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return isUuid(id) ? this.orm.em.fork().findOne(MatchCandidate, { id }) : null;
  }

  /**
   * A steward says the pair is not a duplicate: remembered, never suggested again. `lockVersion`
   * given and moved (another steward decided first): VERSION_CONFLICT.
   */
  async dismiss(
    ctx: CallContext,
    id: string,
    note: string | null,
    lockVersion?: number,
    idempotencyKey?: string,
  ): Promise<MatchCandidate> {
    authorize(ctx.ability, ctx.actor, 'merge', 'GoldenRecord');
    assertTextLength(note ?? undefined, 'reason', ['note']);
    const replay = (em: Em): Replayable<MatchCandidate> => ({
      idOf: (c) => c.id,
      replay: (cid) => em.findOneOrFail(MatchCandidate, { id: cid }),
    });
    const input = { id, note, lockVersion };
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'markNotDuplicate',
      input,
      replay,
      async (em) => {
        const c = isUuid(id)
          ? await em.findOne(MatchCandidate, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE })
          : null;
        if (!c) throw notFound('The match candidate', ['id']);
        if (lockVersion !== undefined && c.lockVersion !== lockVersion)
          throw new CanonError(
            'VERSION_CONFLICT',
            `The candidate changed since (now ${c.status}, version ${c.lockVersion}).`,
            {
              path: ['lockVersion'],
            },
          );
        if (c.status === 'NOT_DUPLICATE') return c;
        if (c.status === 'MERGED')
          throw new CanonError(
            'INVALID_STATE',
            'The pair was merged; unmerge it to say it is not a duplicate.',
            { path: ['id'] },
          );
        c.status = 'NOT_DUPLICATE';
        c.decidedAt = new Date();
        c.decidedBy = ctx.actor?.id ?? null;
        c.note = note;
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'MATCH_CANDIDATE_DISMISSED',
          subjectType: 'MatchCandidate',
          subjectId: c.id,
          after: { recordA: c.recordA, recordB: c.recordB, score: c.score, note },
        });
        return c;
      },
    );
  }
}
