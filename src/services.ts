/** The services of one Canon instance, wired by the composition root (app.ts). */

import { Callers } from './callers.ts';
import type { Orm } from './db/orm.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { AuthService } from './modules/auth/auth.service.ts';
import { CredentialChanges } from './modules/auth/credential-changes.ts';
import { IdentityActors } from './modules/auth/oidc/identity-actors.ts';
import { OidcVerifier } from './modules/auth/oidc/jwt-verifier.ts';
import type { OidcSettings } from './modules/auth/oidc/oidc-settings.ts';
import { SignInFlow } from './modules/auth/oidc/sign-in-flow.ts';
import { CcompatService } from './modules/ccompat/ccompat.service.ts';
import { ConsumersService } from './modules/consumers/consumers.service.ts';
import { ContractsService } from './modules/contracts/contracts.service.ts';
import { ChangeFeedService } from './modules/events/change-feed.service.ts';
import { ChangeNotifier, CREDENTIALS_CHANNEL } from './modules/events/change-notifier.ts';
import { OutboxService } from './modules/events/outbox.service.ts';
import { EventRelay } from './modules/events/relay/event-relay.ts';
import type { NatsSettings } from './modules/events/relay/nats-env.ts';
import { RelayService } from './modules/events/relay/relay.service.ts';
import { ExceptionsService } from './modules/exceptions/exceptions.service.ts';
import { MatchingService } from './modules/matching/matching.service.ts';
import { ExportService } from './modules/onboarding/export.service.ts';
import { ImportService } from './modules/onboarding/import.service.ts';
import { ReconcileService } from './modules/onboarding/reconcile.service.ts';
import { ReconcileJobs } from './modules/onboarding/reconcile-jobs.ts';
import { PropagationService } from './modules/propagation/propagation.service.ts';
import { PublishingService } from './modules/publishing/publishing.service.ts';
import { RecordsService } from './modules/records/records.service.ts';
import { SystemsService } from './modules/systems/systems.service.ts';
import { XrefService } from './modules/xref/xref.service.ts';

export interface Services {
  orm: Orm;
  audit: AuditService;
  outbox: OutboxService;
  auth: AuthService;
  contracts: ContractsService;
  /** Confluent Schema Registry's operations over the contract registry. */
  ccompat: CcompatService;
  publishing: PublishingService;
  records: RecordsService;
  systems: SystemsService;
  xref: XrefService;
  /** Duplicate detection: match rules, candidates, match jobs. */
  matching: MatchingService;
  /** Subscriptions, acknowledgements, propagation state and durable cursors per system. */
  propagation: PropagationService;
  /** Integration exceptions with owners, quarantine and resolution time. */
  exceptions: ExceptionsService;
  /** Who consumes each contract, and the wait of breaking versions for their owners. */
  consumers: ConsumersService;
  imports: ImportService;
  exports: ExportService;
  reconcile: ReconcileService;
  reconcileJobs: ReconcileJobs;
  changeFeed: ChangeFeedService;
  /** The relay of the outbox to NATS JetStream (disabled without NATS settings). */
  relay: EventRelay;
  /** The relay for operators: status and replays. */
  relayAdmin: RelayService;
  /** Who is calling, from a bearer header (cached; see callers.ts). */
  callers: Callers;
  /** The console's sign-in with the identity provider (/auth/…); null without one. */
  signInFlow: SignInFlow | null;
}

export function createServices(
  orm: Orm,
  options: {
    packageScope?: string;
    credentialCacheMs?: number;
    oidc?: OidcSettings;
    publicUrl?: string;
    /** NATS settings: the relay publishes change events there once started. */
    nats?: NatsSettings;
    /** The PostgreSQL server (the relay's leadership lock); none on the embedded PGlite. */
    databaseUrl?: string;
    /** The team exceptions go to when no rule, system or contract names one. */
    exceptionsDefaultQueue?: string;
  } = {},
): Services {
  const audit = new AuditService();
  const outbox = new OutboxService();
  const publishing = new PublishingService(orm, options.packageScope ?? '@canon');
  const contracts = new ContractsService(orm, audit, outbox, publishing);
  const credentialChanges = new CredentialChanges();
  const systems = new SystemsService(orm, audit, contracts, credentialChanges);
  const auth = new AuthService(orm, audit, credentialChanges, systems);
  const records = new RecordsService(orm, audit, outbox, contracts);
  const notifier = new ChangeNotifier();
  const changeFeed = new ChangeFeedService(orm, notifier);
  const relay = new EventRelay(orm, changeFeed, { settings: options.nats, databaseUrl: options.databaseUrl });
  const verifier = options.oidc ? new OidcVerifier(options.oidc) : null;
  const callers = new Callers(auth, systems, credentialChanges, {
    cacheMs: options.credentialCacheMs,
    identities: verifier ? { verifier, actors: new IdentityActors(orm, audit) } : undefined,
    broadcast: async () => {
      await orm.em.getConnection().execute('select pg_notify(?, ?)', [CREDENTIALS_CHANNEL, '']);
    },
  });
  notifier.onCredentialsChanged(() => callers.forgetAll());
  notifier.onListenerState((connected) => callers.setListenerDown(!connected));
  records.rankSourcesWith((em, domain, site) => systems.ownersIn(em, domain, site));
  const xref = new XrefService(orm, audit, outbox, records, systems, contracts);
  const reconcile = new ReconcileService({ orm, records, xref, systems });
  const imports = new ImportService({ orm, audit, records, xref, contracts, outbox });
  const reconcileJobs = new ReconcileJobs({ orm, reconcile });
  const propagation = new PropagationService({ orm, audit, outbox, systems, contracts, xref });
  const exceptions = new ExceptionsService({
    orm,
    audit,
    outbox,
    systems,
    contracts,
    records,
    propagation,
    changeFeed,
    imports,
    reconcileJobs,
    defaultQueue: options.exceptionsDefaultQueue,
  });
  const consumers = new ConsumersService({
    orm,
    audit,
    outbox,
    contracts,
    propagation,
    systems,
    records,
    xref,
    changeFeed,
    publishing,
    defaultQueue: options.exceptionsDefaultQueue,
  });
  return {
    orm,
    audit,
    outbox,
    auth,
    contracts,
    publishing,
    records,
    systems,
    xref,
    matching: new MatchingService({ orm, audit, contracts, records }),
    propagation,
    exceptions,
    consumers,
    imports,
    exports: new ExportService({ orm, contracts, xref, records, outbox }),
    reconcile,
    reconcileJobs,
    changeFeed,
    relay,
    relayAdmin: new RelayService(orm, relay, audit),
    ccompat: new CcompatService(contracts),
    callers,
    signInFlow:
      options.oidc && verifier
        ? new SignInFlow({ settings: options.oidc, verifier, publicUrl: options.publicUrl })
        : null,
  };
}
