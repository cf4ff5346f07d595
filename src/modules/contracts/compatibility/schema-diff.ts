/**
 * The JSON Schema diff engine: lists every change between an ORIGINAL and an UPDATE schema as a kind
 * (see change-kinds.ts) at a JSON pointer, following the rules schema registries apply to JSON Schema
 * (open / closed / partially open content models, combinators matched by maximum bipartite matching,
 * `not` compared in reverse, references followed with cycle detection).
 *
 * A diff ORIGINAL → UPDATE is *compatible* when every change kind in it is backward compatible: every
 * document valid under ORIGINAL is valid under UPDATE. Forward compatibility is the same question
 * asked the other way round (UPDATE → ORIGINAL).
 */

import { maximumMatching } from './bipartite-matching.ts';
import { type ChangeKind, changeKindInfo } from './change-kinds.ts';
import {
  constraining,
  criterionChange,
  dedupe,
  deref,
  emptyOfFamily,
  hasDefault,
  isOpenArray,
  isOpenObject,
  partialItemSchema,
  partialSchemaFor,
  permits,
  sameClass,
  sortedKeys,
} from './node-shapes.ts';
import { bound, compareEnum, compareNumber, compareString } from './scalar-comparisons.ts';
import type {
  Annotations,
  ArrayNode,
  CombinedNode,
  ConditionalNode,
  EnumNode,
  NotNode,
  NumberNode,
  ObjectNode,
  SchemaNode,
  Segment,
  StringNode,
} from './schema-nodes.ts';
import { canonicalJson } from './schema-nodes.ts';

export interface RawChange {
  kind: ChangeKind;
  path: Segment[];
}

export function isCompatible(changes: readonly RawChange[]): boolean {
  return changes.every((c) => changeKindInfo(c.kind).backward);
}

