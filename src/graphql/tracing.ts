/**
 * GraphQL's part of the traces (src/telemetry/tracing.ts): a span per operation — the child of the
 * caller's `traceparent` when it sends one — and a span per root field, the resolvers that do the
 * work (proposals, approvals, lookups, imports). Nested fields are served from loaders and get no
 * span of their own: their SQL statements show under the root field that caused them.
 */
import { context, propagation, SpanKind } from '@opentelemetry/api';
import type { GraphQLFieldResolver } from 'graphql';
import { activeTracer, runInSpan } from '../telemetry/tracing.ts';

type Headers = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

const headerGetter = {
  keys: (carrier: Headers) =>
    'get' in carrier && typeof carrier.get === 'function' ? [] : Object.keys(carrier),
  get: (carrier: Headers, key: string) => {
    if ('get' in carrier && typeof carrier.get === 'function') return carrier.get(key) ?? undefined;
    const value = (carrier as Record<string, string | string[] | undefined>)[key];
    return Array.isArray(value) ? value[0] : value;
  },
};

/** Runs an operation inside its span (just runs it while tracing is off). */
export function operationSpan<T>(
  operation: string,
  type: string,
  headers: Headers | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return run();
  const parent = headers ? propagation.extract(context.active(), headers, headerGetter) : context.active();
  return tracer.startActiveSpan(
    `graphql.${type} ${operation}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'graphql.operation.name': operation, 'graphql.operation.type': type },
    },
    parent,
    (span) => runInSpan(span, run),
  );
}

/** The Pothos tracing plugin's wrapper for root fields: a span around the resolver while tracing is on. */
export function traceResolver(
  resolver: GraphQLFieldResolver<unknown, unknown>,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, ctx, info) => {
    const tracer = activeTracer();
    if (!tracer) return resolver(source, args, ctx, info);
    const field = `${info.parentType.name}.${info.fieldName}`;
    return tracer.startActiveSpan(
      `graphql.resolve ${field}`,
      { attributes: { 'graphql.field.path': field, 'graphql.field.name': info.fieldName } },
      (span) =>
        runInSpan(span, async () => {
          const result = await resolver(source, args, ctx, info);
          // a typed error answered as a result member is the resolver's outcome, not a crash
          if (result instanceof Error)
            span.setAttribute('canon.error.code', String((result as { code?: unknown }).code ?? result.name));
          return result;
        }),
    );
  };
}
