/**
 * Prometheus metrics (prom-client): process defaults, HTTP requests, GraphQL operations by name,
 * type and outcome with latency, typed errors by code, business gauges (business-metrics.ts), the
 * PostgreSQL pool's usage and the change listener's state.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'route' | 'status'>;
  readonly operations: Counter<'operation' | 'type' | 'outcome'>;
  readonly operationSeconds: Histogram<'operation' | 'type'>;
  readonly compiledLane: Counter<'outcome'>;
  readonly answeredErrors: Counter<'operation' | 'code'>;
  readonly readRetries: Counter;

  constructor(
    poolStats: () => PoolStats | undefined,
    listener: () => { connected: boolean; reconnects: number } = () => ({ connected: true, reconnects: 0 }),
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'canon_' });
    this.httpRequests = new Counter({
      name: 'canon_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers: [this.registry],
    });
    this.operations = new Counter({
      name: 'canon_graphql_operations_total',
      help: 'GraphQL operations by name, type and outcome (ok; answered_error: a typed error answered; error: the request failed)',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [this.registry],
    });
    this.operationSeconds = new Histogram({
      name: 'canon_graphql_operation_duration_seconds',
      help: 'GraphQL operation latency',
      labelNames: ['operation', 'type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.answeredErrors = new Counter({
      name: 'canon_graphql_errors_total',
      help: 'Typed errors GraphQL operations answered (NOT_FOUND, VERSION_CONFLICT, …), by operation and code',
      labelNames: ['operation', 'code'],
      registers: [this.registry],
    });
    this.compiledLane = new Counter({
      name: 'canon_graphql_compiled_lane_total',
      help: 'GraphQL requests the compiled lane answered (answered) or handed to yoga (declined)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.readRetries = new Counter({
      name: 'canon_graphql_read_retries_total',
      help: 'GraphQL queries run a second time after the database connection broke under them',
      registers: [this.registry],
    });
    const pool = (name: string, help: string, pick: (s: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const s = poolStats();
          if (s) this.set(pick(s));
        },
      });
    new Gauge({
      name: 'canon_change_listener_connected',
      help: 'Whether the PostgreSQL LISTEN connection for change and credential notifications is up (1) or reconnecting (0)',
      registers: [this.registry],
      collect() {
        this.set(listener().connected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'canon_change_listener_reconnects',
      help: 'Times the change listener reconnected since start',
      registers: [this.registry],
      collect() {
        this.set(listener().reconnects);
      },
    });
    pool('canon_db_pool_connections', 'Open PostgreSQL connections in the pool', (s) => s.totalCount);
    pool('canon_db_pool_idle_connections', 'Idle PostgreSQL connections in the pool', (s) => s.idleCount);
    pool('canon_db_pool_waiting_requests', 'Queries waiting for a pooled connection', (s) => s.waitingCount);
  }
}
