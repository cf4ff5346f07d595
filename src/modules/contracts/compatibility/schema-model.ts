/**
 * Turns a raw JSON Schema document of any draft (draft-04, -06, -07, 2019-09, 2020-12) into a typed
 * tree the diff engine can compare keyword family by keyword family, so that two spellings of the same
 * meaning — `definitions`/`$defs`, array-form `items`/`prefixItems`, `dependencies`/
 * `dependentRequired`, `"$id": "#a"`/`"$anchor": "a"`, `$recursiveRef`/`$dynamicRef` — give the same
 * tree.
 *
 * The shape of the tree follows how schema registries reason about JSON Schema: a schema object with
 * a single `type` is one typed node; a list of types is a union (anyOf) of typed nodes; `enum`/`const`,
 * the combinators, `not` and `if/then/else` are nodes of their own; a schema object that mixes several
 * of these is a *synthetic* allOf of them (synthetic: it has no keyword of its own, so paths do not
 * grow an `allOf/N` segment). `$ref` nodes stay lazy so recursive schemas do not recurse forever here.
 */
import { DEFAULT_DRAFT, type Draft, draftOf } from '../../../../codegen/drafts.ts';
import {
  type Annotations,
  canonicalJson,
  type ExternalResolver,
  emptyNode,
  FALSE_KEY,
  isObject,
  lazyKey,
  type Raw,
  type RefNode,
  type SchemaNode,
  TRUE_KEY,
  UnresolvedReferenceError,
} from './schema-nodes.ts';
import { indexResources, type ResourceIndex, resourceIdOf } from './schema-resources.ts';
import { resolveUri, stripFragment, unescapePointer } from './schema-uris.ts';
import {
  ARRAY_KEYWORDS,
  type ChildBuilder,
  NUMBER_KEYWORDS,
  OBJECT_KEYWORDS,
  STRING_KEYWORDS,
  typedNode,
} from './typed-nodes.ts';

export type { ExternalResolver, Raw, Segment } from './schema-nodes.ts';
export { canonicalJson, UnresolvedReferenceError } from './schema-nodes.ts';
export { resolveUri, stripFragment } from './schema-uris.ts';

type RefKeyword = '$ref' | '$dynamicRef' | '$recursiveRef';

/**
 * A schema document with its embedded resources; builds nodes and resolves `$ref`s against the
 * document, then against the external resolver. Nodes are cached per raw object so a recursive
 * reference yields the same node, which the diff engine detects as a cycle.
 */
export class SchemaDocument implements ChildBuilder {
  readonly root: Raw;
  readonly draft: Draft;
  readonly legacy: boolean;
  private readonly baseUri: string;
  private readonly index: ResourceIndex;
  private readonly cache = new WeakMap<object, SchemaNode>();
  private readonly external: ExternalResolver | undefined;
  private readonly externalDocs: Map<string, SchemaDocument>;
  /** The document the comparison started from: the outermost dynamic scope of its references. */
  private readonly entry: SchemaDocument;

  constructor(
    root: Raw,
    options: { external?: ExternalResolver; baseUri?: string; draft?: Draft; entry?: SchemaDocument } = {},
  ) {
    this.root = root;
    this.external = options.external;
    // the document's $schema decides; a caller may know the draft of a document without one
    this.draft = draftOf(root, options.draft ?? DEFAULT_DRAFT) ?? options.draft ?? DEFAULT_DRAFT;
    this.legacy = this.draft === 'draft-04' || this.draft === 'draft-06' || this.draft === 'draft-07';
    const id = isObject(root) ? resourceIdOf(root, this.draft) : undefined;
    this.baseUri = id ?? options.baseUri ?? 'canon:document';
    this.index = indexResources(root, this.baseUri, this.draft);
    this.entry = options.entry ?? this;
    this.externalDocs = options.entry ? options.entry.externalDocs : new Map();
  }

  rootNode(): SchemaNode {
    return this.build(this.root, this.baseUri);
  }

  build(raw: Raw, base: string): SchemaNode {
    if (raw === true) return { kind: 'empty', ann: {}, key: TRUE_KEY };
    if (raw === false) return { kind: 'false', ann: {}, key: FALSE_KEY };
    if (!isObject(raw)) return { kind: 'empty', ann: {}, key: lazyKey(() => canonicalJson(raw)) };
    const cached = this.cache.get(raw);
    if (cached) return cached;
    const id = resourceIdOf(raw, this.draft);
    const here = id === undefined ? base : stripFragment(resolveUri(id, base));
    const node = this.buildObject(raw, here);
    this.cache.set(raw, node);
    return node;
  }

