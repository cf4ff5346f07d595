/**
 * The GraphQL endpoint: graphql-yoga over the Pothos schema, with authentication (bearer token →
 * actor → CASL ability), GraphQL Armor limits, masked unexpected errors, an error code on every
 * error, per-operation metrics and GraphiQL outside production.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { type DocumentNode, GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { CanonConfig } from '../config.ts';
import { CanonError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { defineAbilityFor } from '../modules/auth/ability.ts';
import type { Actor } from '../modules/auth/actor-context.ts';
import type { Services } from '../services.ts';
import type { GraphQLContext } from './context.ts';
import { schema } from './schema.ts';

export interface ServerContext {
  requestId: string;
  log: Logger;
}

/** Gives every error a code: GraphQL syntax/validation errors and Armor's limits have none of their own. */
function errorCodes(): Plugin {
  const codeFor = (e: GraphQLError): string => {
    if (/limit|exceeded|too many/i.test(e.message) && /depth|alias|token|cost|directive/i.test(e.message))
      return 'QUERY_TOO_COMPLEX';
    return 'BAD_USER_INPUT';
  };
  const fix = (result: unknown) => {
    const errors = (result as { errors?: GraphQLError[] } | null)?.errors;
    if (!Array.isArray(errors)) return;
    for (const e of errors) {
      const ext = (e.extensions ?? {}) as Record<string, unknown>;
      if (!ext.code && e instanceof GraphQLError) Object.assign(e.extensions as object, { code: codeFor(e) });
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
    onExecute({ args }) {
      const started = performance.now();
      const op = (args.document as DocumentNode).definitions.find((d) => d.kind === 'OperationDefinition');
      const operation =
        args.operationName ?? (op && 'name' in op ? op.name?.value : undefined) ?? 'anonymous';
      const type = op && 'operation' in op ? op.operation : 'query';
      return {
        onExecuteDone({ result }) {
          const failed = 'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
          metrics.operations.inc({ operation, type, outcome: failed ? 'error' : 'ok' });
          metrics.operationSeconds.observe({ operation, type }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

export function createGraphQLHandler(config: CanonConfig, services: Services, metrics: Metrics, log: Logger) {
  const production = config.environment === 'production';
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: production
      ? false
      : { title: 'Canon GraphiQL', headers: JSON.stringify({ Authorization: 'Bearer <token>' }) },
    logging: {
      debug: (...a) => log.debug(a),
      info: (...a) => log.info(a),
      warn: (...a) => log.warn(a),
      error: (...a) => log.error(a),
    },
    maskedErrors: {
      maskError(error, message) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof CanonError) return original;
        // GraphQL's own errors (syntax, validation, variables) are about the request and safe to show
        if (error instanceof GraphQLError && (!error.originalError || original instanceof GraphQLError)) {
          return original instanceof GraphQLError ? original : error;
        }
        log.error({ err: original }, 'unexpected error');
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    context: async ({ request, requestId, log: requestLog }): Promise<GraphQLContext> => {
      const header = request.headers.get('authorization');
      let actor: Actor | null = null;
      if (header) {
        const m = /^Bearer\s+(\S+)$/i.exec(header);
        if (!m) {
          throw new GraphQLError('The Authorization header must be "Bearer <token>".', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
        try {
          actor = await services.auth.authenticate(m[1]);
        } catch (error) {
          if (error instanceof CanonError) {
            throw new GraphQLError(error.message, {
              extensions: { code: error.code, http: { status: 401 } },
            });
          }
          throw error;
        }
      }
      return {
        actor,
        ability: defineAbilityFor(actor),
        requestId,
        services,
        log: requestLog.child({ actor: actor?.name }),
      };
    },
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 30 },
        maxTokens: { n: 20_000 },
        maxDirectives: { n: 50 },
        costLimit: { maxCost: 50_000 },
        blockFieldSuggestion: { enabled: production },
      }),
      errorCodes(),
      operationMetrics(metrics),
    ],
  });
}
