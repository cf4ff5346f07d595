/**
 * Turns a raw JSON Schema document (2020-12, and the draft-07 spellings of the same keywords) into a
 * typed tree the diff engine can compare keyword family by keyword family.
 *
 * The shape of the tree follows how schema registries reason about JSON Schema: a schema object with
 * a single `type` is one typed node; a list of types is a union (anyOf) of typed nodes; `enum`/`const`,
 * the combinators, `not` and `if/then/else` are nodes of their own; a schema object that mixes several
 * of these is a *synthetic* allOf of them (synthetic: it has no keyword of its own, so paths do not
 * grow an `allOf/N` segment). `$ref` nodes stay lazy so recursive schemas do not recurse forever here.
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

const ANNOTATION_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$anchor',
  '$dynamicAnchor',
  '$comment',
  '$defs',
  'definitions',
  '$vocabulary',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);

const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern', 'format'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const OBJECT_KEYWORDS = [
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
const ARRAY_KEYWORDS = [
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

const LEGACY_DRAFT = /draft-0[3-7]/;

const TRUE_KEY = () => 'true';
const FALSE_KEY = () => 'false';

/** Computes a key once, when first asked for: most nodes are never de-duplicated. */
function lazyKey(compute: () => string): () => string {
  let value: string | undefined;
  return () => {
    value ??= compute();
    return value;
  };
}

