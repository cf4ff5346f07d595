/**
 * What a contract's JSON Schema means as GraphQL types (pure: no GraphQL objects, no database).
 * One `DomainModel` per published major of a record domain: its root object (the record's fields),
 * the nested objects and enums it needs, and the links to other records its references declare.
 *
 * The mapping, JSON Schema → GraphQL:
 *   string → String (Decimal when its pattern or format only admits decimal numbers; Date and
 *   DateTime for those formats), integer → Int (Float when its bounds pass 32 bits), number →
 *   Float, boolean → Boolean, an `enum` of strings → an enum type, an object with properties → an
 *   object type, an array → a list, a reference to another record (a `$ref` to another contract's
 *   `#/$defs/code`, or an `x-canon-references` path) → the referenced record's type; anything else
 *   (free-form objects, unions of types, tuples) → JSON. Every generated field is nullable: a record
 *   written under another version of the contract may lack it.
 */
import { pascalCase } from '../../../../codegen/names.ts';
import { screamingCase } from '../../../graphql/enum-names.ts';
import { parseContractUri } from '../../contracts/contract-ids.ts';

export type ScalarName = 'String' | 'Int' | 'Float' | 'Boolean' | 'Decimal' | 'Date' | 'DateTime' | 'JSON';

export type FieldShape =
  | { kind: 'scalar'; scalar: ScalarName }
  | { kind: 'enum'; enumName: string }
  | { kind: 'object'; objectName: string }
  | { kind: 'link'; domain: string }
  | { kind: 'list'; of: FieldShape };

export interface FieldModel {
  /** The GraphQL field name. */
  name: string;
  /** The payload property it reads. */
  property: string;
  description?: string;
  shape: FieldShape;
}

export interface ObjectModel {
  name: string;
  description?: string;
  fields: FieldModel[];
}

export interface EnumModel {
  name: string;
  description?: string;
  /** GraphQL name → the payload's value. */
  values: { name: string; value: string }[];
}

export interface DomainModel {
  domain: string;
  major: number;
  /** e.g. `item@1.1.0`: the version whose schema the types follow. */
  version: string;
  /** True for the newest published major: its type carries the domain's plain name. */
  newest: boolean;
  /** `Item` (newest major), `ItemV1` (an older one). */
  typeName: string;
  root: ObjectModel;
  objects: ObjectModel[];
  enums: EnumModel[];
  /** Payload properties left in `data` only, with why (a name GraphQL cannot take, a clash). */
  skipped: { property: string; reason: string }[];
}

export interface ContractSource {
  domain: string;
  major: number;
  version: string;
  schema: Record<string, unknown>;
}

type Node = Record<string, unknown>;
const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

/** The GraphQL type name of a domain's records: `work-center` → `WorkCenter`, major 1 of 2 → `WorkCenterV1`. */
export function typeNameOf(domain: string, major: number, newest: boolean): string {
  const base = pascalCase(domain);
  return newest ? base : `${base}V${major}`;
}

/** A payload property as a GraphQL field name, or null when it cannot be one. */
export function fieldNameOf(property: string): string | null {
  if (GRAPHQL_NAME.test(property)) return property.startsWith('__') ? null : property;
  const words = property.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (words.length === 0) return null;
  const name = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
  return GRAPHQL_NAME.test(name) ? name : null;
}

/** Whether a string schema only admits decimal numbers ("12", "0.5"): then it is a Decimal. */
function isDecimalString(node: Node): boolean {
  if (node.format === 'decimal') return true;
  if (typeof node.pattern !== 'string') return false;
  let pattern: RegExp;
  try {
    pattern = new RegExp(node.pattern, 'u');
  } catch {
    return false;
  }
  const admits = ['1', '12.5'].every((s) => pattern.test(s));
  const refuses = ['', 'x', 'abc', '1x', 'x1', '1.2.3', 'ABC-1'].every((s) => !pattern.test(s));
  return admits && refuses;
}

