/** The services of one Canon instance, wired by the composition root (app.ts). */
import type { Orm } from './db/orm.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import type { Actor } from './modules/auth/actor-context.ts';
import { AuthService } from './modules/auth/auth.service.ts';
import { CredentialCache } from './modules/auth/credential-cache.ts';
import { ContractsService } from './modules/contracts/contracts.service.ts';
import { ChangeFeedService } from './modules/events/change-feed.service.ts';
import { ChangeNotifier } from './modules/events/change-notifier.ts';
import { OutboxService } from './modules/events/outbox.service.ts';
import { IdempotencyService } from './modules/idempotency/idempotency.service.ts';
import { PublishingService } from './modules/publishing/publishing.service.ts';
import { RecordsService } from './modules/records/records.service.ts';
import { type OwnershipRule, SystemsService } from './modules/systems/systems.service.ts';
import { XrefService } from './modules/xref/xref.service.ts';

export interface Services {
  orm: Orm;
  audit: AuditService;
  outbox: OutboxService;
  auth: AuthService;
  contracts: ContractsService;
  publishing: PublishingService;
  records: RecordsService;
  systems: SystemsService;
  xref: XrefService;
  changeFeed: ChangeFeedService;
  /** Bearer token → actor and (connectors) ownership rules; see credential-cache.ts. */
  credentials: CredentialCache<{ actor: Actor; ownership: OwnershipRule[] }>;
}

/** How long another replica may keep accepting a token revoked elsewhere (docs/authorization.md). */
export const CREDENTIAL_CACHE_MS = 2_000;

export function createServices(orm: Orm, options: { packageScope?: string } = {}): Services {
  const audit = new AuditService();
  const outbox = new OutboxService();
  const publishing = new PublishingService(orm, options.packageScope ?? '@canon');
  const contracts = new ContractsService(orm, audit, outbox, publishing);
  const auth = new AuthService(orm, audit);
  const systems = new SystemsService(orm, audit, contracts);
  const credentials = new CredentialCache<{ actor: Actor; ownership: OwnershipRule[] }>(CREDENTIAL_CACHE_MS);
  auth.credentialsChanged = () => credentials.invalidate();
  systems.credentialsChanged = () => credentials.invalidate();
  return {
    orm,
    audit,
    outbox,
    auth,
    contracts,
    publishing,
    records: new RecordsService(orm, audit, outbox, contracts, new IdempotencyService()),
    systems,
    xref: new XrefService(orm, audit, outbox),
    changeFeed: new ChangeFeedService(orm, new ChangeNotifier()),
    credentials,
  };
}