export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'undefined';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Decodes one JSON pointer segment (RFC 6901). */
function unescapePointer(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // not %-encoding after all (`#/%ZZ`): the segment names itself, and resolves to nothing
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * A schema document with its embedded resources; builds nodes and resolves `$ref`s against the
 * document, then against the external resolver. Nodes are cached per raw object so a recursive
 * reference yields the same node, which the diff engine detects as a cycle.
 */
export class SchemaDocument {
  readonly root: Raw;
  readonly legacy: boolean;
  private readonly baseUri: string;
  private readonly resources = new Map<string, Raw>();
  private readonly anchors = new Map<string, Raw>();
  private readonly cache = new WeakMap<object, SchemaNode>();
  private readonly external: ExternalResolver | undefined;
  private readonly externalDocs = new Map<string, SchemaDocument>();

  constructor(root: Raw, options: { external?: ExternalResolver; baseUri?: string; legacy?: boolean } = {}) {
    this.root = root;
    this.external = options.external;
    const schemaUri = isObject(root) && typeof root.$schema === 'string' ? root.$schema : '';
    // draft-07 spellings (items arrays, additionalItems) name paths; a caller may know the dialect
    this.legacy = options.legacy ?? LEGACY_DRAFT.test(schemaUri);
    const id = isObject(root) && typeof root.$id === 'string' ? root.$id : undefined;
    this.baseUri = id ?? options.baseUri ?? 'canon:document';
    this.indexResources(root, this.baseUri);
  }

  rootNode(): SchemaNode {
    return this.build(this.root, this.baseUri);
  }

  private indexResources(raw: unknown, base: string): void {
    if (Array.isArray(raw)) {
      for (const x of raw) this.indexResources(x, base);
      return;
    }
    if (!isObject(raw)) return;
    let here = base;
    if (typeof raw.$id === 'string') {
      here = resolveUri(raw.$id, base);
      this.resources.set(stripFragment(here), raw);
    }
    if (typeof raw.$anchor === 'string') this.anchors.set(`${stripFragment(here)}#${raw.$anchor}`, raw);
    for (const [key, value] of Object.entries(raw)) {
      // enum/const/examples/default hold data, not schemas
      if (key === 'enum' || key === 'const' || key === 'examples' || key === 'default') continue;
      this.indexResources(value, here);
    }
  }

  build(raw: Raw, base: string): SchemaNode {
    if (raw === true) return { kind: 'empty', ann: {}, key: TRUE_KEY };
    if (raw === false) return { kind: 'false', ann: {}, key: FALSE_KEY };
    if (!isObject(raw)) return { kind: 'empty', ann: {}, key: lazyKey(() => canonicalJson(raw)) };
    const cached = this.cache.get(raw);
    if (cached) return cached;
    const here = typeof raw.$id === 'string' ? resolveUri(raw.$id, base) : base;
    const node = this.buildObject(raw, here);
    this.cache.set(raw, node);
    return node;
  }

  private child(raw: unknown, base: string): SchemaNode | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw === 'boolean' || isObject(raw)) return this.build(raw, base);
    return undefined;
  }

  private buildObject(raw: Record<string, unknown>, base: string): SchemaNode {
    const key = lazyKey(() => canonicalJson(raw));
    const ann = readAnnotations(raw);
    const parts: SchemaNode[] = [];

    if (typeof raw.$ref === 'string') parts.push(this.refNode(raw.$ref, base));

    const types = raw.type === undefined ? undefined : Array.isArray(raw.type) ? raw.type : [raw.type];
    if (types) {
      const typed = dedupeTypes(types.filter((t): t is string => typeof t === 'string')).map((t) =>
        this.typedNode(t, raw, base, false),
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
        if (keywords.some((kw) => raw[kw] !== undefined)) parts.push(this.typedNode(family, raw, base, true));
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

  private typedNode(type: string, raw: Record<string, unknown>, base: string, implicit: boolean): SchemaNode {
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
          minimum: num(raw.minimum),
          maximum: num(raw.maximum),
          // draft-04 boolean exclusive bounds turn the plain bound exclusive
          exclusiveMinimum:
            num(raw.exclusiveMinimum) ?? (raw.exclusiveMinimum === true ? num(raw.minimum) : undefined),
          exclusiveMaximum:
            num(raw.exclusiveMaximum) ?? (raw.exclusiveMaximum === true ? num(raw.maximum) : undefined),
          multipleOf: num(raw.multipleOf),
        };
      case 'object':
        return this.objectNode(raw, base, implicit, key);
      case 'array':
        return this.arrayNode(raw, base, implicit, key);
      default:
        return { kind: 'empty', ann: {}, key };
    }
  }

  private objectNode(
    raw: Record<string, unknown>,
    base: string,
    implicit: boolean,
    key: () => string,
  ): ObjectNode {
    const properties = new Map<string, SchemaNode>();
    if (isObject(raw.properties)) {
      for (const [name, s] of Object.entries(raw.properties))
        properties.set(name, this.child(s, base) ?? emptyNode());
    }
    const patternProperties = new Map<string, SchemaNode>();
    if (isObject(raw.patternProperties)) {
      for (const [p, s] of Object.entries(raw.patternProperties))
        patternProperties.set(p, this.child(s, base) ?? emptyNode());
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
        else dependentSchemas.set(name, this.child(d, base) ?? emptyNode());
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
        dependentSchemas.set(name, this.child(d, base) ?? emptyNode());
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
      additionalProperties: this.child(raw.additionalProperties, base),
      unevaluatedProperties: this.child(raw.unevaluatedProperties, base),
      propertyNames: this.child(raw.propertyNames, base),
      dependentRequired,
      dependentSchemas,
      dependencyKeyword: legacyDeps
        ? { required: 'dependencies', schemas: 'dependencies' }
        : { required: 'dependentRequired', schemas: 'dependentSchemas' },
      minProperties: num(raw.minProperties),
      maxProperties: num(raw.maxProperties),
    };
  }

  private arrayNode(
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
      tuple = raw.prefixItems.map((s) => this.child(s, base) ?? emptyNode());
      additionalItems = this.child(raw.items, base);
    } else if (Array.isArray(raw.items)) {
      // draft-07 tuple form
      tuple = raw.items.map((s) => this.child(s, base) ?? emptyNode());
      tupleKeyword = 'items';
      additionalKeyword = 'additionalItems';
      additionalItems = this.child(raw.additionalItems, base);
    } else if (typeof raw.items === 'boolean') {
      // `items: true|false` says whether items beyond the (empty) tuple are allowed
      additionalItems = this.child(raw.items, base);
    } else {
      items = this.child(raw.items, base);
      if (this.legacy) additionalKeyword = 'additionalItems';
      // Without a tuple, additionalItems validates nothing; registries still read `false` as a closed
      // array and a schema as a constraint, and Canon reports it the same way.
      if (raw.additionalItems !== undefined) {
        additionalItems = this.child(raw.additionalItems, base);
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
      unevaluatedItems: this.child(raw.unevaluatedItems, base),
      contains: this.child(raw.contains, base),
      minContains: num(raw.minContains),
      maxContains: num(raw.maxContains),
      minItems: num(raw.minItems),
      maxItems: num(raw.maxItems),
      uniqueItems: raw.uniqueItems === true,
    };
  }

  private refNode(ref: string, base: string): RefNode {
    let resolved: SchemaNode | undefined;
    return {
      kind: 'ref',
      ref,
      ann: {},
      key: () => `$ref:${ref}`,
      resolve: () => {
        resolved ??= this.resolveRef(ref, base);
        return resolved;
      },
    };
  }

  private resolveRef(ref: string, base: string): SchemaNode {
    const absolute = resolveUri(ref, base);
    const hash = absolute.indexOf('#');
    const resourceUri = hash >= 0 ? absolute.slice(0, hash) : absolute;
    const fragment = hash >= 0 ? absolute.slice(hash + 1) : '';

    let doc: SchemaDocument = this;
    let resource = resourceUri === '' ? this.root : this.resources.get(resourceUri);
    if (resource === undefined && resourceUri === stripFragment(this.baseUri)) resource = this.root;
    if (resource === undefined) {
      const ext = this.externalDocument(resourceUri);
      if (!ext) throw new UnresolvedReferenceError(ref, 'no schema with that id is known to the registry');
      doc = ext;
      resource = ext.root;
    }
    if (fragment === '') return doc.build(resource, resourceUri);
    if (!fragment.startsWith('/')) {
      const anchored = doc.anchors.get(`${resourceUri}#${fragment}`);
      if (!anchored) throw new UnresolvedReferenceError(ref, `anchor "${fragment}" not found`);
      return doc.build(anchored, resourceUri);
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
    return doc.build(target, resourceUri);
  }

  private externalDocument(uri: string): SchemaDocument | undefined {
    const known = this.externalDocs.get(uri);
    if (known) return known;
    const raw = this.external?.(uri);
    if (raw === undefined) return undefined;
    const doc = new SchemaDocument(raw, { external: this.external, baseUri: uri });
    this.externalDocs.set(uri, doc);
    return doc;
  }
}

function emptyNode(): EmptyNode {
  return { kind: 'empty', ann: {}, key: TRUE_KEY };
}

function dedupeTypes(types: string[]): string[] {
  const set = new Set(types);
  // "integer" adds nothing to "number"
  if (set.has('number')) set.delete('integer');
  return [...set];
}

function readAnnotations(raw: Record<string, unknown>): Annotations {
  const ann: Annotations = {};
  if (typeof raw.$id === 'string') ann.id = raw.$id;
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

/** True for schema objects whose keywords are all annotations (they accept any value). */
export function isAnnotationOnly(raw: Record<string, unknown>): boolean {
  return Object.keys(raw).every((k) => ANNOTATION_KEYWORDS.has(k));
}

export function stripFragment(uri: string): string {
  const i = uri.indexOf('#');
  return i >= 0 ? uri.slice(0, i) : uri;
}

/** Resolves a reference against a base URI; works for URNs too (fragment-only refs). */
export function resolveUri(ref: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return ref;
  if (ref.startsWith('#')) return `${stripFragment(base)}${ref}`;
  try {
    return new URL(ref, base).toString();
  } catch {
    return ref;
  }
}
