/**
 * The GraphQL endpoint: graphql-yoga over the Pothos schema, with authentication (bearer token →
 * actor → CASL ability), query limits, masked unexpected errors, an error code on every
 * error, per-operation metrics and GraphiQL outside production.
 */

import { type DocumentNode, GraphQLError, type GraphQLSchema, visit } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Caller } from '../callers.ts';
import type { CanonConfig } from '../config.ts';
import { classifyDatabaseError, DATABASE_ERROR_CODES, DATABASE_ERROR_MESSAGES } from '../db/error-classes.ts';
import { CanonError, ERROR_CODES, httpStatusOf, UNAVAILABLE_RETRY_AFTER_S } from '../errors.ts';
import { renderGraphiQLPage } from '../http/graphiql-assets.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Services } from '../services.ts';
import { collectAnsweredErrors } from './answered-errors.ts';
import { contextFor, type GraphQLContext } from './context.ts';

export { contextFor };

import { DEFAULT_QUERY_BUDGET, queryCost } from './cost.ts';
import { queryLimits } from './limits.ts';
import { retrySafeReads } from './read-retry.ts';
import { schema } from './schema.ts';
import { operationSpan } from './tracing.ts';

/** The CanonError behind an error, however deep plugins wrapped it (originalError, cause). */
function findCanonError(error: unknown): CanonError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof CanonError) return current;
    const next =
      (current as { originalError?: unknown; cause?: unknown }).originalError ??
      (current as { cause?: unknown }).cause;
    current = next;
  }
  return undefined;
}

export interface ServerContext {
  requestId: string;
  log: Logger;
}

const KNOWN_CODES = new Set<string>(ERROR_CODES);

/**
 * Gives every error a code from Canon's closed list: GraphQL syntax, validation and variable errors
 * (which yoga codes GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED, or not at all) are BAD_USER_INPUT.
 */
/**
 * Every error leaves with a known code and nothing of the request or the server in it: no
 * `originalError` (a JSON parse error quotes the start of the body it could not read) and, in
 * production, no "Did you mean …?" (variable coercion suggests enum values as validation suggests
 * fields: a schema is learnt through a token, not by guessing).
 */
function errorCodes(production: boolean): Plugin {
  const fix = (result: unknown) => {
    const errors = (result as { errors?: GraphQLError[] } | null)?.errors;
    if (!Array.isArray(errors)) return;
    for (const e of errors) {
      const ext = e.extensions as Record<string, unknown> | undefined;
      if (ext && !KNOWN_CODES.has(String(ext.code))) ext.code = 'BAD_USER_INPUT';
      // keep what kind of error it was, never its message (a JSON parse error quotes the body)
      if (ext?.originalError && typeof ext.originalError === 'object')
        ext.originalError = { name: (ext.originalError as { name?: unknown }).name ?? 'Error' };
      if (production && /Did you mean/.test(e.message))
        (e as { message: string }).message = e.message.replace(/ ?Did you mean .*$/, '');
    }
  };
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result)) result.forEach(fix);
      else fix(result);
    },
  };
}

