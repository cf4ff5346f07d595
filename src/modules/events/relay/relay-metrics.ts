/**
 * The relay on /metrics: how far the stream is behind the outbox (the number to alert on), whether
 * this instance leads and is connected, and what it published, failed and reconnected since start.
 * Read when Prometheus scrapes; a scrape that cannot reach the database leaves the lag out.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventRelay, RelayCounters } from './event-relay.ts';

export function registerRelayMetrics(registry: Registry, relay: EventRelay): void {
  if (!relay.settings) return;
  new Gauge({
    name: 'canon_event_relay_lag_events',
    help: 'Committed change events not yet acknowledged by the JetStream stream (outbox head - last published sequence)',
    registers: [registry],
    async collect() {
      const status = await relay.status().catch(() => null);
      if (status) this.set(status.lag);
    },
  });
  new Gauge({
    name: 'canon_event_relay_last_published_sequence',
    help: 'The last outbox sequence the stream acknowledged',
    registers: [registry],
    async collect() {
      const status = await relay.status().catch(() => null);
      if (status) this.set(Number(status.lastPublishedSequence));
    },
  });
  new Gauge({
    name: 'canon_event_relay_leader',
    help: '1 when this instance publishes the stream, 0 when it stands by (or cannot reach NATS)',
    registers: [registry],
    collect() {
      this.set(relay.summary().state === 'leading' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'canon_event_relay_connected',
    help: '1 when this instance is connected to NATS',
    registers: [registry],
    collect() {
      this.set(relay.summary().connected ? 1 : 0);
    },
  });
  const total = (name: string, help: string, key: keyof RelayCounters) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // the relay counts; the counter shows its count (it only grows)
        this.reset();
        this.inc(relay.counters[key]);
      },
    });
  total('canon_event_relay_published_total', 'Events this instance published to the stream', 'published');
  total(
    'canon_event_relay_duplicates_total',
    'Events this instance sent that the stream already had (dropped by de-duplication)',
    'duplicates',
  );
  total('canon_event_relay_failures_total', 'Failed publish or setup attempts (each retried)', 'failures');
  total('canon_event_relay_reconnects_total', 'Reconnections to NATS', 'reconnects');
}
