/**
 * Rewrites a contract of any draft into the spelling json-schema-to-typescript understands (it reads
 * draft-04-style documents and resolves only JSON-pointer references): plain-name anchors (`$anchor`,
 * `$dynamicAnchor`, `"$id": "#a"`) become pointers, `$dynamicRef`/`$recursiveRef` become the static
 * `$ref` they start from, and 2020-12 tuples (`prefixItems` + `items`) become `items: [...]` +
 * `additionalItems`. Validation does not use this copy: only the declarations do.
 */
import { type Draft, draftOf } from './drafts.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'default']);
const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** `#name` → the JSON pointer of the schema that anchor names, in the root resource. */
function anchorPointers(schema: Json, draft: Draft): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: unknown, at: string, root: boolean) => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => {
        walk(x, `${at}/${i}`, false);
      });
      return;
    }
    if (!isObject(node)) return;
    const id = draft === 'draft-04' ? node.id : node.$id;
    // an embedded resource has anchors of its own: not reachable by `#name` from the root
    if (!root && typeof id === 'string' && !id.startsWith('#')) return;
    for (const name of [
      typeof id === 'string' && id.startsWith('#') ? id.slice(1) : undefined,
      typeof node.$anchor === 'string' ? node.$anchor : undefined,
      typeof node.$dynamicAnchor === 'string' ? node.$dynamicAnchor : undefined,
    ])
      if (name) out.set(`#${name}`, at === '' ? '#' : `#${at}`);
    for (const [k, v] of Object.entries(node))
      if (!DATA_KEYWORDS.has(k)) walk(v, `${at}/${escapePointer(k)}`, false);
  };
  walk(schema, '', true);
  return out;
}

export function forTypeScript(schema: Json): Json {
  const draft = draftOf(schema) ?? '2020-12';
  const anchors = anchorPointers(schema, draft);
  const pointerOf = (ref: string) => anchors.get(ref) ?? ref;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!isObject(node)) return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (DATA_KEYWORDS.has(k)) out[k] = v;
      else if ((k === '$ref' || k === '$dynamicRef' || k === '$recursiveRef') && typeof v === 'string')
        out.$ref = pointerOf(v);
      else if (k === 'prefixItems' && Array.isArray(v)) {
        out.items = v.map(rewrite);
        if (node.items !== undefined) out.additionalItems = rewrite(node.items);
      } else if (k === 'items' && Array.isArray(node.prefixItems)) {
        // folded into additionalItems above
      } else out[k] = rewrite(v);
    }
    return out;
  };
  return rewrite(schema) as Json;
}
