/**
 * Match and merge's detection half (DESIGN §5): rules per domain, possible duplicates of proposals as
 * they arrive (shown on the change request, stored as candidates once applied), matches over whole
 * domains in the background, and the stewards' queue. Merging is the records module's
 * (`mergeRecords`); this module closes the pairs merges and unmerges decide.
 */
import type { Em, Orm } from '../../db/orm.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { ChangeRequest, RecordsService } from '../records/records.service.ts';
import { MatchCandidates } from './match-candidates.ts';
import { MatchJobs } from './match-jobs.ts';
import { MatchRules } from './match-rules.ts';
import { ProposalMatcher } from './proposal-matcher.ts';

export class MatchingService {
  readonly rules: MatchRules;
  readonly candidates: MatchCandidates;
  readonly jobs: MatchJobs;

  constructor(deps: { orm: Orm; audit: AuditService; contracts: ContractsService; records: RecordsService }) {
    this.rules = new MatchRules(deps.orm, deps.audit, deps.contracts);
    this.candidates = new MatchCandidates(deps.orm, deps.audit);
    this.jobs = new MatchJobs({ ...deps, rules: this.rules, candidates: this.candidates });
    const matcher = new ProposalMatcher({
      keyFieldsOf: (em, domain) => deps.records.keyFieldsOf(em, domain),
      rulesOf: (em, domain) => this.rules.activeCached(em, domain),
    });
    deps.records.findDuplicatesWith((em, domain, data, recordId) => matcher.find(em, domain, data, recordId));
    deps.records.onDecided((em, ctx, crs) => this.decided(em, ctx.actor?.id ?? null, crs));
  }

  /** In the decision's transaction: applied proposals' duplicates become candidates; merges close pairs. */
  private async decided(em: Em, actorId: string | null, crs: readonly ChangeRequest[]): Promise<void> {
    for (const cr of crs) {
      if (cr.status !== 'APPLIED' || !cr.recordId) continue;
      if (cr.operation === 'MERGE' && cr.merge)
        await this.candidates.close(
          em,
          cr.domain,
          cr.recordId,
          cr.merge.mergedId,
          'MERGED',
          actorId,
          cr.reason ?? null,
        );
      else if (cr.operation === 'UNMERGE' && cr.merge)
        // an unmerge says the two are not one: remembered, never suggested again
        await this.candidates.close(
          em,
          cr.domain,
          cr.merge.survivorId,
          cr.merge.mergedId,
          'NOT_DUPLICATE',
          actorId,
          cr.reason ?? null,
        );
      else if (cr.duplicates && cr.duplicates.length > 0) {
        await this.candidates.store(
          em,
          cr.domain,
          'PROPOSAL',
          cr.duplicates.map((d) => {
            // reasons compare the proposal (left) with the other record (right); a pair is stored
            // in id order, so the sides follow it
            const swap = d.recordId < cr.recordId!;
            return {
              a: cr.recordId!,
              b: d.recordId,
              score: d.score,
              rule: d.rule,
              reasons: swap
                ? d.reasons.map((r) => ({
                    ...r,
                    fields: r.fields.map((f) => ({ ...f, left: f.right, right: f.left })),
                  }))
                : d.reasons,
            };
          }),
        );
      }
    }
  }
}