  child(raw: unknown, base: string): SchemaNode | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw === 'boolean' || isObject(raw)) return this.build(raw, base);
    return undefined;
  }

  private buildObject(raw: Record<string, unknown>, base: string): SchemaNode {
    const key = lazyKey(() => canonicalJson(raw));
    const ann = readAnnotations(raw, this.draft);
    const parts: SchemaNode[] = [];

    if (typeof raw.$ref === 'string') parts.push(this.refNode(raw.$ref, base, '$ref'));
    // the dynamic references of the draft that has them (other drafts ignore the keyword)
    if (this.draft === '2020-12' && typeof raw.$dynamicRef === 'string')
      parts.push(this.refNode(raw.$dynamicRef, base, '$dynamicRef'));
    if (this.draft === '2019-09' && typeof raw.$recursiveRef === 'string')
      parts.push(this.refNode(raw.$recursiveRef, base, '$recursiveRef'));

    const types = raw.type === undefined ? undefined : Array.isArray(raw.type) ? raw.type : [raw.type];
    if (types) {
      const typed = dedupeTypes(types.filter((t): t is string => typeof t === 'string')).map((t) =>
        typedNode(this, t, raw, base, false),
      );
      if (typed.length === 1) parts.push(typed[0]);
      else if (typed.length > 1)
        parts.push({
          kind: 'combined',
          criterion: 'anyOf',
          subschemas: typed,
          synthetic: true,
          ann: {},
          key: lazyKey(() => `${key()}#type`),
        });
    } else {
      // No type keyword: each keyword family present constrains values of that type only.
      const families: [string, string[]][] = [
        ['string', STRING_KEYWORDS],
        ['number', NUMBER_KEYWORDS],
        ['object', OBJECT_KEYWORDS],
        ['array', ARRAY_KEYWORDS],
      ];
      for (const [family, keywords] of families) {
        if (keywords.some((kw) => raw[kw] !== undefined))
          parts.push(typedNode(this, family, raw, base, true));
      }
    }

    if (Array.isArray(raw.enum))
      parts.push({
        kind: 'enum',
        values: raw.enum,
        keyword: 'enum',
        ann: {},
        key: lazyKey(() => canonicalJson(raw.enum)),
      });
    if ('const' in raw)
      parts.push({
        kind: 'enum',
        values: [raw.const],
        keyword: 'const',
        ann: {},
        key: lazyKey(() => canonicalJson([raw.const])),
      });

    for (const criterion of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = raw[criterion];
      if (Array.isArray(list)) {
        const subschemas = list.map((s) => this.child(s, base) ?? emptyNode());
        parts.push({
          kind: 'combined',
          criterion,
          subschemas,
          synthetic: false,
          ann: {},
          key: lazyKey(() => canonicalJson(list)),
        });
      }
    }
    if (raw.not !== undefined) {
      parts.push({
        kind: 'not',
        schema: this.child(raw.not, base) ?? emptyNode(),
        ann: {},
        key: lazyKey(() => canonicalJson(raw.not)),
      });
    }
    if (raw.if !== undefined) {
      parts.push({
        kind: 'conditional',
        if: this.child(raw.if, base) ?? emptyNode(),
        then: this.child(raw.then, base),
        else: this.child(raw.else, base),
        ann: {},
        key: lazyKey(() => canonicalJson([raw.if, raw.then, raw.else])),
      });
    }

    if (parts.length === 0) return { kind: 'empty', ann, key };
    if (parts.length === 1) {
      const only = parts[0];
      // a $ref with annotation siblings keeps the siblings' annotations on the reference
      return { ...only, ann: { ...only.ann, ...ann }, key } as SchemaNode;
    }
    return { kind: 'combined', criterion: 'allOf', subschemas: parts, synthetic: true, ann, key };
  }

  private refNode(ref: string, base: string, keyword: RefKeyword): RefNode {
    let resolved: SchemaNode | undefined;
    return {
      kind: 'ref',
      ref,
      ann: {},
      key: () => `${keyword}:${ref}`,
      resolve: () => {
        resolved ??= this.resolveReference(ref, base, keyword);
        return resolved;
      },
    };
  }

  private resolveReference(ref: string, base: string, keyword: RefKeyword): SchemaNode {
    const target = this.locate(ref, base);
    if (keyword === '$dynamicRef')
      return this.dynamicTarget(ref, target) ?? target.doc.build(target.raw, target.base);
    if (keyword === '$recursiveRef')
      return this.recursiveTarget(target) ?? target.doc.build(target.raw, target.base);
    return target.doc.build(target.raw, target.base);
  }

  /**
   * 2020-12: a `$dynamicRef` whose static target carries the same `$dynamicAnchor` lands on the
   * outermost resource of the dynamic scope with that anchor. Canon compares whole documents, so the
   * outermost scope is the entry document's root resource.
   */
  private dynamicTarget(ref: string, target: Located): SchemaNode | undefined {
    const name = ref.slice(ref.indexOf('#') + 1);
    if (!isObject(target.raw) || target.raw.$dynamicAnchor !== name) return undefined;
    const outer = this.entry.index.dynamicAnchors.get(`${stripFragment(this.entry.baseUri)}#${name}`);
    return outer === undefined ? undefined : this.entry.build(outer, stripFragment(this.entry.baseUri));
  }

  /** 2019-09: `$recursiveRef` lands on the entry document's root when both carry `$recursiveAnchor: true`. */
  private recursiveTarget(target: Located): SchemaNode | undefined {
    if (!isObject(target.raw) || target.raw.$recursiveAnchor !== true) return undefined;
    const root = this.entry.root;
    return isObject(root) && root.$recursiveAnchor === true
      ? this.entry.build(root, this.entry.baseUri)
      : undefined;
  }

  /** The schema a reference names: a resource, an anchor in it, or a JSON pointer into it. */
  private locate(ref: string, base: string): Located {
    const absolute = resolveUri(ref, base);
    const hash = absolute.indexOf('#');
    const resourceUri = hash >= 0 ? absolute.slice(0, hash) : absolute;
    const fragment = hash >= 0 ? absolute.slice(hash + 1) : '';

    let doc: SchemaDocument = this;
    let resource = resourceUri === '' ? this.root : this.index.resources.get(resourceUri);
    if (resource === undefined) {
      const ext = this.externalDocument(resourceUri);
      if (!ext) throw new UnresolvedReferenceError(ref, 'no schema with that id is known to the registry');
      doc = ext;
      resource = ext.root;
    }
    if (fragment === '') return { doc, raw: resource, base: resourceUri };
    if (!fragment.startsWith('/')) {
      const anchored = doc.index.anchors.get(`${resourceUri}#${fragment}`);
      if (anchored === undefined) throw new UnresolvedReferenceError(ref, `anchor "${fragment}" not found`);
      return { doc, raw: anchored, base: resourceUri };
    }
    let target: unknown = resource;
    for (const seg of fragment.split('/').slice(1)) {
      const name = unescapePointer(seg);
      if (Array.isArray(target)) target = target[Number(name)];
      else if (isObject(target)) target = target[name];
      else target = undefined;
      if (target === undefined) throw new UnresolvedReferenceError(ref, `pointer "${fragment}" not found`);
    }
    if (typeof target !== 'boolean' && !isObject(target)) {
      throw new UnresolvedReferenceError(ref, `pointer "${fragment}" does not name a schema`);
    }
    return { doc, raw: target, base: resourceUri };
  }

  private externalDocument(uri: string): SchemaDocument | undefined {
    const known = this.externalDocs.get(uri);
    if (known) return known;
    const raw = this.external?.(uri);
    if (raw === undefined) return undefined;
    // a registry document carries its own $schema: its draft decides how it is read
    const doc = new SchemaDocument(raw, { external: this.external, baseUri: uri, entry: this.entry });
    this.externalDocs.set(uri, doc);
    return doc;
  }
}

interface Located {
  doc: SchemaDocument;
  raw: Raw;
  base: string;
}

function dedupeTypes(types: string[]): string[] {
  const set = new Set(types);
  // "integer" adds nothing to "number"
  if (set.has('number')) set.delete('integer');
  return [...set];
}

function readAnnotations(raw: Record<string, unknown>, draft: Draft): Annotations {
  const ann: Annotations = {};
  const id = resourceIdOf(raw, draft);
  if (id !== undefined) ann.id = id;
  if (typeof raw.title === 'string') ann.title = raw.title;
  if (typeof raw.description === 'string') ann.description = raw.description;
  if ('default' in raw) ann.default = { value: raw.default };
  if (raw.examples !== undefined) ann.examples = raw.examples;
  if (typeof raw.$comment === 'string') ann.comment = raw.$comment;
  if (typeof raw.deprecated === 'boolean') ann.deprecated = raw.deprecated;
  if (typeof raw.readOnly === 'boolean') ann.readOnly = raw.readOnly;
  if (typeof raw.writeOnly === 'boolean') ann.writeOnly = raw.writeOnly;
  return ann;
}
