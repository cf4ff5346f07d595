/**
 * The compiled lane for GraphQL queries: connectors send the same few query documents thousands of
 * times a second (resolveXrefs, translateXrefs). From its second request on, an authenticated
 * caller's query document is answered without yoga's request pipeline: it was parsed, validated
 * (graphql-js rules and Canon's limits) and compiled to JavaScript by graphql-jit once, and is
 * looked up by its text.
 *
 * The lane only ever answers successes. Anything else — a document that does not parse or validate,
 * a mutation or subscription, an Accept header asking for another media type, a bad token, a result
 * with errors — is handed to yoga, which answers it (and words its errors) as it always does.
 * Queries only read, so running one again there is safe.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DocumentNode,
  type GraphQLSchema,
  getOperationAST,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Callers } from '../callers.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { collectAnsweredErrors } from './answered-errors.ts';
import type { GraphQLContext } from './context.ts';
import { type OperationCost, operationCost } from './cost.ts';
import { DEFAULT_LIMITS, limitsRule } from './limits.ts';
import { operationSpan } from './tracing.ts';

/** Distinct documents kept compiled; connectors use a handful, GraphiQL users a few more. */
const MAX_DOCUMENTS = 500;
/** Longer documents stay with yoga: hot-path queries are short, and this bounds the map (~8 MB). */
const MAX_DOCUMENT_CHARS = 16_384;

const SEEN_ONCE = Symbol('seen once');

interface Compiled {
  query: CompiledQuery;
  operation: string;
  /** The cost without variables; when `cost` depends on them, it is computed per request. */
  cost: OperationCost;
  schema: GraphQLSchema;
  document: DocumentNode;
  operationNode: OperationDefinitionNode;
}

interface Params {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

interface LaneRequest {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  requestId: string;
  log: Logger;
}

export interface CompiledLaneDeps {
  /** The schema a request starting now runs on (it changes when contracts are published). */
  schema: () => GraphQLSchema;
  /** Operations over it are left to yoga, which refuses them with QUERY_TOO_COMPLEX. */
  costBudget: number;
  callers: Callers;
  metrics: Metrics;
  contextFor: (
    caller: Awaited<ReturnType<Callers['fromHeader']>>,
    requestId: string,
    log: Logger,
  ) => GraphQLContext;
}

/** Plain JSON answers only: yoga handles graphql-response+json, SSE and multipart. */
function wantsPlainJson(accept: string | undefined): boolean {
  if (!accept) return true;
  const first = accept.split(',')[0].split(';')[0].trim();
  return first === 'application/json' || first === '*/*';
}

export class CompiledLane {
  private readonly deps: CompiledLaneDeps;
  /** null: not eligible (yoga answers it every time). Insertion order = age. */
  private readonly documents = new Map<string, Compiled | null | typeof SEEN_ONCE>();
  /** The schema the documents were compiled against: a new one empties the map. */
  private compiledFor: GraphQLSchema | undefined;

  constructor(deps: CompiledLaneDeps) {
    this.deps = deps;
  }

  private compile(schema: GraphQLSchema, source: string, operationName: string | undefined): Compiled | null {
    // incremental delivery needs yoga's multipart/SSE responses
    if (/@(defer|stream)\b/.test(source)) return null;
    let document: DocumentNode;
    try {
      document = parse(source, { maxTokens: DEFAULT_LIMITS.maxTokens });
    } catch {
      return null;
    }
    const errors = validate(schema, document, [...specifiedRules, limitsRule(DEFAULT_LIMITS)]);
    if (errors.length > 0) return null;
    const operation = getOperationAST(document, operationName);
    if (operation?.operation !== 'query') return null;
    const query = compileQuery(schema, document, operationName);
    if (!isCompiledQuery(query)) return null;
    return {
      query,
      operation: operationName ?? operation.name?.value ?? 'anonymous',
      cost: operationCost(schema, document, operation),
      schema,
      document,
      operationNode: operation,
    };
  }

