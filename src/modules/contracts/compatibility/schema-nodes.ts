/**
 * The typed tree the diff engine compares (built by schema-model.ts from any draft's spelling), with
 * the small helpers every builder and comparison shares.
 */
import canonicalize from 'canonicalize';

export type Raw = boolean | Record<string, unknown>;
export type Segment = string;

export interface Annotations {
  id?: string;
  title?: string;
  description?: string;
  default?: { value: unknown };
  examples?: unknown;
  comment?: string;
  deprecated?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
}

interface NodeBase {
  ann: Annotations;
  /** True when the type keyword was absent: the node constrains its family only. */
  implicit?: boolean;
  /** Canonical JSON of the source (computed on first use), for de-duplicating combinator subschemas. */
  key: () => string;
}

export interface EmptyNode extends NodeBase {
  kind: 'empty';
}
export interface FalseNode extends NodeBase {
  kind: 'false';
}
export interface NullNode extends NodeBase {
  kind: 'null';
}
export interface BooleanNode extends NodeBase {
  kind: 'boolean';
}
export interface StringNode extends NodeBase {
  kind: 'string';
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}
export interface NumberNode extends NodeBase {
  kind: 'number';
  integer: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
}
export interface ObjectNode extends NodeBase {
  kind: 'object';
  properties: Map<string, SchemaNode>;
  required: Set<string>;
  patternProperties: Map<string, SchemaNode>;
  additionalProperties?: SchemaNode;
  unevaluatedProperties?: SchemaNode;
  propertyNames?: SchemaNode;
  dependentRequired: Map<string, string[]>;
  dependentSchemas: Map<string, SchemaNode>;
  /** Keyword the dependencies were spelled with: draft-07 `dependencies` or 2020-12's two keywords. */
  dependencyKeyword: { required: string; schemas: string };
  minProperties?: number;
  maxProperties?: number;
}
export interface ArrayNode extends NodeBase {
  kind: 'array';
  /** Schema every item must match (`items` without a tuple). */
  items?: SchemaNode;
  /** Tuple item schemas (`prefixItems`, or draft-07 `items: [...]`). */
  tuple?: SchemaNode[];
  tupleKeyword: string;
  /** Schema of items after the tuple (`items` with prefixItems, draft-07 `additionalItems`, or boolean `items`). */
  additionalItems?: SchemaNode;
  additionalKeyword: string;
  unevaluatedItems?: SchemaNode;
  contains?: SchemaNode;
  minContains?: number;
  maxContains?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems: boolean;
}
export interface EnumNode extends NodeBase {
  kind: 'enum';
  values: unknown[];
  keyword: 'enum' | 'const';
}
export interface CombinedNode extends NodeBase {
  kind: 'combined';
  criterion: 'allOf' | 'anyOf' | 'oneOf';
  subschemas: SchemaNode[];
  synthetic: boolean;
}
export interface NotNode extends NodeBase {
  kind: 'not';
  schema: SchemaNode;
}
export interface ConditionalNode extends NodeBase {
  kind: 'conditional';
  if: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
}
export interface RefNode extends NodeBase {
  kind: 'ref';
  ref: string;
  resolve: () => SchemaNode;
}

export type SchemaNode =
  | EmptyNode
  | FalseNode
  | NullNode
  | BooleanNode
  | StringNode
  | NumberNode
  | ObjectNode
  | ArrayNode
  | EnumNode
  | CombinedNode
  | NotNode
  | ConditionalNode
  | RefNode;

export class UnresolvedReferenceError extends Error {
  readonly ref: string;
  constructor(ref: string, reason: string) {
    super(`cannot resolve $ref "${ref}": ${reason}`);
    this.ref = ref;
  }
}

/** Looks up a schema document by absolute URI (Canon resolves contract ids from its registry). */
export type ExternalResolver = (uri: string) => Raw | undefined;

export const TRUE_KEY = () => 'true';
export const FALSE_KEY = () => 'false';

/** Computes a key once, when first asked for: most nodes are never de-duplicated. */
export function lazyKey(compute: () => string): () => string {
  let value: string | undefined;
  return () => {
    value ??= compute();
    return value;
  };
}

export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'undefined';
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

export function emptyNode(): EmptyNode {
  return { kind: 'empty', ann: {}, key: TRUE_KEY };
}
