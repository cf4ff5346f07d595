/**
 * Resolvers of the contract-driven types, attached to the schema `extendSchema` just built (its type
 * objects are new, never the hand-written schema's: that one stays untouched for the next build).
 *
 * A generated field reads the payload: the record's `data` on a record type, the nested value on a
 * nested object. A value that does not fit the field's type (a record written under another major)
 * answers null rather than an error; a link loads the referenced record by business key, batched per
 * request, as of the referring record's moment.
 */
import DataLoader from 'dataloader';
import {
  type GraphQLFieldResolver,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type GraphQLUnionType,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import { CanonError } from '../../../errors.ts';
import type { GraphQLContext } from '../../../graphql/context.ts';
import { momentOf } from '../as-of.ts';
import { pageOfRecords, type View } from '../record.graphql.ts';
import { keyRef, loadByKeys } from '../record-loaders.ts';
import { oneByIdOrKey } from '../record-lookups.ts';
import { rulesFor } from '../rules-registry.ts';
import type { DomainModel, EnumModel, FieldModel, FieldShape, ObjectModel } from './typed-model.ts';
import type { ModelNames } from './typed-sdl.ts';

/** A nested object of a payload, with the record it belongs to (its moment and site). */
interface Nested {
  readonly nested: true;
  value: Record<string, unknown>;
  root: View;
}

const isNested = (v: unknown): v is Nested => (v as Nested | null)?.nested === true;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const INT_MAX = 2 ** 31 - 1;

const linkLoaders = new WeakMap<object, DataLoader<string, View | null>>();
function linkLoader(ctx: GraphQLContext): DataLoader<string, View | null> {
  let loader = linkLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((keys: readonly string[]) => loadByKeys([...keys], ctx), { maxBatchSize: 500 });
    linkLoaders.set(ctx, loader);
  }
  return loader;
}

interface Converters {
  enums: Map<string, EnumModel>;
}

function scalarOut(scalar: string, value: unknown): unknown {
  switch (scalar) {
    case 'String':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : null;
    case 'Int':
      return Number.isInteger(value) && Math.abs(value as number) <= INT_MAX ? value : null;
    case 'Float':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'Boolean':
      return typeof value === 'boolean' ? value : null;
    case 'Decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      return typeof value === 'string' && DECIMAL.test(value) ? value : null;
    case 'Date':
    case 'DateTime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
    default:
      return value ?? null;
  }
}

/** The GraphQL value of a payload value of this shape, or null when it does not fit. */
function valueOut(
  shape: FieldShape,
  value: unknown,
  root: View,
  ctx: GraphQLContext,
  conv: Converters,
): unknown {
  if (value === undefined || value === null) return null;
  switch (shape.kind) {
    case 'scalar':
      return scalarOut(shape.scalar, value);
    case 'enum':
      return conv.enums.get(shape.enumName)?.values.find((v) => v.value === value)?.name ?? null;
    case 'object':
      return isPlainObject(value) ? ({ nested: true, value, root } satisfies Nested) : null;
    case 'link': {
      const scope = rulesFor(shape.domain).siteScoped ? (root.site ?? '') : undefined;
      const key = keyRef(shape.domain, value, root.asOf, scope);
      return key ? linkLoader(ctx).load(key) : null;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v) => valueOut(shape.of, v, root, ctx, conv)) : null;
  }
}

function fieldResolver(field: FieldModel, conv: Converters): GraphQLFieldResolver<unknown, GraphQLContext> {
  return (parent, _args, ctx) => {
    if (isNested(parent)) return valueOut(field.shape, parent.value[field.property], parent.root, ctx, conv);
    const view = parent as View;
    return valueOut(field.shape, view.data?.[field.property], view, ctx, conv);
  };
}

/** The payload value of a typed input value (enum names back to the contract's values). */
function valueIn(
  shape: FieldShape,
  value: unknown,
  conv: Converters,
  objects: Map<string, ObjectModel>,
): unknown {
  if (value === null || value === undefined) return value;
  switch (shape.kind) {
    case 'scalar':
      return value instanceof Date ? value.toISOString() : value;
    case 'enum':
      return conv.enums.get(shape.enumName)?.values.find((v) => v.name === value)?.value ?? value;
    case 'object': {
      const object = objects.get(shape.objectName);
      return object && isPlainObject(value) ? objectIn(object, value, conv, objects) : value;
    }
    case 'link':
      return value;
    case 'list':
      return Array.isArray(value) ? value.map((v) => valueIn(shape.of, v, conv, objects)) : value;
  }
}

function objectIn(
  object: ObjectModel,
  input: Record<string, unknown>,
  conv: Converters,
  objects: Map<string, ObjectModel>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of object.fields) {
    if (!(field.name in input)) continue;
    out[field.property] = valueIn(field.shape, input[field.name], conv, objects);
  }
  return out;
}

const requireActor = (ctx: GraphQLContext) => {
  if (!ctx.actor)
    throw new CanonError('UNAUTHENTICATED', 'A valid API token is required (Authorization: Bearer <token>).');
};

function objectType(schema: GraphQLSchema, name: string): GraphQLObjectType {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`generated schema lacks object type ${name}`);
  return type;
}

