/**
 * The loop back in /metrics: how far each system lags (sequences and seconds), its backlog, what it
 * acknowledged and refused (by code), and the exceptions' resolution time per owner, domain and code.
 * Gauges read the database at scrape; counters count what this process ingested.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Services } from './services.ts';
import { systemContext } from './startup.ts';

export function registerPropagationMetrics(registry: Registry, services: Services): void {
  const ctx = systemContext('metrics');
  const perSystem = (
    name: string,
    help: string,
    pick: (s: Awaited<ReturnType<typeof lag>>[number]) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['system'],
      registers: [registry],
      async collect() {
        const rows = await lag().catch(() => null);
        if (!rows) return;
        this.reset();
        for (const row of rows) this.set({ system: row.system }, pick(row));
      },
    });
  // one read per scrape serves the four gauges
  let last: {
    at: number;
    rows: Promise<Awaited<ReturnType<Services['propagation']['reads']['lagBySystem']>>>;
  } | null = null;
  const lag = () => {
    if (!last || Date.now() - last.at > 1000)
      last = { at: Date.now(), rows: services.propagation.reads.lagBySystem(ctx) };
    return last.rows;
  };
  perSystem(
    'canon_propagation_lag_sequences',
    "Committed change sequences past a system's acknowledged sequence (its durable cursor)",
    (s) => Number(BigInt(s.headSequence) - BigInt(s.acknowledgedSequence)),
  );
  perSystem(
    'canon_propagation_lag_seconds',
    'Seconds since the oldest change a system has yet to acknowledge was committed (0: none)',
    (s) => s.oldestUnacknowledgedAge,
  );
  perSystem(
    'canon_propagation_behind_records',
    'Records of its subscriptions a system has yet to apply',
    (s) => s.behindRecords,
  );
  perSystem(
    'canon_propagation_failed_records',
    'Records whose newest acknowledged revision a system refused',
    (s) => s.failedRecords,
  );

  const acks = new Counter({
    name: 'canon_acknowledgements_total',
    help: 'Acknowledgements recorded by this process (new or replaced), by system and status',
    labelNames: ['system', 'status'],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'canon_acknowledgement_refusals_total',
    help: "Refusals recorded by this process, by system and the system's error code",
    labelNames: ['system', 'code'],
    registers: [registry],
  });
  services.propagation.acks.onCounted = (system, status, code, n) => {
    acks.inc({ system, status }, n);
    if (status === 'REFUSED') refusals.inc({ system, code: code ?? '' }, n);
  };

  let summary: { at: number; rows: ReturnType<Services['exceptions']['reads']['summary']> } | null = null;
  const summaryRows = () => {
    if (!summary || Date.now() - summary.at > 1000)
      summary = { at: Date.now(), rows: services.exceptions.reads.summary(ctx) };
    return summary.rows;
  };
  new Gauge({
    name: 'canon_exceptions_live',
    help: 'Exceptions OPEN or ACKNOWLEDGED, by owning team, domain and code',
    labelNames: ['owner', 'domain', 'code'],
    registers: [registry],
    async collect() {
      const rows = await summaryRows().catch(() => null);
      if (!rows) return;
      this.reset();
      for (const r of rows)
        this.set({ owner: r.owner, domain: r.domain ?? '', code: r.code }, r.open + r.acknowledged);
    },
  });
  new Gauge({
    name: 'canon_exception_resolution_seconds',
    help: 'Seconds from filed to closed of closed exceptions, by owning team, domain, code and statistic (mean, p90)',
    labelNames: ['owner', 'domain', 'code', 'stat'],
    registers: [registry],
    async collect() {
      const rows = await summaryRows().catch(() => null);
      if (!rows) return;
      this.reset();
      for (const r of rows) {
        const labels = { owner: r.owner, domain: r.domain ?? '', code: r.code };
        if (r.meanResolutionSeconds !== null) this.set({ ...labels, stat: 'mean' }, r.meanResolutionSeconds);
        if (r.p90ResolutionSeconds !== null) this.set({ ...labels, stat: 'p90' }, r.p90ResolutionSeconds);
      }
    },
  });
}
