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

import { compareArray } from './array-diff.ts';
import { maximumMatching } from './bipartite-matching.ts';
import { changeKindInfo } from './change-kinds.ts';
import { criterionChange, dedupe, deref, emptyOfFamily, sameClass } from './node-shapes.ts';
import { compareObject } from './object-diff.ts';
import { type Differ, isCompatible, type RawChange } from './raw-change.ts';
import { compareEnum, compareNumber, compareString } from './scalar-comparisons.ts';
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

export { isCompatible, pointer, type RawChange } from './raw-change.ts';

type Pair = [SchemaNode, SchemaNode];

/** One comparison run: memoises node pairs and detects recursive cycles. */
export class SchemaDiffer implements Differ {
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
        compareObject(this, a, b as ObjectNode, out);
        break;
      case 'array':
        compareArray(this, a, b as ArrayNode, out);
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
  nested(
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
}
