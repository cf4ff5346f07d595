/**
 * What the diff engine asks of schema nodes beyond their kind: references followed (with the
 * annotations beside them), which family a node belongs to, whether a content model is open, and
 * what an open model lets through.
 */
import type { ChangeKind } from './change-kinds.ts';
import type { ArrayNode, CombinedNode, ObjectNode, SchemaNode } from './schema-nodes.ts';
import { UnresolvedReferenceError } from './schema-nodes.ts';

/** Follows `$ref`s, keeping annotations written beside the reference (they win over the target's). */
const derefCache = new WeakMap<SchemaNode, SchemaNode>();

export function deref(node: SchemaNode): SchemaNode {
  if (node.kind !== 'ref') return node;
  let result = derefCache.get(node);
  if (!result) {
    result = derefUncached(node);
    // cached so that a recursive reference always yields the same node (cycle detection is by identity)
    derefCache.set(node, result);
  }
  return result;
}

function derefUncached(node: SchemaNode): SchemaNode {
  let current = node;
  let ann = {};
  const seen = new Set<SchemaNode>();
  while (current.kind === 'ref') {
    if (seen.has(current)) throw new UnresolvedReferenceError(current.ref, 'the reference points at itself');
    seen.add(current);
    ann = { ...current.ann, ...ann };
    current = current.resolve();
  }
  if (current === node || Object.keys(ann).length === 0) return current;
  return { ...current, ann: { ...current.ann, ...ann } } as SchemaNode;
}

export function sameClass(a: SchemaNode, b: SchemaNode): boolean {
  return a.kind === b.kind;
}

export function emptyOfFamily(like: SchemaNode): SchemaNode {
  const base = { ann: {}, key: () => 'true', implicit: true };
  switch (like.kind) {
    case 'string':
      return { ...base, kind: 'string' };
    case 'number':
      return { ...base, kind: 'number', integer: false };
    case 'object':
      return {
        ...base,
        kind: 'object',
        properties: new Map(),
        required: new Set(),
        patternProperties: new Map(),
        dependentRequired: new Map(),
        dependentSchemas: new Map(),
        dependencyKeyword: like.dependencyKeyword,
      };
    case 'array':
      return {
        ...base,
        kind: 'array',
        tupleKeyword: like.tupleKeyword,
        additionalKeyword: like.additionalKeyword,
        uniqueItems: false,
      };
    default:
      return { ...base, kind: 'empty' };
  }
}

export function criterionChange(a: CombinedNode, b: CombinedNode): ChangeKind {
  if (b.criterion === 'anyOf') return 'COMBINED_TYPE_EXTENDED';
  if (b.criterion === 'oneOf')
    return a.subschemas.length === 1 ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED';
  // to allOf: only a single alternative stays the same set of values
  return a.subschemas.length === 1 && b.subschemas.length === 1
    ? 'COMBINED_TYPE_EXTENDED'
    : 'COMBINED_TYPE_CHANGED';
}

export function dedupe(nodes: SchemaNode[]): { node: SchemaNode; index: number }[] {
  const seen = new Set<string>();
  const out: { node: SchemaNode; index: number }[] = [];
  nodes.forEach((node, index) => {
    const key = node.key();
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ node, index });
  });
  return out;
}

export function hasDefault(node: SchemaNode): boolean {
  return deref(node).ann.default !== undefined;
}

export function permits(node: SchemaNode | undefined): boolean {
  return node === undefined || deref(node).kind !== 'false';
}

/** The schema additional members must match, when it constrains anything. */
export function constraining(node: SchemaNode | undefined): SchemaNode | undefined {
  if (!node) return undefined;
  const kind = deref(node).kind;
  return kind === 'empty' || kind === 'false' ? undefined : node;
}

export function isOpenObject(o: ObjectNode): boolean {
  if (
    o.patternProperties.size > 0 ||
    !permits(o.additionalProperties) ||
    constraining(o.additionalProperties)
  )
    return false;
  return o.unevaluatedProperties === undefined || deref(o.unevaluatedProperties).kind === 'empty';
}

/** The schema that decides a property name the object does not declare, when the model is partially open. */
export function partialSchemaFor(o: ObjectNode, name: string): SchemaNode | undefined {
  for (const [p, s] of o.patternProperties) {
    try {
      if (new RegExp(p, 'u').test(name)) return s;
    } catch {
      // an invalid pattern never matches
    }
  }
  const additional = constraining(o.additionalProperties);
  if (additional) return additional;
  if (o.additionalProperties === undefined || deref(o.additionalProperties).kind === 'empty') {
    const uneval = o.unevaluatedProperties;
    if (uneval && deref(uneval).kind !== 'false') return uneval;
    // pattern properties exist but none matches and the rest is open: any value is accepted
    if (!uneval) return { kind: 'empty', ann: {}, key: () => 'true' };
  }
  return undefined;
}

export function isOpenArray(a: ArrayNode): boolean {
  if (!permits(a.additionalItems) || constraining(a.additionalItems)) return false;
  if (a.additionalItems !== undefined) return true;
  return a.unevaluatedItems === undefined || deref(a.unevaluatedItems).kind === 'empty';
}

export function partialItemSchema(a: ArrayNode): SchemaNode | undefined {
  const additional = constraining(a.additionalItems);
  if (additional) return additional;
  if (a.additionalItems === undefined && a.unevaluatedItems && constraining(a.unevaluatedItems))
    return a.unevaluatedItems;
  return undefined;
}

export function sortedKeys(map: Map<string, unknown>): string[] {
  return [...map.keys()].sort();
}
