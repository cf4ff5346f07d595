/**
 * Propagation (DESIGN §8): which systems are expected to apply which domains, what each acknowledged,
 * where every record stands in every system and each system's durable feed cursor. It learns about
 * changes from the events service (appended events, change lookups), never from other modules' tables.
 */
import type { Orm } from '../../db/orm.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import { AckIngest } from './ack-ingest.ts';
import { projectChanges } from './propagation-projector.ts';
import { PropagationReads } from './propagation-reads.ts';
import { Subscriptions } from './subscriptions.ts';

export class PropagationService {
  readonly subscriptions: Subscriptions;
  readonly acks: AckIngest;
  readonly reads: PropagationReads;

  constructor(deps: {
    orm: Orm;
    audit: AuditService;
    outbox: OutboxService;
    systems: SystemsService;
    contracts: ContractsService;
    xref: XrefService;
  }) {
    this.subscriptions = new Subscriptions(deps);
    this.acks = new AckIngest(deps);
    this.reads = new PropagationReads(deps.orm);
    deps.outbox.onAppended(projectChanges);
  }
}