/** Attaches the resolvers of every model to the extended schema; `base` lends the record fields. */
export function attachResolvers(schema: GraphQLSchema, base: GraphQLSchema, all: ModelNames[]): void {
  const conv: Converters = { enums: new Map(all.flatMap((n) => n.model.enums.map((e) => [e.name, e]))) };
  const recordFields = objectType(base, 'GenericRecord').getFields();
  const query = objectType(schema, 'Query').getFields();
  const mutation = objectType(schema, 'Mutation').getFields();
  const proposeChange = mutation.proposeChange.resolve!;
  for (const names of all) {
    const { model } = names;
    const root = objectType(schema, model.typeName);
    const rootFields = root.getFields();
    if (names.generated) {
      for (const [name, field] of Object.entries(recordFields)) rootFields[name].resolve = field.resolve;
      (root as { isTypeOf?: unknown }).isTypeOf = (v: unknown) => (v as View | null)?.domain === model.domain;
    }
    for (const field of model.root.fields) rootFields[field.name].resolve = fieldResolver(field, conv);
    for (const object of model.objects) {
      const fields = objectType(schema, object.name).getFields();
      for (const field of object.fields) fields[field.name].resolve = fieldResolver(field, conv);
    }
    if (names.list) query[names.list].resolve = listResolver(model);
    if (names.lookup) query[names.lookup].resolve = lookupResolver(model, names);
    if (names.propose) {
      mutation[names.propose].resolve = proposeResolver(names, conv, proposeChange);
      proposeResultTypes(schema, base, model.typeName);
    }
    if (names.lookup) setUnionResolver(schema, model.typeName);
  }
  const generatedByDomain = new Map(
    all.filter((n) => n.generated && n.model.newest).map((n) => [n.model.domain, n.model.typeName]),
  );
  for (const name of ['GoldenRecord', 'Node']) {
    const type = schema.getType(name);
    if (isInterfaceType(type)) retarget(type, generatedByDomain);
  }
}

/**
 * Records of domains with generated types resolve to them where the hand-written schema says
 * GenericRecord (other nodes — a change request has a `domain` too — keep their own type).
 */
function retarget(type: GraphQLInterfaceType, byDomain: Map<string, string>) {
  const original = type.resolveType as GraphQLTypeResolver<unknown, unknown> | undefined | null;
  if (!original) return;
  const typedOf = (resolved: string | undefined, value: unknown) =>
    resolved === 'GenericRecord' ? (byDomain.get(String((value as View).domain)) ?? resolved) : resolved;
  // synchronous like the original: the compiled lane (graphql-jit) resolves abstract types inline
  type.resolveType = (value, context, info, abstract) => {
    const resolved = original(value, context, info, abstract);
    return resolved instanceof Promise
      ? resolved.then((name) => typedOf(name, value))
      : typedOf(resolved ?? undefined, value);
  };
}

/** `Propose<Type>ChangeResult` answers as `ProposeChangeResult` does, under its own payload name. */
function proposeResultTypes(schema: GraphQLSchema, base: GraphQLSchema, typeName: string) {
  const payload = `Propose${typeName}ChangePayload`;
  const baseUnion = base.getType('ProposeChangeResult') as GraphQLUnionType;
  const union = schema.getType(`Propose${typeName}ChangeResult`) as GraphQLUnionType;
  const resolve = baseUnion.resolveType;
  union.resolveType = async (value, context, info) => {
    const name = resolve ? await resolve(value, context, info, baseUnion) : undefined;
    return name === 'ProposeChangePayload' || name === undefined ? payload : name;
  };
  objectType(schema, payload).getFields().changeRequest.resolve = objectType(
    base,
    'ProposeChangePayload',
  ).getFields().changeRequest.resolve;
}

function setUnionResolver(schema: GraphQLSchema, typeName: string) {
  const union = schema.getType(`${typeName}Result`) as { resolveType?: unknown } | undefined;
  const errors = schema.getType('CanonError');
  if (!union || !errors) return;
  union.resolveType = (value: unknown) => (value instanceof CanonError ? 'CanonError' : typeName);
}

type Args = Record<string, any>;

function listResolver(model: DomainModel): GraphQLFieldResolver<unknown, GraphQLContext, Args> {
  return (_root, args, ctx, info: GraphQLResolveInfo) => {
    requireActor(ctx);
    return pageOfRecords(ctx, model.domain, args, info);
  };
}

function lookupResolver(
  model: DomainModel,
  names: ModelNames,
): GraphQLFieldResolver<unknown, GraphQLContext, Args> {
  return async (_root, a, ctx) => {
    requireActor(ctx);
    try {
      const key = names.lookupBy === 'code' ? a.code : a.key;
      const scope = names.siteScoped ? (a.site ?? '') : undefined;
      return await oneByIdOrKey(
        ctx,
        model.domain,
        a.id ? String(a.id) : null,
        key,
        scope,
        momentOf(a.asOf, a.knownAt),
      );
    } catch (error) {
      if (error instanceof CanonError) return error;
      throw error;
    }
  };
}

function proposeResolver(
  names: ModelNames,
  conv: Converters,
  proposeChange: GraphQLFieldResolver<unknown, GraphQLContext>,
): GraphQLFieldResolver<unknown, GraphQLContext, Args> {
  const { model } = names;
  const objects = new Map([model.root, ...model.objects].map((o) => [o.name, o]));
  const payload = (v: unknown) =>
    isPlainObject(v) ? objectIn(model.root, v, conv, objects) : (v ?? undefined);
  return (root, { input }, ctx, info) =>
    proposeChange(
      root,
      {
        input: {
          ...input,
          domain: model.domain,
          contractMajor: model.major,
          data: payload(input.data),
          patch: payload(input.patch),
        },
      },
      ctx,
      info,
    );
}
