/**
 * Objects compared keyword by keyword: properties against open, closed and partially open content
 * models, `required`, dependencies (`dependencies`, `dependentRequired`, `dependentSchemas`),
 * `patternProperties`, `additionalProperties`, `unevaluatedProperties`, `propertyNames` and the
 * property counts.
 */
import { compareAdditional, compareUnevaluated } from './content-model-diff.ts';
import {
  constraining,
  deref,
  hasDefault,
  isOpenObject,
  partialSchemaFor,
  permits,
  sortedKeys,
} from './node-shapes.ts';
import { type Differ, isCompatible, type RawChange } from './raw-change.ts';
import { bound } from './scalar-comparisons.ts';
import type { ObjectNode, SchemaNode, Segment } from './schema-nodes.ts';

export function compareObject(d: Differ, a: ObjectNode, b: ObjectNode, out: RawChange[]): void {
  // required flags of properties both schemas declare
  for (const name of sortedKeys(a.properties)) {
    if (!b.properties.has(name)) continue;
    const was = a.required.has(name);
    const is = b.required.has(name);
    if (was && !is) out.push({ kind: 'REQUIRED_ATTRIBUTE_REMOVED', path: ['required', name] });
    else if (!was && is) {
      out.push({
        kind: hasDefault(b.properties.get(name)!)
          ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED'
          : 'REQUIRED_ATTRIBUTE_ADDED',
        path: ['required', name],
      });
    }
  }

  const names = [...new Set([...a.properties.keys(), ...b.properties.keys()])].sort();
  for (const name of names) {
    const at = ['properties', name];
    const before = a.properties.get(name);
    const after = b.properties.get(name);
    if (before && after) {
      d.nested(at, before, after, out);
    } else if (before) {
      propertyRemoved(d, at, name, before, b, out);
    } else if (after) {
      propertyAdded(d, at, name, after, a, b, out);
    }
  }

  compareDependencies(d, a, b, out);
  comparePatternProperties(d, a, b, out);
  compareAdditional(
    d,
    ['additionalProperties'],
    a.additionalProperties,
    b.additionalProperties,
    {
      ADDED: 'ADDITIONAL_PROPERTIES_ADDED',
      REMOVED: 'ADDITIONAL_PROPERTIES_REMOVED',
      NARROWED: 'ADDITIONAL_PROPERTIES_NARROWED',
      EXTENDED: 'ADDITIONAL_PROPERTIES_EXTENDED',
    },
    out,
  );
  compareUnevaluated(
    d,
    ['unevaluatedProperties'],
    a.unevaluatedProperties,
    b.unevaluatedProperties,
    {
      ADDED: 'UNEVALUATED_PROPERTIES_ADDED',
      REMOVED: 'UNEVALUATED_PROPERTIES_REMOVED',
      NARROWED: 'UNEVALUATED_PROPERTIES_NARROWED',
      EXTENDED: 'UNEVALUATED_PROPERTIES_EXTENDED',
    },
    out,
  );
  if (a.propertyNames && !b.propertyNames)
    out.push({ kind: 'PROPERTY_NAMES_REMOVED', path: ['propertyNames'] });
  else if (!a.propertyNames && b.propertyNames && b.propertyNames.kind !== 'empty') {
    out.push({ kind: 'PROPERTY_NAMES_ADDED', path: ['propertyNames'] });
  } else if (a.propertyNames && b.propertyNames)
    d.nested(['propertyNames'], a.propertyNames, b.propertyNames, out);

  bound(out, 'maxProperties', a.maxProperties, b.maxProperties, 'MAX_PROPERTIES');
  bound(out, 'minProperties', a.minProperties, b.minProperties, 'MIN_PROPERTIES');
}