/** Renders path segments as a JSON pointer with a leading `#` (RFC 6901 escaping). */
export function pointer(path: readonly Segment[]): string {
  return `#/${path.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

type Pair = [SchemaNode, SchemaNode];

/** One comparison run: memoises node pairs and detects recursive cycles. */
export class SchemaDiffer {
  private readonly memo = new Map<SchemaNode, Map<SchemaNode, RawChange[]>>();
  private readonly inProgress = new Set<string>();
  private readonly ids = new WeakMap<SchemaNode, number>();
  private nextId = 0;

  /** Changes ORIGINAL → UPDATE at the document root (the root $id names the document, not content). */
  diffRoots(original: SchemaNode, update: SchemaNode): RawChange[] {
    return this.compare(original, update, true);
  }

  private id(node: SchemaNode): number {
    let id = this.ids.get(node);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(node, id);
    }
    return id;
  }

  /** Changes between two subschemas, with paths relative to them; memoised per node pair. */
  compare(rawOriginal: SchemaNode | undefined, rawUpdate: SchemaNode | undefined, root = false): RawChange[] {
    if (!rawOriginal && !rawUpdate) return [];
    // References are followed first so that a recursive pair is recognised whichever way it was reached.
    const original = rawOriginal && deref(rawOriginal);
    const update = rawUpdate && deref(rawUpdate);
    if (!original) return update!.kind === 'empty' ? [] : [{ kind: 'SCHEMA_ADDED', path: [] }];
    if (!update) return original.kind === 'empty' ? [] : [{ kind: 'SCHEMA_REMOVED', path: [] }];

    const cached = this.memo.get(original)?.get(update);
    if (cached) return cached;
    const pairKey = `${this.id(original)}:${this.id(update)}`;
    // A pair met again while it is still being compared is a recursive cycle: assume it holds.
    if (this.inProgress.has(pairKey)) return [];
    this.inProgress.add(pairKey);
    try {
      const result = this.compareUncached([original, update], root);
      let inner = this.memo.get(original);
      if (!inner) {
        inner = new Map();
        this.memo.set(original, inner);
      }
      inner.set(update, result);
      return result;
    } finally {
      this.inProgress.delete(pairKey);
    }
  }

  private compareUncached([original, update]: Pair, root: boolean): RawChange[] {
    const out: RawChange[] = [];

    // A union on one side only: the other side may match one of its members.
    if (original.kind !== 'combined' && update.kind === 'combined') {
      if (update.subschemas.length === 1) {
        const sub = this.compare(original, update.subschemas[0]);
        if (isCompatible(sub)) return this.withAnnotations(original, update, root, sub);
      } else if (update.criterion === 'anyOf' || update.criterion === 'oneOf') {
        for (const member of update.subschemas) {
          const sub = this.compare(original, member);
          if (isCompatible(sub)) {
            return this.withAnnotations(original, update, root, [
              ...sub,
              { kind: 'SUM_TYPE_EXTENDED', path: [] },
            ]);
          }
        }
      } else if (update.synthetic) {
        // keywords were added beside the original's (e.g. an enum next to a type): report the
        // changes against the member of the same kind, plus the new constraints
        const same = update.subschemas.find((m) => sameClass(original, deref(m)));
        if (same) {
          const sub = this.compare(original, same);
          return this.withAnnotations(original, update, root, [
            ...sub,
            { kind: 'PRODUCT_TYPE_EXTENDED', path: [] },
          ]);
        }
      }
    } else if (original.kind === 'combined' && update.kind !== 'combined') {
      if (original.subschemas.length === 1) {
        const sub = this.compare(original.subschemas[0], update);
        if (isCompatible(sub)) return this.withAnnotations(original, update, root, sub);
      } else if (original.criterion === 'allOf') {
        for (const member of original.subschemas) {
          const sub = this.compare(member, update);
          if (isCompatible(sub)) {
            return this.withAnnotations(original, update, root, [
              ...sub,
              { kind: 'PRODUCT_TYPE_NARROWED', path: [] },
            ]);
          }
        }
      } else {
        // a union lost alternatives: name it so rather than a bare type change
        for (const member of original.subschemas) {
          const sub = this.compare(member, update);
          if (isCompatible(sub)) {
            return this.withAnnotations(original, update, root, [{ kind: 'SUM_TYPE_NARROWED', path: [] }]);
          }
        }
      }
    }

    let a = original;
    const b = update;
    if (!sameClass(a, b)) {
      // Anything may become `true`/`{}`, and `false` may become anything.
      if (a.kind === 'false' || b.kind === 'empty') return out;
      // `{}` is the same as a type-less node of any family with no constraints yet.
      if (a.kind === 'empty' && b.implicit) a = emptyOfFamily(b);
      else {
        out.push({ kind: 'TYPE_CHANGED', path: [] });
        return out;
      }
    }

    this.compareAnnotations(a.ann, b.ann, root, out);
    switch (a.kind) {
      case 'string':
        compareString(a, b as StringNode, out);
        break;
      case 'number':
        compareNumber(a, b as NumberNode, out);
        break;
      case 'enum':
        compareEnum(a, b as EnumNode, out);
        break;
      case 'combined':
        this.compareCombined(a, b as CombinedNode, out);
        break;
      case 'not':
        this.compareNot(a, b as NotNode, out);
        break;
      case 'conditional':
        this.compareConditional(a, b as ConditionalNode, out);
        break;
      case 'object':
        this.compareObject(a, b as ObjectNode, out);
        break;
      case 'array':
        this.compareArray(a, b as ArrayNode, out);
        break;
      default:
        break;
    }
    if ('implicit' in a && a.kind !== 'combined') {
      if (!a.implicit && b.implicit) out.push({ kind: 'TYPE_EXTENDED', path: [] });
      else if (a.implicit && !b.implicit) out.push({ kind: 'TYPE_NARROWED', path: [] });
    }
    return out;
  }

  private withAnnotations(a: SchemaNode, b: SchemaNode, root: boolean, changes: RawChange[]): RawChange[] {
    const out: RawChange[] = [];
    this.compareAnnotations(a.ann, b.ann, root, out);
    return [...out, ...changes];
  }

  private compareAnnotations(a: Annotations, b: Annotations, root: boolean, out: RawChange[]): void {
    if (!root && a.id !== b.id) out.push({ kind: 'ID_CHANGED', path: [] });
    if (a.title !== b.title) out.push({ kind: 'TITLE_CHANGED', path: [] });
    if (a.description !== b.description) out.push({ kind: 'DESCRIPTION_CHANGED', path: [] });
    if (canonicalJson(a.default) !== canonicalJson(b.default))
      out.push({ kind: 'DEFAULT_CHANGED', path: [] });
    if (canonicalJson(a.examples) !== canonicalJson(b.examples))
      out.push({ kind: 'EXAMPLES_CHANGED', path: [] });
    if (a.comment !== b.comment) out.push({ kind: 'COMMENT_CHANGED', path: [] });
    if ((a.deprecated ?? false) !== (b.deprecated ?? false))
      out.push({ kind: 'DEPRECATED_CHANGED', path: [] });
    if ((a.readOnly ?? false) !== (b.readOnly ?? false)) out.push({ kind: 'READ_ONLY_CHANGED', path: [] });
    if ((a.writeOnly ?? false) !== (b.writeOnly ?? false)) out.push({ kind: 'WRITE_ONLY_CHANGED', path: [] });
  }

  /** Compares under a path prefix and appends the rebased changes. */
  private nested(
    prefix: Segment[],
    a: SchemaNode | undefined,
    b: SchemaNode | undefined,
    out: RawChange[],
  ): RawChange[] {
    const sub = this.compare(a, b);
    for (const c of sub) out.push({ kind: c.kind, path: [...prefix, ...c.path] });
    return sub;
  }

  private compareCombined(a: CombinedNode, b: CombinedNode, out: RawChange[]): void {
    if (a.criterion !== b.criterion) {
      const kind = criterionChange(a, b);
      out.push({ kind, path: [] });
      if (kind === 'COMBINED_TYPE_CHANGED') return;
    }
    const originals = dedupe(a.subschemas);
    const updates = dedupe(b.subschemas);
    if (originals.length < updates.length) {
      out.push({ kind: b.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED', path: [] });
    } else if (originals.length > updates.length) {
      out.push({ kind: b.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED', path: [] });
    }
    const edges = new Map<string, RawChange[]>();
    const adjacency: number[][] = originals.map((o, i) => {
      const compatibleWith: number[] = [];
      updates.forEach((u, j) => {
        const sub = this.compare(o.node, u.node);
        if (isCompatible(sub)) {
          compatibleWith.push(j);
          edges.set(`${i}:${j}`, sub);
        }
      });
      // the closest counterparts first: fewer changes, then the same position
      return compatibleWith.sort(
        (x, y) =>
          edges.get(`${i}:${x}`)!.length - edges.get(`${i}:${y}`)!.length ||
          Math.abs(x - i) - Math.abs(y - i),
      );
    });
    // alternatives with an unchanged counterpart keep it, so an equal pair is never reported as two
    // changed ones (`items: true` and `items: [true]` in two alternatives, reordered or not)
    const unchanged: [number, number][] = [];
    const taken = new Set<number>();
    adjacency.forEach((candidates, i) => {
      const j = candidates.find((c) => !taken.has(c) && edges.get(`${i}:${c}`)!.length === 0);
      if (j !== undefined) {
        taken.add(j);
        unchanged.push([i, j]);
      }
    });
    const matching = maximumMatching(adjacency, updates.length, unchanged);
    for (const [i, j] of matching) {
      const prefix = a.synthetic ? [] : [a.criterion, String(originals[i].index)];
      for (const c of edges.get(`${i}:${j}`) ?? []) out.push({ kind: c.kind, path: [...prefix, ...c.path] });
    }
    if (matching.length < Math.min(originals.length, updates.length)) {
      out.push({ kind: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', path: [] });
    }
  }

  private compareNot(a: NotNode, b: NotNode, out: RawChange[]): void {
    // A value passes `not S` when it fails S: the inner schemas are compared the other way round.
    const reversed = this.compare(b.schema, a.schema);
    // the same schema under `not` (in any spelling) is no change
    if (reversed.length === 0) return;
    out.push({ kind: isCompatible(reversed) ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED', path: ['not'] });
  }

  private compareConditional(a: ConditionalNode, b: ConditionalNode, out: RawChange[]): void {
    const cond = this.compare(a.if, b.if);
    const condReversed = this.compare(b.if, a.if);
    if (cond.length > 0 || condReversed.length > 0) {
      if (
        !(
          cond.every((c) => changeKindInfo(c.kind).annotation) &&
          condReversed.every((c) => changeKindInfo(c.kind).annotation)
        )
      ) {
        out.push({ kind: 'CONDITION_CHANGED', path: ['if'] });
        return;
      }
    }
    this.nested(['then'], a.then, b.then, out);
    this.nested(['else'], a.else, b.else, out);
  }

  private compareObject(a: ObjectNode, b: ObjectNode, out: RawChange[]): void {
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
        this.nested(at, before, after, out);
      } else if (before) {
        this.propertyRemoved(at, name, before, b, out);
      } else if (after) {
        this.propertyAdded(at, name, after, a, b, out);
      }
    }

    this.compareDependencies(a, b, out);
    this.comparePatternProperties(a, b, out);
    this.compareAdditional(
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
    this.compareUnevaluated(
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
      this.nested(['propertyNames'], a.propertyNames, b.propertyNames, out);

    bound(out, 'maxProperties', a.maxProperties, b.maxProperties, 'MAX_PROPERTIES');
    bound(out, 'minProperties', a.minProperties, b.minProperties, 'MIN_PROPERTIES');
  }

  private propertyRemoved(
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
      const sub = this.nested(at, before, covering, out);
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

  private propertyAdded(
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
      const sub = this.nested(at, covering, after, out);
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

  private compareDependencies(a: ObjectNode, b: ObjectNode, out: RawChange[]): void {
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
      else this.nested(at, before, after, out);
    }
  }

  private comparePatternProperties(a: ObjectNode, b: ObjectNode, out: RawChange[]): void {
    const patterns = [...new Set([...a.patternProperties.keys(), ...b.patternProperties.keys()])].sort();
    for (const p of patterns) {
      const before = a.patternProperties.get(p);
      const after = b.patternProperties.get(p);
      const at = ['patternProperties', p];
      if (before && after) this.nested(at, before, after, out);
      else if (after) {
        out.push({
          kind: this.patternAddedCovered(after, a)
            ? 'PATTERN_PROPERTY_ADDED_IS_COVERED'
            : 'PATTERN_PROPERTY_ADDED_NOT_COVERED',
          path: at,
        });
      } else if (before) {
        out.push({
          kind: this.patternRemovedCovered(before, b)
            ? 'PATTERN_PROPERTY_REMOVED_IS_COVERED'
            : 'PATTERN_PROPERTY_REMOVED_NOT_COVERED',
          path: at,
        });
      }
    }
  }

  /** Names matching a new pattern were decided by additionalProperties before. */
  private patternAddedCovered(after: SchemaNode, a: ObjectNode): boolean {
    if (!permits(a.additionalProperties)) return true;
    const fallback = constraining(a.additionalProperties);
    return fallback ? isCompatible(this.compare(fallback, after)) : deref(after).kind === 'empty';
  }

  /** Names matching a removed pattern are decided by additionalProperties now. */
  private patternRemovedCovered(before: SchemaNode, b: ObjectNode): boolean {
    if (!permits(b.additionalProperties)) return false;
    const fallback = constraining(b.additionalProperties);
    return fallback ? isCompatible(this.compare(before, fallback)) : true;
  }

  /** additionalProperties / additionalItems: allowed or not, and under which schema. */
  private compareAdditional(
    at: Segment[],
    a: SchemaNode | undefined,
    b: SchemaNode | undefined,
    kinds: { ADDED: ChangeKind; REMOVED: ChangeKind; NARROWED: ChangeKind; EXTENDED: ChangeKind },
    out: RawChange[],
  ): void {
    const aPermits = permits(a);
    const bPermits = permits(b);
    if (aPermits !== bPermits) {
      out.push({ kind: bPermits ? kinds.ADDED : kinds.REMOVED, path: at });
      return;
    }
    const aSchema = constraining(a);
    const bSchema = constraining(b);
    if (!aSchema && bSchema) out.push({ kind: kinds.NARROWED, path: at });
    else if (aSchema && !bSchema) out.push({ kind: kinds.EXTENDED, path: at });
    else if (aSchema && bSchema) this.nested(at, aSchema, bSchema, out);
  }

  private compareUnevaluated(
    at: Segment[],
    a: SchemaNode | undefined,
    b: SchemaNode | undefined,
    kinds: { ADDED: ChangeKind; REMOVED: ChangeKind; NARROWED: ChangeKind; EXTENDED: ChangeKind },
    out: RawChange[],
  ): void {
    if (!a && !b) return;
    const aFalse = a !== undefined && deref(a).kind === 'false';
    const bFalse = b !== undefined && deref(b).kind === 'false';
    const aOpen = a === undefined || deref(a).kind === 'empty';
    const bOpen = b === undefined || deref(b).kind === 'empty';
    if (aFalse && !bFalse) out.push({ kind: kinds.ADDED, path: at });
    else if (!aFalse && bFalse) out.push({ kind: kinds.REMOVED, path: at });
    else if (aFalse && bFalse) return;
    else if (aOpen && !bOpen) out.push({ kind: kinds.NARROWED, path: at });
    else if (!aOpen && bOpen) out.push({ kind: kinds.EXTENDED, path: at });
    else if (!aOpen && !bOpen) this.nested(at, a, b, out);
  }

  private compareArray(a: ArrayNode, b: ArrayNode, out: RawChange[]): void {
    // the schema every item must match
    if (a.items || b.items) this.nested(['items'], a.items, b.items, out);

    const before = a.tuple ?? [];
    const after = b.tuple ?? [];
    const tupleKeyword = b.tuple ? b.tupleKeyword : a.tupleKeyword;
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) this.nested([tupleKeyword, String(i)], before[i], after[i], out);
    for (let i = common; i < before.length; i++) {
      const at = [tupleKeyword, String(i)];
      if (isOpenArray(b)) out.push({ kind: 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL', path: at });
      else {
        const covering = partialItemSchema(b);
        if (covering) {
          const sub = this.nested(at, before[i], covering, out);
          out.push({
            kind: isCompatible(sub)
              ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
              : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
            path: at,
          });
        } else {
          out.push({
            kind:
              deref(before[i]).kind === 'false'
                ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
                : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
            path: at,
          });
        }
      }
    }
    for (let i = common; i < after.length; i++) {
      const at = [tupleKeyword, String(i)];
      if (isOpenArray(a)) {
        out.push({
          kind:
            deref(after[i]).kind === 'empty'
              ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
              : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
          path: at,
        });
      } else {
        const covering = partialItemSchema(a);
        if (covering) {
          const sub = this.nested(at, covering, after[i], out);
          out.push({
            kind: isCompatible(sub)
              ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
              : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
            path: at,
          });
        } else out.push({ kind: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', path: at });
      }
    }

    this.compareAdditional(
      [b.additionalItems ? b.additionalKeyword : a.additionalKeyword],
      a.additionalItems,
      b.additionalItems,
      {
        ADDED: 'ADDITIONAL_ITEMS_ADDED',
        REMOVED: 'ADDITIONAL_ITEMS_REMOVED',
        NARROWED: 'ADDITIONAL_ITEMS_NARROWED',
        EXTENDED: 'ADDITIONAL_ITEMS_EXTENDED',
      },
      out,
    );
    this.compareUnevaluated(
      ['unevaluatedItems'],
      a.unevaluatedItems,
      b.unevaluatedItems,
      {
        ADDED: 'UNEVALUATED_ITEMS_ADDED',
        REMOVED: 'UNEVALUATED_ITEMS_REMOVED',
        NARROWED: 'UNEVALUATED_ITEMS_NARROWED',
        EXTENDED: 'UNEVALUATED_ITEMS_EXTENDED',
      },
      out,
    );

    if (a.contains && !b.contains) out.push({ kind: 'CONTAINS_REMOVED', path: ['contains'] });
    else if (!a.contains && b.contains) out.push({ kind: 'CONTAINS_ADDED', path: ['contains'] });
    else if (a.contains && b.contains) this.nested(['contains'], a.contains, b.contains, out);

    bound(out, 'maxItems', a.maxItems, b.maxItems, 'MAX_ITEMS');
    bound(out, 'minItems', a.minItems, b.minItems, 'MIN_ITEMS');
    if (a.uniqueItems !== b.uniqueItems) {
      out.push({
        kind: a.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED',
        path: ['uniqueItems'],
      });
    }
    bound(out, 'maxContains', a.maxContains, b.maxContains, 'MAX_CONTAINS');
    bound(out, 'minContains', a.minContains, b.minContains, 'MIN_CONTAINS');
  }
}
