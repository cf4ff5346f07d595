/**
 * The SDL of the contract-driven types (typed-model.ts → text that graphql-js `extendSchema` reads):
 * each record type with the fields every record has (copied from `GenericRecord`) and its
 * contract's fields, its nested objects and enums, a connection, the list and lookup queries, and
 * for every fully generated type a typed input and `propose<Type>Change`.
 */
import { pascalCase } from '../../../../codegen/names.ts';
import type { DomainModel, FieldModel, FieldShape, ObjectModel } from './typed-model.ts';

/** The root fields and input names one model adds (typed-resolvers.ts attaches their resolvers). */
export interface ModelNames {
  model: DomainModel;
  /** False: the hand-written type exists and is only extended with the contract's other fields. */
  generated: boolean;
  list?: string;
  lookup?: string;
  propose?: string;
  /** Input type name of each object model (root included) when a propose mutation is generated. */
  inputs: Map<string, string>;
  /** Whether the lookup takes `code` (a global code key) or `key` (+ `site` for site-scoped domains). */
  lookupBy: 'code' | 'key';
  siteScoped: boolean;
}

const block = (text: string | undefined, indent = '') =>
  text
    ? `${indent}"""\n${indent}${text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"""')}\n${indent}"""\n`
    : '';

const MOMENT_ARGS = `
    """Values as of this moment (default now)."""
    asOf: DateTime
    """
    Transaction time: only what had been recorded by this moment (default: everything recorded so far). A read with the same asOf and knownAt answers the same later.
    """
    knownAt: DateTime`;

export interface SdlContext {
  /** The GraphQL type of a domain's records (a link's target); GoldenRecord when it has none. */
  typeOfDomain(domain: string): string;
  /** The fields of GenericRecord, printed (every record type has them). */
  recordFieldsSdl: string;
}

function typeRef(shape: FieldShape, ctx: SdlContext, input: Map<string, string> | null): string {
  switch (shape.kind) {
    case 'scalar':
      return shape.scalar;
    case 'enum':
      return shape.enumName;
    case 'object':
      return input ? (input.get(shape.objectName) ?? 'JSON') : shape.objectName;
    case 'link':
      return input ? 'String' : ctx.typeOfDomain(shape.domain);
    case 'list':
      return `[${typeRef(shape.of, ctx, input)}]`;
  }
}

function fieldSdl(field: FieldModel, ctx: SdlContext, input: Map<string, string> | null): string {
  const linkNote =
    field.shape.kind === 'link' || (field.shape.kind === 'list' && field.shape.of.kind === 'link')
      ? input
        ? ' (the business key of the referenced record)'
        : ' (the referenced record, as of the same moment; its key is in data)'
      : '';
  const description = field.description
    ? `${field.description}${linkNote}`
    : `\`${field.property}\`${linkNote}`;
  return `${block(description, '  ')}  ${field.name}: ${typeRef(field.shape, ctx, input)}\n`;
}

function objectSdl(object: ObjectModel, ctx: SdlContext, header: string, extra = ''): string {
  return `${block(object.description)}${header} {\n${extra}${object.fields.map((f) => fieldSdl(f, ctx, null)).join('')}}\n`;
}

function singularField(domain: string): string {
  const name = pascalCase(domain);
  return name[0].toLowerCase() + name.slice(1);
}

