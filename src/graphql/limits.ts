/**
 * Request limits for the GraphQL endpoint: tokens (checked by graphql-js while parsing), depth,
 * aliases, directives and the number of selected fields (a simple cost), checked by validation
 * rules. GraphQL Armor does the same job, but its packages bundle graphql 16 and do not apply to
 * graphql 17 documents (see docs/adr/0002-graphql-limits.md), so Canon carries these few rules.
 */
import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  parse,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { stringProblem } from '../http/input-hygiene.ts';

export interface QueryLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Fields selected, counting each fragment spread where it is used. */
  maxFields: number;
  /**
   * Depth inside `__schema` / `__type`, measured on its own: the standard introspection query
   * (graphql-js `getIntrospectionQuery`, as GraphiQL, Postman and code generators send it) nests its
   * `ofType` chain deeper than any data query needs. Its fields still count towards `maxFields`.
   */
  maxIntrospectionDepth: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxTokens: 20_000,
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 50,
  maxFields: 2_000,
  maxIntrospectionDepth: 20,
};

const tooComplex = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX' } });

interface Measure {
  depth: number;
  fields: number;
  /** Deepest level reached inside an introspection field, counted from that field. */
  introspectionDepth: number;
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/**
 * Walks an operation's selections (fragments expanded, cycles cut) to measure depth and field count.
 * Inside `__schema` / `__type` depth counts towards `introspectionDepth` (from that field on)
 * instead of `depth`; fields count towards the one field budget everywhere.
 */
function measure(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  depth: number,
  visiting: Set<string>,
  acc: Measure,
  limits: QueryLimits,
  introspection = false,
): void {
  if (acc.depth > limits.maxDepth || acc.fields > limits.maxFields) return;
  if (acc.introspectionDepth > limits.maxIntrospectionDepth) return;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      acc.fields++;
      if (!sel.selectionSet) continue;
      const inside = introspection || INTROSPECTION_ROOTS.has(sel.name.value);
      // entering introspection starts its own depth count at 1
      const next = inside && !introspection ? 1 : depth + 1;
      if (inside) acc.introspectionDepth = Math.max(acc.introspectionDepth, next);
      else acc.depth = Math.max(acc.depth, next);
      measure(sel.selectionSet, fragments, next, visiting, acc, limits, inside);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      measure(sel.selectionSet, fragments, depth, visiting, acc, limits, introspection);
    } else {
      const name = sel.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      measure(fragment.selectionSet, fragments, depth, visiting, acc, limits, introspection);
      visiting.delete(name);
    }
  }
}

/**
 * Fields whose one answer costs seconds of work (verifying the whole audit chain reads and hashes
 * every event): at most this many in one request; more is a request to stall the instance.
 */
export const EXPENSIVE_FIELDS: Record<string, number> = { verifyAuditChain: 1 };

export function limitsRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let directives = 0;
    const expensive = new Map<string, number>();
    return {
      Field(node) {
        const max = EXPENSIVE_FIELDS[node.name.value];
        if (max !== undefined) {
          const n = (expensive.get(node.name.value) ?? 0) + 1;
          expensive.set(node.name.value, n);
          if (n === max + 1)
            context.reportError(
              tooComplex(`${node.name.value} may be asked at most ${max} time(s) per request.`),
            );
        }
        if (node.alias && ++aliases === limits.maxAliases + 1) {
          context.reportError(tooComplex(`The query uses more than ${limits.maxAliases} aliases.`));
        }
      },
      StringValue(node) {
        // literals written into the document: the same hygiene as variables (src/http/input-hygiene.ts)
        const problem = stringProblem(node.value);
        if (problem)
          context.reportError(
            new GraphQLError(`A string in the query ${problem}.`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
      },
      Directive() {
        if (++directives === limits.maxDirectives + 1) {
          context.reportError(tooComplex(`The query uses more than ${limits.maxDirectives} directives.`));
        }
      },
      OperationDefinition(node) {
        const doc = context.getDocument();
        const fragments = new Map(
          doc.definitions
            .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
            .map((d) => [d.name.value, d]),
        );
        const acc: Measure = { depth: 0, fields: 0, introspectionDepth: 0 };
        measure(node.selectionSet, fragments, 0, new Set(), acc, limits);
        if (acc.depth > limits.maxDepth)
          context.reportError(tooComplex(`The query is nested deeper than ${limits.maxDepth} levels.`));
        if (acc.introspectionDepth > limits.maxIntrospectionDepth)
          context.reportError(
            tooComplex(
              `The introspection query is nested deeper than ${limits.maxIntrospectionDepth} levels.`,
            ),
          );
        if (acc.fields > limits.maxFields)
          context.reportError(tooComplex(`The query selects more than ${limits.maxFields} fields.`));
      },
    };
  };
}

export function queryLimits(limits: QueryLimits = DEFAULT_LIMITS): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && /more than \d+ tokens/i.test(error.message)) {
            throw tooComplex(`The query has more than ${limits.maxTokens} tokens.`);
          }
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule(limitsRule(limits));
    },
  };
}