function operationMetrics(metrics: Metrics): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const started = performance.now();
      let codes: string[] = [];
      const op = (args.document as DocumentNode).definitions.find((d) => d.kind === 'OperationDefinition');
      const operation =
        args.operationName ?? (op && 'name' in op ? op.name?.value : undefined) ?? 'anonymous';
      const type = op && 'operation' in op ? op.operation : 'query';
      const headers = (args.contextValue as { request?: Request }).request?.headers;
      setExecuteFn((a) =>
        operationSpan(operation, type, headers, async () => {
          const collected = await collectAnsweredErrors(() => executeFn(a));
          codes = collected.codes;
          return collected.result;
        }),
      );
      return {
        onExecuteDone({ result }) {
          const failed = 'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
          for (const code of codes) metrics.answeredErrors.inc({ operation, code });
          metrics.operations.inc({
            operation,
            type,
            outcome: failed ? 'error' : codes.length > 0 ? 'answered_error' : 'ok',
          });
          metrics.operationSeconds.observe({ operation, type }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

export function createGraphQLHandler(
  config: CanonConfig,
  services: Services,
  metrics: Metrics,
  log: Logger,
  /** The schema a request starting now runs on (live-schema.ts: it follows the published contracts). */
  currentSchema: () => GraphQLSchema = () => schema,
) {
  const production = config.environment === 'production';
  return createYoga<ServerContext, GraphQLContext>({
    schema: () => currentSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // served from Canon's own files (graphiql-assets.ts), never a CDN; the Headers tab is open and
    // holds the bearer line to complete, and is not persisted in the browser's storage
    graphiql: production
      ? false
      : {
          title: 'Canon GraphiQL',
          headers: JSON.stringify({ Authorization: 'Bearer <token>' }, null, 2),
          defaultEditorToolsVisibility: 'headers',
          shouldPersistHeaders: false,
        },
    renderGraphiQL: renderGraphiQLPage,
    logging: {
      debug: (...a) => log.debug(a),
      info: (...a) => log.info(a),
      warn: (...a) => log.warn(a),
      error: (...a) => log.error(a),
    },
    maskedErrors: {
      maskError(error, message) {
        const expected = findCanonError(error);
        if (expected) return expected;
        const original = error instanceof GraphQLError ? error.originalError : error;
        // GraphQL's own errors (syntax, validation, variables) are about the request and safe to show
        if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) {
          return original instanceof GraphQLError ? original : error;
        }
        // a database error that reached the edge: the caller's bad input, a lost race (rolled back
        // whole) or an outage — typed, never an internal error
        const kind = classifyDatabaseError(original);
        if (kind) {
          if (kind === 'SERVICE_UNAVAILABLE' || kind === 'STATEMENT_TIMEOUT')
            log.warn({ err: original }, 'database unavailable');
          return new GraphQLError(DATABASE_ERROR_MESSAGES[kind], {
            extensions: { code: DATABASE_ERROR_CODES[kind] },
          });
        }
        log.error({ err: original }, 'unexpected error');

        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    context: async ({ request, requestId, log: requestLog }): Promise<GraphQLContext> => {
      let caller: Caller | null;
      try {
        caller = await services.callers.fromHeader(request.headers.get('authorization'));
      } catch (error) {
        if (error instanceof CanonError) {
          const status = httpStatusOf(error.code);
          const headers = status === 503 ? { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) } : undefined;
          throw new GraphQLError(error.message, {
            extensions: { code: error.code, http: { status, headers } },
          });
        }
        throw error;
      }
      return contextFor(services, caller, requestId, requestLog);
    },
    plugins: [
      queryLimits(),
      queryCost(config.queryCostBudget ?? DEFAULT_QUERY_BUDGET),
      retrySafeReads(metrics),
      errorCodes(production),
      ...((config.anonymousIntrospection ?? !production) ? [] : [introspectionNeedsToken()]),
      operationMetrics(metrics),
      ...(production ? [withoutFieldSuggestions()] : []),
    ],
  });
}

/**
 * Introspection (`__schema`, `__type`) only for callers with a token (production default). Checked
 * at execution: the caller is known only once the context is built, after validation.
 */
function introspectionNeedsToken(): Plugin<GraphQLContext> {
  const asksSchema = (doc: DocumentNode) => {
    let found = false;
    visit(doc, {
      Field(node) {
        if (node.name.value === '__schema' || node.name.value === '__type') found = true;
      },
    });
    return found;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as GraphQLContext;
      if (ctx.actor || !asksSchema(args.document as DocumentNode)) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError('Sign in to read the schema: introspection needs an API token here.', {
            extensions: { code: 'UNAUTHENTICATED' },
          }),
        ],
      });
    },
  };
}

/**
 * In production, validation errors do not suggest field names ("Did you mean …?"): with
 * introspection alone a caller learns the schema only through its token, not by guessing.
 */
function withoutFieldSuggestions(): Plugin {
  return {
    onValidate:
      () =>
      ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          result.map((e) =>
            /Did you mean/.test(e.message)
              ? new GraphQLError(e.message.replace(/ ?Did you mean .*$/, ''), {
                  nodes: e.nodes,
                  source: e.source,
                  positions: e.positions,
                  path: e.path,
                  originalError: e.originalError,
                  extensions: e.extensions,
                })
              : e,
          ),
        );
      },
  };
}
