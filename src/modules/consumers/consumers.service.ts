/**
 * Consumer-aware contract changes (DESIGN §3): who consumes each contract (subscriptions, readers
 * counted per token, domain and day, type package downloads per version), what a version's changes
 * mean for each, and the wait of breaking versions until the consumers' owners acknowledge them.
 */
import type { Orm } from '../../db/orm.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { ChangeFeedService } from '../events/change-feed.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import type { PropagationService } from '../propagation/propagation.service.ts';
import type { PublishingService } from '../publishing/publishing.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import { analyseImpact, policyOf } from './impact-analysis.ts';
import { ImpactGate } from './impact-gate.ts';
import { UsageCounter } from './usage-counter.ts';

export class ConsumersService {
  readonly usage: UsageCounter;
  readonly gate: ImpactGate;
  private readonly deps: ConstructorParameters<typeof ImpactGate>[0];

  constructor(deps: {
    orm: Orm;
    audit: AuditService;
    outbox: OutboxService;
    contracts: ContractsService;
    propagation: PropagationService;
    systems: SystemsService;
    records: RecordsService;
    xref: XrefService;
    changeFeed: ChangeFeedService;
    publishing: PublishingService;
    defaultQueue?: string;
  }) {
    this.deps = { ...deps, defaultQueue: deps.defaultQueue ?? 'data-stewards' };
    this.usage = new UsageCounter(deps.orm);
    this.gate = new ImpactGate(this.deps);
    deps.contracts.gatePublicationsWith((ctx, contract, version) => this.gate.hold(ctx, contract, version));
    deps.xref.observeLookups((_system, domain, _kind, ids, ctx) =>
      this.usage.count(ctx, domain, 'READ', ids),
    );
    deps.changeFeed.observeReads((ctx, events) => {
      const byDomain = new Map<string, number>();
      for (const e of events) if (e.domain) byDomain.set(e.domain, (byDomain.get(e.domain) ?? 0) + 1);
      for (const [domain, n] of byDomain) this.usage.count(ctx, domain, 'READ', n);
    });
    deps.publishing.observeDownloads((ctx, contract, version) =>
      this.usage.count(ctx, contract, 'PACKAGE', 1, version),
    );
  }

  /** Who consumes a contract and what a version means for them (contractImpact). */
  impact = async (ctx: CallContext, contract: string, version: string) => {
    // what was counted in memory so far is part of the answer
    await this.usage.flush().catch(() => undefined);
    return analyseImpact(this.deps, ctx, contract, version);
  };

  policy = (contract: string) => policyOf(this.deps.orm, contract);
}
