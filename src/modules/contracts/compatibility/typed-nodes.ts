/**
 * Builds the typed nodes of one schema object, one per type it admits: the keywords of the string,
 * number, object and array families, read in every draft's spelling (draft-04 boolean exclusive
 * bounds, `dependencies` beside `dependentRequired`/`dependentSchemas`, array-form `items` and
 * `additionalItems` beside `prefixItems`).
 */
import {
  type ArrayNode,
  canonicalJson,
  emptyNode,
  isObject,
  lazyKey,
  num,
  type ObjectNode,
  type SchemaNode,
} from './schema-nodes.ts';

/** What the typed builders need from the document: its subschemas' nodes, and its draft's spelling. */
export interface ChildBuilder {
  child(raw: unknown, base: string): SchemaNode | undefined;
  /** Drafts before 2019-09: a lone `items` is paired with `additionalItems` in paths. */
  legacy: boolean;
}

export const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern', 'format'];
export const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
export const OBJECT_KEYWORDS = [
  'properties',
  'required',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'dependentRequired',
  'dependentSchemas',
  'dependencies',
  'minProperties',
  'maxProperties',
];
export const ARRAY_KEYWORDS = [
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
  'contains',
  'minContains',
  'maxContains',
  'minItems',
  'maxItems',
  'uniqueItems',
];

export function typedNode(
  b: ChildBuilder,
  type: string,
  raw: Record<string, unknown>,
  base: string,
  implicit: boolean,
): SchemaNode {
  const key = lazyKey(() => `${canonicalJson(raw)}#${type}`);
  switch (type) {
    case 'null':
      return { kind: 'null', ann: {}, key };
    case 'boolean':
      return { kind: 'boolean', ann: {}, key };
    case 'string':
      return {
        kind: 'string',
        ann: {},
        key,
        implicit,
        minLength: num(raw.minLength),
        maxLength: num(raw.maxLength),
        pattern: typeof raw.pattern === 'string' ? raw.pattern : undefined,
        format: typeof raw.format === 'string' ? raw.format : undefined,
      };
    case 'number':
    case 'integer':
      return {
        kind: 'number',
        ann: {},
        key,
        implicit,
        integer: type === 'integer',
        // draft-04 boolean exclusive bounds turn the plain bound exclusive (it is no longer inclusive)
        minimum: raw.exclusiveMinimum === true ? undefined : num(raw.minimum),
        maximum: raw.exclusiveMaximum === true ? undefined : num(raw.maximum),
        exclusiveMinimum:
          num(raw.exclusiveMinimum) ?? (raw.exclusiveMinimum === true ? num(raw.minimum) : undefined),
        exclusiveMaximum:
          num(raw.exclusiveMaximum) ?? (raw.exclusiveMaximum === true ? num(raw.maximum) : undefined),
        multipleOf: num(raw.multipleOf),
      };
    case 'object':
      return objectNode(b, raw, base, implicit, key);
    case 'array':
      return arrayNode(b, raw, base, implicit, key);
    default:
      return { kind: 'empty', ann: {}, key };
  }
}

function objectNode(
  b: ChildBuilder,
  raw: Record<string, unknown>,
  base: string,
  implicit: boolean,
  key: () => string,
): ObjectNode {
  const properties = new Map<string, SchemaNode>();
  if (isObject(raw.properties)) {
    for (const [name, s] of Object.entries(raw.properties))
      properties.set(name, b.child(s, base) ?? emptyNode());
  }
  const patternProperties = new Map<string, SchemaNode>();
  if (isObject(raw.patternProperties)) {
    for (const [p, s] of Object.entries(raw.patternProperties))
      patternProperties.set(p, b.child(s, base) ?? emptyNode());
  }
  const dependentRequired = new Map<string, string[]>();
  const dependentSchemas = new Map<string, SchemaNode>();
  const legacyDeps = isObject(raw.dependencies) ? raw.dependencies : undefined;
  if (legacyDeps) {
    for (const [name, d] of Object.entries(legacyDeps)) {
      if (Array.isArray(d))
        dependentRequired.set(
          name,
          d.filter((x): x is string => typeof x === 'string'),
        );
      else dependentSchemas.set(name, b.child(d, base) ?? emptyNode());
    }
  }
  if (isObject(raw.dependentRequired)) {
    for (const [name, d] of Object.entries(raw.dependentRequired)) {
      if (Array.isArray(d))
        dependentRequired.set(
          name,
          d.filter((x): x is string => typeof x === 'string'),
        );
    }
  }
  if (isObject(raw.dependentSchemas)) {
    for (const [name, d] of Object.entries(raw.dependentSchemas))
      dependentSchemas.set(name, b.child(d, base) ?? emptyNode());
  }
  return {
    kind: 'object',
    ann: {},
    key,
    implicit,
    properties,
    required: new Set(
      Array.isArray(raw.required) ? raw.required.filter((x): x is string => typeof x === 'string') : [],
    ),
    patternProperties,
    additionalProperties: b.child(raw.additionalProperties, base),
    unevaluatedProperties: b.child(raw.unevaluatedProperties, base),
    propertyNames: b.child(raw.propertyNames, base),
    dependentRequired,
    dependentSchemas,
    dependencyKeyword: legacyDeps
      ? { required: 'dependencies', schemas: 'dependencies' }
      : { required: 'dependentRequired', schemas: 'dependentSchemas' },
    minProperties: num(raw.minProperties),
    maxProperties: num(raw.maxProperties),
  };
}

function arrayNode(
  b: ChildBuilder,
  raw: Record<string, unknown>,
  base: string,
  implicit: boolean,
  key: () => string,
): ArrayNode {
  let items: SchemaNode | undefined;
  let tuple: SchemaNode[] | undefined;
  let additionalItems: SchemaNode | undefined;
  let tupleKeyword = 'prefixItems';
  let additionalKeyword = 'items';
  if (Array.isArray(raw.prefixItems)) {
    tuple = raw.prefixItems.map((s) => b.child(s, base) ?? emptyNode());
    additionalItems = b.child(raw.items, base);
  } else if (Array.isArray(raw.items)) {
    // draft-07 tuple form
    tuple = raw.items.map((s) => b.child(s, base) ?? emptyNode());
    tupleKeyword = 'items';
    additionalKeyword = 'additionalItems';
    additionalItems = b.child(raw.additionalItems, base);
  } else if (typeof raw.items === 'boolean') {
    // `items: true|false` says whether items beyond the (empty) tuple are allowed
    additionalItems = b.child(raw.items, base);
  } else {
    items = b.child(raw.items, base);
    if (b.legacy) additionalKeyword = 'additionalItems';
    // Without a tuple, additionalItems validates nothing; registries still read `false` as a closed
    // array and a schema as a constraint, and Canon reports it the same way.
    if (raw.additionalItems !== undefined) {
      additionalItems = b.child(raw.additionalItems, base);
      additionalKeyword = 'additionalItems';
    }
  }
  return {
    kind: 'array',
    ann: {},
    key,
    implicit,
    items,
    tuple,
    tupleKeyword,
    additionalItems,
    additionalKeyword,
    unevaluatedItems: b.child(raw.unevaluatedItems, base),
    contains: b.child(raw.contains, base),
    minContains: num(raw.minContains),
    maxContains: num(raw.maxContains),
    minItems: num(raw.minItems),
    maxItems: num(raw.maxItems),
    uniqueItems: raw.uniqueItems === true,
  };
}
