/**
 * Where a document's `$ref`s can land: its schema resources (by absolute URI) and anchors, spelled the
 * way its draft spells them — draft-04's `id`, draft-06/07's `$id` with a plain-name fragment
 * (`"$id": "#address"`), 2019-09's `$anchor` and `$recursiveAnchor`, 2020-12's `$dynamicAnchor`.
 */
import type { Draft } from '../../../../codegen/drafts.ts';
import { isObject, type Raw } from './schema-nodes.ts';
import { resolveUri, stripFragment } from './schema-uris.ts';

/** Keywords whose values are data, not schemas: nothing inside them is indexed or built. */
export const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'default']);

export interface ResourceIndex {
  /** Absolute URI (without fragment) → the schema resource's root. */
  resources: Map<string, Raw>;
  /** `<resource URI>#<name>` → the schema the anchor names (every spelling, dynamic ones too). */
  anchors: Map<string, Raw>;
  /** `<resource URI>#<name>` → the schema a 2020-12 `$dynamicAnchor` names. */
  dynamicAnchors: Map<string, Raw>;
}

/** Drafts before 2019-09 name anchors with a fragment in the id keyword. */
const FRAGMENT_ANCHORS: readonly Draft[] = ['draft-04', 'draft-06', 'draft-07'];

function idValue(raw: Record<string, unknown>, draft: Draft): string | undefined {
  const id = draft === 'draft-04' ? raw.id : raw.$id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The URI a schema object's id keyword makes the base of its subschemas (undefined when it has none,
 * or only a plain-name fragment, which names an anchor, not a resource).
 */
export function resourceIdOf(raw: Record<string, unknown>, draft: Draft): string | undefined {
  const id = idValue(raw, draft);
  return id === undefined || id.startsWith('#') ? undefined : id;
}

export function indexResources(root: Raw, baseUri: string, draft: Draft): ResourceIndex {
  const index: ResourceIndex = { resources: new Map(), anchors: new Map(), dynamicAnchors: new Map() };
  const walk = (raw: unknown, base: string): void => {
    if (Array.isArray(raw)) {
      for (const x of raw) walk(x, base);
      return;
    }
    if (!isObject(raw)) return;
    let here = base;
    const id = idValue(raw, draft);
    if (id !== undefined) {
      const absolute = resolveUri(id, base);
      const resource = stripFragment(absolute);
      if (!id.startsWith('#')) {
        here = resource;
        index.resources.set(resource, raw);
      }
      const fragment = absolute.slice(resource.length + 1);
      if (FRAGMENT_ANCHORS.includes(draft) && fragment !== '' && !fragment.startsWith('/'))
        index.anchors.set(`${resource}#${fragment}`, raw);
    }
    const resource = stripFragment(here);
    if (typeof raw.$anchor === 'string') index.anchors.set(`${resource}#${raw.$anchor}`, raw);
    if (draft === '2020-12' && typeof raw.$dynamicAnchor === 'string') {
      index.anchors.set(`${resource}#${raw.$dynamicAnchor}`, raw);
      index.dynamicAnchors.set(`${resource}#${raw.$dynamicAnchor}`, raw);
    }
    for (const [key, value] of Object.entries(raw)) if (!DATA_KEYWORDS.has(key)) walk(value, here);
  };
  if (isObject(root) && root !== undefined) index.resources.set(stripFragment(baseUri), root);
  walk(root, baseUri);
  return index;
}
