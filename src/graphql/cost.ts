/**
 * What a GraphQL operation costs before it runs, with the variables it came with. Like GitHub's
 * and Shopify's models: a field returning an object costs 1, a leaf 0, and everything under a list
 * is multiplied by how many rows the list may hold — `first` when given (a literal or a variable),
 * the list's default page otherwise, the length of the largest list argument for plain lists that
 * take one (`records(keys:)`). Some fields cost far more than a row (FIELD_COSTS). An operation over
 * the budget is refused with QUERY_TOO_COMPLEX before any resolver runs, naming its cost.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromAST,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Default per-request budget: a console page costs a few hundred, a 1,000-key resolve about 2,000. */
export const DEFAULT_QUERY_BUDGET = 50_000;

/**
 * Fields whose one answer costs far more than a row: verifying the audit chain reads and hashes
 * every event; a search scans a domain's keys and names instead of an index range.
 */
export const FIELD_COSTS: Record<string, number> = {
  'Query.verifyAuditChain': 20_000,
};

/** Added for each list asked with a `search` text (or a filter holding one). */
export const SEARCH_COST = 200;

/** Rows assumed for a paged list asked without `first` (its default page; the feed's is larger). */
const DEFAULT_PAGE = 100;
const DEFAULT_PAGES: Record<string, number> = { 'Query.changes': 500 };
/** Rows assumed for a plain list without a list argument (aliases, sites, findings). */
const PLAIN_LIST = 10;

export interface OperationCost {
  cost: number;
  /** True when a size came from a variable: the cost must be computed again for other variables. */
  variableSized: boolean;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  visiting: Set<string>;
  variableSized: boolean;
}

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): OperationCost {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!root) return { cost: 0, variableSized: false };
  const walk: Walk = { schema, fragments, variables, visiting: new Set(), variableSized: false };
  const cost = selectionCost(walk, operation.selectionSet, root, 1, false);
  return { cost, variableSized: walk.variableSized };
}

/**
 * `counted`: the rows of the lists below were already counted by an argument above (a field given
 * 5,000 external ids answers one list of 5,000, not 5,000 lists of ten).
 */
function selectionCost(
  walk: Walk,
  set: SelectionSetNode,
  parent: GraphQLNamedType,
  multiplier: number,
  counted: boolean,
): number {
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      total += fieldCost(walk, selection, parent, multiplier, counted);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      if (type) total += selectionCost(walk, selection.selectionSet, type, multiplier, counted);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.visiting.has(name)) continue;
      const type = walk.schema.getType(fragment.typeCondition.name.value);
      if (!type) continue;
      walk.visiting.add(name);
      total += selectionCost(walk, fragment.selectionSet, type, multiplier, counted);
      walk.visiting.delete(name);
    }
  }
  return total;
}

function fieldCost(
  walk: Walk,
  node: FieldNode,
  parent: GraphQLNamedType,
  multiplier: number,
  counted: boolean,
): number {
  if (!(isObjectType(parent) || isInterfaceType(parent))) return 0;
  const def = parent.getFields()[node.name.value];
  if (!def) return 0; // __typename, or a field validation refuses
  const args = argumentsOf(def, node, walk.variables);
  const named = getNamedType(def.type);
  const own =
    (isCompositeType(named) ? 1 : 0) +
    (FIELD_COSTS[`${parent.name}.${def.name}`] ?? 0) +
    (hasSearch(args) ? SEARCH_COST : 0);
  if (!node.selectionSet) return own * multiplier;
  const { rows, childrenCounted } = rowsOf(walk, def, node, args, parent, counted);
  return own * multiplier + selectionCost(walk, node.selectionSet, named, multiplier * rows, childrenCounted);
}

/** How many rows the field's selection runs for, per parent row. */
function rowsOf(
  walk: Walk,
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
  args: Record<string, unknown>,
  parent: GraphQLNamedType,
  counted: boolean,
): { rows: number; childrenCounted: boolean } {
  if (def.args.some((a) => a.name === 'first')) {
    const sizeArg = node.arguments?.find((a) => a.name.value === 'first');
    if (sizeArg?.value.kind === Kind.VARIABLE) walk.variableSized = true;
    const first = args.first;
    const rows =
      typeof first === 'number' && first >= 0
        ? first
        : (DEFAULT_PAGES[`${parent.name}.${def.name}`] ?? DEFAULT_PAGE);
    return { rows, childrenCounted: false };
  }
  const listArgs = def.args.filter((a) => isListType(getNullableType(a.type)));
  if (listArgs.length > 0) {
    if (node.arguments?.some((a) => a.value.kind === Kind.VARIABLE)) walk.variableSized = true;
    const lengths = listArgs.map((a) =>
      Array.isArray(args[a.name]) ? (args[a.name] as unknown[]).length : 1,
    );
    return { rows: Math.max(1, ...lengths), childrenCounted: true };
  }
  if (!isListType(getNullableType(def.type))) return { rows: 1, childrenCounted: counted };
  // a connection's edges/nodes are the page its `first` counted; a list answering a list argument likewise
  if (counted || /(Connection|Edge)$/.test(parent.name)) return { rows: 1, childrenCounted: false };
  return { rows: PLAIN_LIST, childrenCounted: false };
}

/** The argument values that decide a cost (sizes, lists, search); a value that does not fit its type is left out. */
function argumentsOf(
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of node.arguments ?? []) {
    const argDef = def.args.find((a) => a.name === arg.name.value);
    if (!argDef) continue;
    const value = valueFromAST(arg.value, argDef.type, variables);
    if (value !== undefined) values[argDef.name] = value;
  }
  return values;
}

function hasSearch(args: Record<string, unknown>): boolean {
  const text = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  if (text(args.search)) return true;
  const filter = args.filter;
  return filter !== null && typeof filter === 'object' && text((filter as { search?: unknown }).search);
}

export function tooCostly(cost: number, budget: number): GraphQLError {
  return new GraphQLError(
    `The query would cost ${cost}, over the budget of ${budget} per request: ask for smaller pages (first) or fewer nested lists.`,
    { extensions: { code: 'QUERY_TOO_COMPLEX', cost, budget } },
  );
}

/** Refuses an operation over the budget before execution, once its variables are known. */
export function queryCost(budget: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      // the schema this request runs on (it follows the published contracts)
      const schema = args.schema as GraphQLSchema;
      const document = args.document as DocumentNode;
      const operation = getOperationAST(document, args.operationName);
      if (!operation) return;
      const { cost } = operationCost(
        schema,
        document,
        operation,
        (args.variableValues ?? {}) as Record<string, unknown>,
      );
      if (cost > budget) setResultAndStopExecution({ errors: [tooCostly(cost, budget)] });
    },
  };
}
