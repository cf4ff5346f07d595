/**
 * The executable GraphQL schema as the published contracts make it (records/typed/), swapped whole
 * when they change: after a publication, deprecation or retirement on this instance (before its
 * mutation answers), and on every other replica through the change notification (the outbox event
 * of the publication wakes it; a slow poll is the safety net). A request takes the schema current
 * when it starts and finishes on it; the next one gets the new one.
 *
 * A build that fails keeps the schema in place and is logged: a contract the generator cannot map
 * must not take the API down.
 */
import type { GraphQLSchema } from 'graphql';
import { Gauge, type Registry } from 'prom-client';
import semver from 'semver';
import type { Logger } from '../logger.ts';
import { contractUri } from '../modules/contracts/contract-ids.ts';
import type { LiveVersions } from '../modules/contracts/live-versions.ts';
import { buildTypedSchema, type PublishedContract } from '../modules/records/typed/typed-schema.ts';

/** Change notifications come with every write; the signature is asked at most this often. */
const NOTIFICATION_COALESCE_MS = 200;

export class LiveSchema {
  private readonly base: GraphQLSchema;
  private readonly versions: LiveVersions;
  private readonly log: Logger;
  private current: GraphQLSchema;
  private signature: string | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Builds done since start (metrics, tests). */
  builds = 0;
  /** Domains the last build left out (their types could not be built). */
  failedDomains = 0;

  constructor(base: GraphQLSchema, versions: LiveVersions, log: Logger) {
    this.base = base;
    this.current = base;
    this.versions = versions;
    this.log = log;
  }

  /** The schema a request starting now runs on. */
  get schema(): GraphQLSchema {
    return this.current;
  }

  /** Rebuilds when the live versions changed; concurrent calls share a run, and one more follows. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.rebuildIfChanged();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** A change notification: coalesced, then a cheap signature read, a rebuild only when it moved. */
  notified(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh().catch((error) => this.log.warn({ err: error }, 'schema refresh failed'));
    }, NOTIFICATION_COALESCE_MS);
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
  }

  private async rebuildIfChanged(): Promise<void> {
    const signature = await this.versions.signature();
    if (signature === this.signature) return;
    const documents = await this.versions.documents();
    const contracts: PublishedContract[] = documents.map((d) => ({
      id: contractUri(d.contract, d.version),
      domain: d.contract,
      major: d.major ?? semver.major(d.version),
      version: `${d.contract}@${d.version}`,
      schema: d.schema,
    }));
    try {
      const built = buildTypedSchema(this.base, contracts);
      this.current = built.schema;
      this.signature = signature;
      this.builds++;
      this.failedDomains = built.failed?.length ?? 0;
      this.log.info({ types: built.summary }, 'GraphQL schema built from the published contracts');
      if (built.failed?.length)
        this.log.error(
          { failed: built.failed },
          'GraphQL types of some contracts could not be built; their records stay GenericRecord',
        );
    } catch (error) {
      this.signature = signature; // the same contracts would fail again: wait for the next change
      this.log.error(
        { err: error },
        'GraphQL schema could not be built from the contracts; the previous one stays',
      );
    }
  }
}

/** `canon_graphql_schema_builds_total` and `canon_graphql_schema_failed_domains` on /metrics. */
export function registerSchemaMetrics(registry: Registry, live: LiveSchema): void {
  new Gauge({
    name: 'canon_graphql_schema_builds_total',
    help: 'GraphQL schemas built from the published contracts since start (1 at start, +1 per change of the live versions)',
    registers: [registry],
    collect() {
      this.set(live.builds);
    },
  });
  new Gauge({
    name: 'canon_graphql_schema_failed_domains',
    help: 'Domains whose GraphQL types the last build could not make (their records answer as GenericRecord)',
    registers: [registry],
    collect() {
      this.set(live.failedDomains);
    },
  });
}
