/**
 * Arrays compared keyword by keyword: the item schema, tuple members (`prefixItems`, draft-07
 * `items: [...]`) against the array's content model, what follows the tuple, `unevaluatedItems`,
 * `contains` and the counts.
 */
import { compareAdditional, compareUnevaluated } from './content-model-diff.ts';
import { deref, isOpenArray, partialItemSchema } from './node-shapes.ts';
import { type Differ, isCompatible, type RawChange } from './raw-change.ts';
import { bound } from './scalar-comparisons.ts';
import type { ArrayNode } from './schema-nodes.ts';

export function compareArray(d: Differ, a: ArrayNode, b: ArrayNode, out: RawChange[]): void {
  // the schema every item must match
  if (a.items || b.items) d.nested(['items'], a.items, b.items, out);

  const before = a.tuple ?? [];
  const after = b.tuple ?? [];
  const tupleKeyword = b.tuple ? b.tupleKeyword : a.tupleKeyword;
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) d.nested([tupleKeyword, String(i)], before[i], after[i], out);
  for (let i = common; i < before.length; i++) {
    const at = [tupleKeyword, String(i)];
    if (isOpenArray(b)) out.push({ kind: 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL', path: at });
    else {
      const covering = partialItemSchema(b);
      if (covering) {
        const sub = d.nested(at, before[i], covering, out);
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
        const sub = d.nested(at, covering, after[i], out);
        out.push({
          kind: isCompatible(sub)
            ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
            : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          path: at,
        });
      } else out.push({ kind: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', path: at });
    }
  }

  compareAdditional(
    d,
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
  compareUnevaluated(
    d,
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
  else if (a.contains && b.contains) d.nested(['contains'], a.contains, b.contains, out);

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