/** Resolves `$ref`s inside one document and into the other contracts' documents. */
class Documents {
  private readonly byUri: Map<string, Node>;

  constructor(byUri: Map<string, Node>) {
    this.byUri = byUri;
  }

  /** The node a `$ref` points at, in which document, or a link to another domain's records. */
  resolve(
    ref: string,
    base: Node,
  ): { node: Node; doc: Node; name: string | undefined } | { link: string } | undefined {
    const [uri, fragment = ''] = ref.split('#', 2);
    const doc = uri === '' ? base : this.byUri.get(uri);
    const contract = uri === '' ? undefined : parseContractUri(uri);
    if (contract && /^\/(\$defs|definitions)\/code$/.test(fragment)) return { link: contract.name };
    if (!doc) return undefined;
    let at: unknown = doc;
    const tokens = fragment === '' ? [] : fragment.slice(1).split('/');
    for (const raw of tokens) {
      const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      at = isObject(at) ? at[token] : undefined;
    }
    if (!isObject(at)) return undefined;
    const defName = /^\/(\$defs|definitions)\/([^/]+)$/.exec(fragment)?.[2];
    return { node: at, doc, name: defName };
  }
}

interface Walk {
  docs: Documents;
  model: DomainModel;
  /** Type names taken by the base schema and by models built so far. */
  taken: Set<string>;
  /** Memo of object/enum types by the schema node they came from. */
  byNode: Map<Node, string>;
  /** Pointers (with `*` for array elements) the contract's `x-canon-references` declare, → domain. */
  references: Map<string, string>;
  /** Key fields: a `$ref` to the contract's own code there is the key, not a link. */
  keyFields: Set<string>;
}

function freshName(walk: Walk, candidate: string): string {
  let name = candidate;
  for (let n = 2; walk.taken.has(name); n++) name = `${candidate}${n}`;
  walk.taken.add(name);
  return name;
}

/** Follows `$ref`s (at most a few hops, cycles stop) to the node that says what the value is. */
function settle(
  walk: Walk,
  node: Node,
  doc: Node,
): { node: Node; doc: Node; name?: string } | { link: string } | undefined {
  let at: { node: Node; doc: Node; name?: string } = { node, doc };
  for (let hops = 0; hops < 8 && typeof at.node.$ref === 'string'; hops++) {
    const next = walk.docs.resolve(at.node.$ref as string, at.doc);
    if (!next) return undefined;
    if ('link' in next) return next;
    at = { node: next.node, doc: next.doc, name: next.name ?? at.name };
  }
  return at;
}

/** The types a schema node admits, besides null; and whether null is one. */
function typesOf(node: Node): { types: string[]; nullable: boolean } {
  const raw = node.type;
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  if (list.length === 0 && Array.isArray(node.enum)) {
    const kinds = new Set(node.enum.map((v) => (v === null ? 'null' : typeof v)));
    return { types: [...kinds].filter((k) => k !== 'null'), nullable: kinds.has('null') };
  }
  if (list.length === 0 && isObject(node.properties)) return { types: ['object'], nullable: false };
  return { types: list.filter((t) => t !== 'null'), nullable: list.includes('null') };
}

