/**
 * What operators watch besides latency: proposals waiting per domain, decisions taken, xref lookups by
 * system and how far change subscriptions lag. Gauges read the database when Prometheus scrapes (one
 * indexed count); counters count what this process did. A scrape that cannot reach the database
 * leaves the gauges out rather than failing the scrape.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Services } from './services.ts';
import { systemContext } from './startup.ts';

export interface BusinessMetrics {
  /** Change requests decided in this process, by domain and outcome (APPLIED, REJECTED, …). */
  decisions: Counter<'domain' | 'status'>;
  /** Ids looked up in a system's map (resolveXrefs, resolveExternalKeys, translateXrefs), by system. */
  xrefResolves: Counter<'system' | 'domain' | 'kind'>;
  /** Merges and unmerges applied by this process, by domain and operation (MERGE, UNMERGE). */
  merges: Counter<'domain' | 'operation'>;
}

export function registerBusinessMetrics(registry: Registry, services: Services): BusinessMetrics {
  const ctx = systemContext('metrics');
  new Gauge({
    name: 'canon_change_requests_pending',
    help: 'Change requests waiting for a steward, by domain',
    labelNames: ['domain'],
    registers: [registry],
    async collect() {
      const counts = await services.records
        .countChangeRequestsByDomain(ctx, { status: 'PENDING' })
        .catch(() => null);
      if (!counts) return;
      this.reset();
      for (const c of counts) this.set({ domain: c.domain }, c.count);
    },
  });
  const feed = (name: string, help: string, pick: (lag: { followers: number; events: number }) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const lag = await services.changeFeed.lag().catch(() => null);
        if (lag) this.set(pick(lag));
      },
    });
  feed(
    'canon_change_feed_subscriptions',
    'Live `changes` subscriptions served by this process',
    (l) => l.followers,
  );
  feed(
    'canon_change_feed_lag_events',
    'Committed change events the slowest subscription of this process has yet to receive (0: all caught up)',
    (l) => l.events,
  );
  const decisions = new Counter({
    name: 'canon_change_requests_decided_total',
    help: 'Change requests decided by this process, by domain and outcome (APPLIED, REJECTED, WITHDRAWN, CONFLICT)',
    labelNames: ['domain', 'status'],
    registers: [registry],
  });
  const xrefResolves = new Counter({
    name: 'canon_xref_resolves_total',
    help: "Ids looked up in a system's cross-reference map, by system, domain and kind (id, key, translate)",
    labelNames: ['system', 'domain', 'kind'],
    registers: [registry],
  });
  new Gauge({
    name: 'canon_match_candidates_open',
    help: 'Possible duplicates waiting for a steward (open pairs of two live records), by domain',
    labelNames: ['domain'],
    registers: [registry],
    async collect() {
      const counts = await services.matching.candidates.openCounts(ctx).catch(() => null);
      if (!counts) return;
      this.reset();
      for (const c of counts) this.set({ domain: c.domain }, c.count);
    },
  });
  const merges = new Counter({
    name: 'canon_records_merged_total',
    help: 'Merges and unmerges applied by this process, by domain and operation (MERGE, UNMERGE)',
    labelNames: ['domain', 'operation'],
    registers: [registry],
  });
  return { decisions, xrefResolves, merges };
}