  /**
   * The compiled document, compiled on its second sighting: one-off documents (someone exploring in
   * GraphiQL) stay with yoga and never cost a compilation.
   */
  private lookup(source: string, operationName: string | undefined): Compiled | null {
    const schema = this.deps.schema();
    if (schema !== this.compiledFor) {
      // contracts were published: what was compiled against the old types may not validate now
      this.documents.clear();
      this.compiledFor = schema;
    }
    const key = operationName ? `${operationName}\u0000${source}` : source;
    let entry = this.documents.get(key);
    if (entry === SEEN_ONCE) entry = this.compile(schema, source, operationName);
    else if (entry === undefined) entry = SEEN_ONCE;
    else return entry;
    if (this.documents.size >= MAX_DOCUMENTS && !this.documents.has(key)) {
      this.documents.delete(this.documents.keys().next().value as string);
    }
    this.documents.set(key, entry);
    return entry === SEEN_ONCE ? null : entry;
  }

  private overBudget(compiled: Compiled, variables: Record<string, unknown>): boolean {
    const cost = compiled.cost.variableSized
      ? operationCost(compiled.schema, compiled.document, compiled.operationNode, variables).cost
      : compiled.cost.cost;
    return cost > this.deps.costBudget;
  }

  /** Answers a POST body if it can; false = not answered, nothing written (yoga takes it). */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    requestId: string,
    log: Logger,
  ): Promise<boolean> {
    const answered = await this.tryHandle({ req, res, body, requestId, log });
    this.deps.metrics.compiledLane.inc({ outcome: answered ? 'answered' : 'declined' });
    return answered;
  }

  private async tryHandle({ req, res, body, requestId, log }: LaneRequest): Promise<boolean> {
    if (!wantsPlainJson(req.headers.accept)) return false;
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return false;
    let params: Params;
    try {
      params = JSON.parse(body.toString('utf8')) as Params;
    } catch {
      return false;
    }
    if (!params || typeof params !== 'object' || typeof params.query !== 'string') return false;
    if (params.query.length > MAX_DOCUMENT_CHARS) return false;
    if (params.extensions != null) return false;
    const operationName = params.operationName ?? undefined;
    if (operationName !== undefined && typeof operationName !== 'string') return false;
    const variables = params.variables ?? {};
    if (typeof variables !== 'object' || Array.isArray(variables)) return false;

    // callers first: nobody gets Canon to compile documents without a valid token
    let caller: Awaited<ReturnType<Callers['fromHeader']>>;
    try {
      caller = await this.deps.callers.fromHeader(req.headers.authorization);
    } catch {
      return false;
    }
    if (!caller) return false;
    const compiled = this.lookup(params.query, operationName);
    if (!compiled || this.overBudget(compiled, variables as Record<string, unknown>)) return false;
    const started = performance.now();
    const context = this.deps.contextFor(caller, requestId, log);
    let result: Awaited<ReturnType<CompiledQuery['query']>>;
    let codes: string[];
    try {
      ({ result, codes } = await operationSpan(compiled.operation, 'query', req.headers, () =>
        collectAnsweredErrors(() =>
          compiled.query.query(undefined, context, variables as Record<string, unknown>),
        ),
      ));
    } catch {
      return false;
    }
    if (result.errors && result.errors.length > 0) return false;
    const { metrics } = this.deps;
    for (const code of codes) metrics.answeredErrors.inc({ operation: compiled.operation, code });
    metrics.operations.inc({
      operation: compiled.operation,
      type: 'query',
      outcome: codes.length > 0 ? 'answered_error' : 'ok',
    });
    metrics.operationSeconds.observe(
      { operation: compiled.operation, type: 'query' },
      (performance.now() - started) / 1000,
    );
    const text = compiled.query.stringify(result);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    return true;
  }
}