function shapeOf(walk: Walk, node: Node, doc: Node, pointer: string, nameHint: string): FieldShape {
  const declared = walk.references.get(pointer);
  if (declared) return { kind: 'link', domain: declared };
  const settled = settle(walk, node, doc);
  if (!settled) return { kind: 'scalar', scalar: 'JSON' };
  if ('link' in settled) {
    if (settled.link === walk.model.domain && walk.keyFields.has(pointer))
      return { kind: 'scalar', scalar: 'String' };
    return { kind: 'link', domain: settled.link };
  }
  const target = settled.node;
  const { types } = typesOf(target);
  if (Array.isArray(target.allOf) || Array.isArray(target.anyOf) || Array.isArray(target.oneOf))
    return mergedAllOf(walk, target, settled.doc, pointer, settled.name ?? nameHint);
  if (types.length !== 1) return { kind: 'scalar', scalar: 'JSON' };
  switch (types[0]) {
    case 'string':
      return stringShape(walk, target, settled.name ?? nameHint);
    case 'integer': {
      const max = typeof target.maximum === 'number' ? target.maximum : undefined;
      const min = typeof target.minimum === 'number' ? target.minimum : undefined;
      const fits = (max === undefined || max <= INT_MAX) && (min === undefined || min >= INT_MIN);
      return { kind: 'scalar', scalar: fits ? 'Int' : 'Float' };
    }
    case 'number':
      return { kind: 'scalar', scalar: 'Float' };
    case 'boolean':
      return { kind: 'scalar', scalar: 'Boolean' };
    case 'array': {
      if (!isObject(target.items) || Array.isArray(target.prefixItems))
        return { kind: 'scalar', scalar: 'JSON' };
      const of = shapeOf(walk, target.items, settled.doc, `${pointer}/*`, singular(settled.name ?? nameHint));
      return of.kind === 'list' ? { kind: 'scalar', scalar: 'JSON' } : { kind: 'list', of };
    }
    case 'object':
      return objectShape(walk, target, settled.doc, pointer, settled.name ?? nameHint);
    default:
      return { kind: 'scalar', scalar: 'JSON' };
  }
}

/** `allOf` of objects is their merged properties; `anyOf`/`oneOf` stay JSON. */
function mergedAllOf(walk: Walk, node: Node, doc: Node, pointer: string, nameHint: string): FieldShape {
  if (!Array.isArray(node.allOf) || node.anyOf || node.oneOf) return { kind: 'scalar', scalar: 'JSON' };
  const properties: Node = { ...(isObject(node.properties) ? node.properties : {}) };
  for (const part of node.allOf) {
    const settled = isObject(part) ? settle(walk, part, doc) : undefined;
    if (!settled || 'link' in settled || !isObject(settled.node.properties))
      return { kind: 'scalar', scalar: 'JSON' };
    Object.assign(properties, settled.node.properties);
  }
  return objectShape(
    walk,
    { type: 'object', description: node.description, title: node.title, properties },
    doc,
    pointer,
    nameHint,
  );
}

function stringShape(walk: Walk, node: Node, nameHint: string): FieldShape {
  if (Array.isArray(node.enum)) {
    const values = node.enum.filter((v): v is string => typeof v === 'string');
    const names = values
      .map((v) => screamingCase(v).replace(/[^_0-9A-Za-z]+/g, '_'))
      .map((n) => (/^[0-9]/.test(n) ? `_${n}` : n));
    const valid =
      values.length > 0 && names.every((n) => GRAPHQL_NAME.test(n)) && new Set(names).size === names.length;
    if (!valid) return { kind: 'scalar', scalar: 'String' };
    const known = walk.byNode.get(node);
    if (known) return { kind: 'enum', enumName: known };
    const name = freshName(walk, `${walk.model.typeName}${pascalCase(nameHint)}`);
    walk.byNode.set(node, name);
    walk.model.enums.push({
      name,
      description: describe(node),
      values: values.map((value, i) => ({ name: names[i], value })),
    });
    return { kind: 'enum', enumName: name };
  }
  if (node.format === 'date') return { kind: 'scalar', scalar: 'Date' };
  if (node.format === 'date-time') return { kind: 'scalar', scalar: 'DateTime' };
  return { kind: 'scalar', scalar: isDecimalString(node) ? 'Decimal' : 'String' };
}