function propertyRemoved(
  d: Differ,
  at: Segment[],
  name: string,
  before: SchemaNode,
  b: ObjectNode,
  out: RawChange[],
): void {
  if (isOpenObject(b)) {
    out.push({ kind: 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', path: at });
    return;
  }
  const covering = partialSchemaFor(b, name);
  if (covering) {
    const sub = d.nested(at, before, covering, out);
    out.push({
      kind: isCompatible(sub)
        ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
      path: at,
    });
  } else {
    out.push({
      kind:
        deref(before).kind === 'false'
          ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
          : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
      path: at,
    });
  }
}

function propertyAdded(
  d: Differ,
  at: Segment[],
  name: string,
  after: SchemaNode,
  a: ObjectNode,
  b: ObjectNode,
  out: RawChange[],
): void {
  const required = b.required.has(name);
  const withDefault = hasDefault(after);
  if (isOpenObject(a)) {
    if (deref(after).kind === 'empty')
      out.push({ kind: 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', path: at });
    else if (required) {
      out.push({
        kind: withDefault
          ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL'
          : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
        path: at,
      });
    } else out.push({ kind: 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', path: at });
    return;
  }
  const covering = partialSchemaFor(a, name);
  if (covering) {
    const sub = d.nested(at, covering, after, out);
    out.push({
      kind: isCompatible(sub)
        ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
      path: at,
    });
  }
  if (required) {
    out.push({
      kind: withDefault
        ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
        : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
      path: at,
    });
  } else out.push({ kind: 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', path: at });
}

function compareDependencies(d: Differ, a: ObjectNode, b: ObjectNode, out: RawChange[]): void {
  const reqKeyword =
    b.dependentRequired.size > 0 || a.dependentRequired.size === 0
      ? b.dependencyKeyword.required
      : a.dependencyKeyword.required;
  for (const name of [...new Set([...a.dependentRequired.keys(), ...b.dependentRequired.keys()])].sort()) {
    const before = a.dependentRequired.get(name);
    const after = b.dependentRequired.get(name);
    const at = [reqKeyword, name];
    if (!after) out.push({ kind: 'DEPENDENCY_ARRAY_REMOVED', path: at });
    else if (!before) out.push({ kind: 'DEPENDENCY_ARRAY_ADDED', path: at });
    else {
      const was = new Set(before);
      const is = new Set(after);
      const same = was.size === is.size && [...was].every((x) => is.has(x));
      if (same) continue;
      if ([...was].every((x) => is.has(x))) out.push({ kind: 'DEPENDENCY_ARRAY_EXTENDED', path: at });
      else if ([...is].every((x) => was.has(x))) out.push({ kind: 'DEPENDENCY_ARRAY_NARROWED', path: at });
      else out.push({ kind: 'DEPENDENCY_ARRAY_CHANGED', path: at });
    }
  }
  const schemaKeyword =
    b.dependentSchemas.size > 0 || a.dependentSchemas.size === 0
      ? b.dependencyKeyword.schemas
      : a.dependencyKeyword.schemas;
  for (const name of [...new Set([...a.dependentSchemas.keys(), ...b.dependentSchemas.keys()])].sort()) {
    const before = a.dependentSchemas.get(name);
    const after = b.dependentSchemas.get(name);
    const at = [schemaKeyword, name];
    if (!after) out.push({ kind: 'DEPENDENCY_SCHEMA_REMOVED', path: at });
    else if (!before) out.push({ kind: 'DEPENDENCY_SCHEMA_ADDED', path: at });
    else d.nested(at, before, after, out);
  }
}

function comparePatternProperties(d: Differ, a: ObjectNode, b: ObjectNode, out: RawChange[]): void {
  const patterns = [...new Set([...a.patternProperties.keys(), ...b.patternProperties.keys()])].sort();
  for (const p of patterns) {
    const before = a.patternProperties.get(p);
    const after = b.patternProperties.get(p);
    const at = ['patternProperties', p];
    if (before && after) d.nested(at, before, after, out);
    else if (after) {
      out.push({
        kind: patternAddedCovered(d, after, a)
          ? 'PATTERN_PROPERTY_ADDED_IS_COVERED'
          : 'PATTERN_PROPERTY_ADDED_NOT_COVERED',
        path: at,
      });
    } else if (before) {
      out.push({
        kind: patternRemovedCovered(d, before, b)
          ? 'PATTERN_PROPERTY_REMOVED_IS_COVERED'
          : 'PATTERN_PROPERTY_REMOVED_NOT_COVERED',
        path: at,
      });
    }
  }
}

/** Names matching a new pattern were decided by additionalProperties before. */
function patternAddedCovered(d: Differ, after: SchemaNode, a: ObjectNode): boolean {
  if (!permits(a.additionalProperties)) return true;
  const fallback = constraining(a.additionalProperties);
  return fallback ? isCompatible(d.compare(fallback, after)) : deref(after).kind === 'empty';
}

/** Names matching a removed pattern are decided by additionalProperties now. */
function patternRemovedCovered(d: Differ, before: SchemaNode, b: ObjectNode): boolean {
  if (!permits(b.additionalProperties)) return false;
  const fallback = constraining(b.additionalProperties);
  return fallback ? isCompatible(d.compare(before, fallback)) : true;
}

/** additionalProperties / additionalItems: allowed or not, and under which schema. */
