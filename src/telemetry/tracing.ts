/**
 * OpenTelemetry traces, off unless the standard OTEL_* variables ask for them: a span per GraphQL
 * operation (graphql/tracing-plugin.ts), per root field and per service step on the slow paths
 * (builder.ts, `withSpan`), and per SQL statement (the ORM's query log, the bound and prepared
 * statements). Exported over OTLP/HTTP to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, or printed with
 * OTEL_TRACES_EXPORTER=console. While off, nothing here calls the OpenTelemetry API: the hot paths pay a
 * boolean test.
 */
import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { CANON_VERSION } from '../version.ts';

let tracer: Tracer | null = null;
let provider: TracerProvider | null = null;

/** Whether spans are being recorded (tracing started in this process). */
export const tracingOn = (): boolean => tracer !== null;

/** Which exporter the environment asks for; null: tracing stays off. */
export function exporterFromEnv(env: NodeJS.ProcessEnv = process.env): 'otlp' | 'console' | null {
  if (env.OTEL_SDK_DISABLED === 'true') return null;
  const named = env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim();
  if (named === 'none') return null;
  if (named === 'console') return 'console';
  if (named === 'otlp') return 'otlp';
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : null;
}

/**
 * The sampler OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG name (the specification's values; the
 * SDK no longer reads them itself). Default: parentbased_always_on.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? 1);
  const traceIdRatio = () =>
    new TraceIdRatioBasedSampler(Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1);
  switch (env.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return traceIdRatio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: traceIdRatio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Starts tracing with the exporter the environment names, or the one given (tests pass an in-memory
 * exporter, exported span by span). Returns how to flush and stop, or null when tracing stays off.
 */
export async function startTracing(
  given?: SpanExporter,
): Promise<{ shutdown: () => Promise<void>; flush: () => Promise<void> } | null> {
  if (provider) return { shutdown: stopTracing, flush: () => provider!.forceFlush() };
  const kind = given ? 'given' : exporterFromEnv();
  if (!kind) return null;
  let exporter: SpanExporter;
  if (given) exporter = given;
  else if (kind === 'console') exporter = new ConsoleSpanExporter();
  else {
    // loaded only when asked for: the OTLP exporter reads the OTEL_EXPORTER_OTLP_* variables itself
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter();
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // a caller's `traceparent` header makes its trace the parent of the operation's span
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? 'canon',
      [ATTR_SERVICE_VERSION]: CANON_VERSION,
    }),
    sampler: samplerFromEnv(),
    spanProcessors: [given ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter })],
  });
  trace.setGlobalTracerProvider(provider);
  tracer = provider.getTracer('canon', CANON_VERSION);
  return { shutdown: stopTracing, flush: () => provider!.forceFlush() };
}

async function stopTracing(): Promise<void> {
  const p = provider;
  tracer = null;
  provider = null;
  if (p) await p.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

/** The tracer for code that makes its own spans (the GraphQL plugin); null while off. */
export const activeTracer = (): Tracer | null => tracer;

function ended(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
  }
  span.end();
}

/** Runs `run` as the body of `span`: its exception recorded, the span ended either way. */
export async function runInSpan<T>(span: Span, run: () => T | Promise<T>): Promise<T> {
  try {
    const result = await run();
    ended(span);
    return result;
  } catch (error) {
    ended(span, error);
    throw error;
  }
}

/** Runs `run` inside a span named `name` (a child of the active one); just runs it while off. */
export function withSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  run: () => Promise<T>,
): Promise<T> {
  if (!tracer) return run();
  return tracer.startActiveSpan(name, { attributes }, (span) => runInSpan(span, run));
}

const operationOf = (sql: string) => /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';

const sqlAttributes = (sql: string) => ({
  'db.system.name': 'postgresql',
  'db.operation.name': operationOf(sql),
  // statements hold no values (parameters are bound or inlined by the ORM's escaping): a bounded text
  'db.query.text': sql.length > 2_000 ? `${sql.slice(0, 2_000)}…` : sql,
});

/** A span for one SQL statement around `run` (the bound and prepared statements). */
export function sqlSpan<T>(sql: string, run: () => Promise<T>): Promise<T> {
  if (!tracer) return run();
  return tracer.startActiveSpan(
    `db ${operationOf(sql)}`,
    { kind: SpanKind.CLIENT, attributes: sqlAttributes(sql) },
    (span) => runInSpan(span, run),
  );
}

/** A span for a statement that already ran (the ORM reports it with its duration afterwards). */
export function recordSqlSpan(sql: string, tookMs: number, failed: boolean): void {
  if (!tracer) return;
  const end = Date.now();
  const span = tracer.startSpan(`db ${operationOf(sql)}`, {
    kind: SpanKind.CLIENT,
    startTime: end - tookMs,
    attributes: sqlAttributes(sql),
  });
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(end);
}
