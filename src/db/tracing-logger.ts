/**
 * MikroORM's logger with a span per SQL statement while tracing is on: the ORM reports each
 * statement with its duration once it ran, in the caller's async context, so the span lands under the
 * resolver or service step that caused it. Logging itself is MikroORM's own, unchanged.
 */
import { DefaultLogger, type LogContext } from '@mikro-orm/core';
import { recordSqlSpan } from '../telemetry/tracing.ts';

export class TracingLogger extends DefaultLogger {
  override logQuery(ctx: { query: string } & LogContext): void {
    recordSqlSpan(ctx.query, ctx.took ?? 0, ctx.level === 'error');
    super.logQuery(ctx);
  }
}