function objectShape(walk: Walk, node: Node, doc: Node, pointer: string, nameHint: string): FieldShape {
  if (!isObject(node.properties) || Object.keys(node.properties).length === 0)
    return { kind: 'scalar', scalar: 'JSON' };
  const known = walk.byNode.get(node);
  if (known) return { kind: 'object', objectName: known };
  const name = freshName(walk, `${walk.model.typeName}${pascalCase(nameHint)}`);
  walk.byNode.set(node, name);
  const object: ObjectModel = { name, description: describe(node), fields: [] };
  walk.model.objects.push(object);
  object.fields = fieldsOf(walk, node, doc, pointer, new Set());
  if (object.fields.length === 0) {
    // no property GraphQL can name: an object type needs a field, so the value stays JSON
    walk.model.objects.splice(walk.model.objects.indexOf(object), 1);
    walk.byNode.delete(node);
    return { kind: 'scalar', scalar: 'JSON' };
  }
  return { kind: 'object', objectName: name };
}

function fieldsOf(walk: Walk, node: Node, doc: Node, pointer: string, reserved: Set<string>): FieldModel[] {
  const fields: FieldModel[] = [];
  const used = new Set(reserved);
  for (const [property, child] of Object.entries(node.properties as Node)) {
    if (!isObject(child)) continue;
    const name = fieldNameOf(property);
    const at = `${pointer}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!name || used.has(name)) {
      if (pointer === '')
        walk.model.skipped.push({
          property,
          reason: name ? `${name} is a field Canon defines on every record` : 'not a GraphQL name',
        });
      continue;
    }
    used.add(name);
    fields.push({
      name,
      property,
      description: describe(child) ?? describeTarget(walk, child, doc),
      shape: shapeOf(walk, child, doc, at, property),
    });
  }
  return fields;
}

/** The description of what a `$ref` points at, when the referring property has none. */
function describeTarget(walk: Walk, node: Node, doc: Node): string | undefined {
  if (typeof node.$ref !== 'string') return undefined;
  const settled = settle(walk, node, doc);
  return settled && !('link' in settled) && typeof settled.node.description === 'string'
    ? settled.node.description
    : undefined;
}

function describe(node: Node): string | undefined {
  const parts = [node.title, node.description].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  return parts.length > 0 ? parts.join(': ') : undefined;
}

/** `lines` → `line`, `operations` → `operation`: the name of one element. */
function singular(word: string): string {
  if (/ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/[^s]s$/.test(word) && word.length > 3) return word.slice(0, -1);
  return `${word}Item`;
}

export interface ModelOptions {
  /** Every published contract document by its `$id` (cross-contract `$ref`s resolve through it). */
  documents: Map<string, Record<string, unknown>>;
  /** Type names that exist already (the hand-written schema). */
  taken: Set<string>;
  /** Field names the record type has already: they stay as they are and are not generated. */
  reservedFields: Set<string>;
  newest: boolean;
  /** The domain's key fields (JSON pointers). */
  keyFields: string[];
}

/** The GraphQL model of one published major of a domain. */
export function domainModel(source: ContractSource, options: ModelOptions): DomainModel {
  const typeName = typeNameOf(source.domain, source.major, options.newest);
  const model: DomainModel = {
    domain: source.domain,
    major: source.major,
    version: source.version,
    newest: options.newest,
    typeName,
    root: { name: typeName, description: describe(source.schema), fields: [] },
    objects: [],
    enums: [],
    skipped: [],
  };
  const walk: Walk = {
    docs: new Documents(options.documents),
    model,
    taken: options.taken,
    byNode: new Map(),
    references: declaredReferences(source.schema),
    keyFields: new Set(options.keyFields),
  };
  const root = settle(walk, source.schema, source.schema);
  if (root && !('link' in root) && isObject(root.node.properties))
    model.root.fields = fieldsOf(walk, root.node, root.doc, '', options.reservedFields);
  return model;
}

function declaredReferences(schema: Node): Map<string, string> {
  const refs = schema['x-canon-references'];
  const map = new Map<string, string>();
  if (Array.isArray(refs))
    for (const r of refs)
      if (isObject(r) && typeof r.path === 'string' && typeof r.domain === 'string')
        map.set(r.path, r.domain);
  return map;
}