function pluralOf(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** Root field names of a model: `supplier`/`suppliers`, `itemV1`/`itemsV1`, `proposeSupplierChange`. */
export function rootNamesOf(
  model: DomainModel,
  suffix = model.newest ? '' : `V${model.major}`,
): { list: string; lookup: string; propose: string } {
  const single = singularField(model.domain);
  return {
    lookup: `${single}${suffix}`,
    list: `${pluralOf(single)}${suffix}`,
    propose: `propose${model.typeName}Change`,
  };
}

/** The SDL one model adds to the schema. */
export function modelSdl(names: ModelNames, ctx: SdlContext): string {
  const { model } = names;
  const parts: string[] = [];
  const version = `Fields from the contract ${model.version}${model.newest ? '' : ` (major ${model.major}, older than the newest published major)`}.`;
  if (names.generated) {
    const description = [model.root.description, version, skippedNote(model)].filter(Boolean).join('\n\n');
    parts.push(
      objectSdl(
        { ...model.root, description },
        ctx,
        `type ${model.typeName} implements GoldenRecord & Node`,
        ctx.recordFieldsSdl,
      ),
    );
  } else if (model.root.fields.length > 0) {
    parts.push(objectSdl({ ...model.root, description: undefined }, ctx, `extend type ${model.typeName}`));
  }
  for (const object of model.objects) parts.push(objectSdl(object, ctx, `type ${object.name}`));
  for (const e of model.enums) {
    const values = e.values.map((v) => `${block(`\`${v.value}\``, '  ')}  ${v.name}\n`).join('');
    parts.push(`${block(e.description ?? `Values of ${e.name}.`)}enum ${e.name} {\n${values}}\n`);
  }
  if (names.list) parts.push(connectionSdl(model));
  if (names.propose) parts.push(inputsSdl(names, ctx));
  parts.push(rootFieldsSdl(names));
  return parts.join('\n');
}

function skippedNote(model: DomainModel): string | undefined {
  if (model.skipped.length === 0) return undefined;
  return `In data only: ${model.skipped.map((s) => `${s.property} (${s.reason})`).join('; ')}.`;
}

function connectionSdl(model: DomainModel): string {
  const t = model.typeName;
  return `"""A page of ${t} records."""
type ${t}Connection {
  """The rows of this page, each with its cursor."""
  edges: [${t}Edge!]!
  """Whether there is more, and the cursors to continue from."""
  pageInfo: PageInfo!
  """How many match, over all pages."""
  totalCount: Int!
}

"""One ${t} record, with its cursor."""
type ${t}Edge {
  """Opaque keyset cursor: pass it as \`after\` for the rows after this one."""
  cursor: String!
  """The row."""
  node: ${t}!
}

"""The answer: the record, or a typed error (every error implements Error)."""
union ${t}Result = CanonError | ${t}
`;
}

function inputsSdl(names: ModelNames, ctx: SdlContext): string {
  const { model } = names;
  const objects = [model.root, ...model.objects];
  const inputs = objects.map((o) => {
    const description =
      o === model.root
        ? `The payload of a ${model.domain} record under its contract's major ${model.major}, typed; checked against the contract on proposal (required fields, patterns, domain rules).`
        : o.description;
    const fields = o.fields.map((f) => fieldSdl(f, ctx, names.inputs)).join('');
    return `${block(description)}input ${names.inputs.get(o.name)} {\n${fields}}\n`;
  });
  const t = model.typeName;
  inputs.push(`"""A proposal for a ${model.domain} record with a typed payload (validated against major ${model.major})."""
input Propose${t}ChangeInput {
  """A new record without a key: Canon assigns one from the domain's key sequence."""
  assignKey: Boolean
  """The revision you saw; a stale one is a StaleBaseError and nothing is stored."""
  baseRevision: Int
  """The full payload (CREATE, REPLACE)."""
  data: ${names.inputs.get(model.root.name)}
  """When the change takes effect (valid time; may be in the future). Default: the moment it is applied."""
  effectiveFrom: DateTime
  """
  Retries with the same key and input return the first answer; the same key with other input is IDEMPOTENCY_KEY_REUSED. Keys belong to the caller.
  """
  idempotencyKey: String
  """Default: CREATE without recordId, UPDATE with one."""
  operation: ChangeOperation
  """Fields to change (UPDATE, JSON merge patch: an explicit null removes a field)."""
  patch: ${names.inputs.get(model.root.name)}
  """Why."""
  reason: String
  """The record to change (absent: a new record)."""
  recordId: ID
}
`);
  return inputs.join('\n');
}

function rootFieldsSdl(names: ModelNames): string {
  const { model } = names;
  const t = model.typeName;
  const fields: string[] = [];
  if (names.list)
    fields.push(`  """${model.domain} records under the types of ${model.version}, by key."""
  ${names.list}(
    """Rows after this cursor (an endCursor or edge cursor of this list)."""
    after: String${MOMENT_ARGS}
    """Not supported: lists page forward (BAD_USER_INPUT)."""
    before: String
    """Which records."""
    filter: RecordFilter
    """How many rows (default and maximum depend on the list)."""
    first: Int
    """Not supported: lists page forward (BAD_USER_INPUT)."""
    last: Int
  ): ${t}Connection!
`);
  if (names.lookup) {
    const keyArgs =
      names.lookupBy === 'code'
        ? `    """The business key."""\n    code: String`
        : `    """The business key."""\n    key: String${names.siteScoped ? `\n    """The site the key is unique within (absent: global records)."""\n    site: String` : ''}`;
    fields.push(`  """A ${model.domain} record by id or business key under the types of ${model.version}; null when there is none."""
  ${names.lookup}(
    """The record id."""
    id: ID
${keyArgs}${MOMENT_ARGS}
  ): ${t}Result
`);
  }
  const out = fields.length ? `extend type Query {\n${fields.join('')}}\n` : '';
  if (!names.propose) return out;
  return `${out}
extend type Mutation {
  """Proposes a ${model.domain} record or a change with a typed payload (validated against major ${model.major}); as proposeChange."""
  ${names.propose}(
    """What to do; see the input type."""
    input: Propose${t}ChangeInput!
  ): Propose${t}ChangeResult!
}

"""The proposal: PENDING for stewards, or APPLIED when the domain needs no approval."""
type Propose${t}ChangePayload {
  """The change request."""
  changeRequest: ChangeRequest!
}

"""The answer: its payload, or a typed error (every error implements Error)."""
union Propose${t}ChangeResult = CanonError | NotSystemOfRecordError | Propose${t}ChangePayload | StaleBaseError | ValidationError
`;
}
