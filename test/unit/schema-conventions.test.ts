/**
 * The conventions of the GraphQL API 1.0, checked on the schema itself so a new field cannot slip
 * past them: every mutation takes one `input` (with an idempotency key) and answers a named
 * `…Result` union of its payload and typed errors, whose fields never collide with the Error
 * fields; every type, field and argument is described; enum values are SCREAMING_CASE; lists page
 * as Relay connections; no name is one Pothos made up.
 */
import {
  GraphQLEnumType,
  type GraphQLField,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLUnionType,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  validate,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { builtInSchema } from '../../src/graphql/print-schema.ts';

const schema = builtInSchema();

const ERROR_FIELDS = ['code', 'message', 'path', 'details'];
const types = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__'));
const mutations = Object.values(schema.getMutationType()!.getFields());
const pascal = (s: string) => `${s[0].toUpperCase()}${s.slice(1)}`;

describe('mutations', () => {
  it.each(mutations.map((m) => [m.name, m] as const))(
    '%s takes one input and answers a named result union',
    (name, m) => {
      expect(m.args.map((a) => a.name)).toEqual(['input']);
      const input = m.args[0].type;
      expect(isNonNullType(input)).toBe(true);
      const inputType = getNamedType(input) as GraphQLInputObjectType;
      expect(inputType.name).toBe(`${pascal(name)}Input`);
      expect(Object.keys(inputType.getFields())).toContain('idempotencyKey');
      const result = getNamedType(m.type);
      expect(result).toBeInstanceOf(GraphQLUnionType);
      expect(result.name).toBe(`${pascal(name)}Result`);
      const members = (result as GraphQLUnionType).getTypes().map((t) => t.name);
      expect(members).toContain(`${pascal(name)}Payload`);
      expect(members).toContain('CanonError');
    },
  );

  it.each(mutations.map((m) => [m.name] as const))(
    '%s: the documented selection (every payload field beside `... on Error { code message path details }`) is valid',
    (name) => {
      const payload = schema.getType(`${pascal(name)}Payload`) as GraphQLObjectType;
      const clash = Object.keys(payload.getFields()).filter((f) => ERROR_FIELDS.includes(f));
      expect(clash, 'payload fields must not share names with the Error fields').toEqual([]);
      // one level of every payload field, objects by their first scalar field
      const selection = Object.values(payload.getFields())
        .map((f) => {
          const t = getNamedType(f.type);
          if (isScalarType(t) || t instanceof GraphQLEnumType) return f.name;
          const first = Object.values((t as GraphQLObjectType).getFields()).find((g) => {
            const gt = getNamedType(g.type);
            return (isScalarType(gt) || gt instanceof GraphQLEnumType) && g.args.length === 0;
          });
          return `${f.name} { ${first?.name ?? '__typename'} }`;
        })
        .join(' ');
      const doc = parse(
        `mutation($input: ${pascal(name)}Input!) { ${name}(input: $input) { ... on ${payload.name} { ${selection} } ... on Error { code message path details { path message keyword } } } }`,
      );
      expect(validate(schema, doc).map((e) => e.message)).toEqual([]);
    },
  );
});

describe('names, descriptions and enums', () => {
  it('keeps no name Pothos made up, and names inputs and filters as such', () => {
    const madeUp = types.filter((t) => /^(Query|Mutation|Subscription)[A-Z]/.test(t.name)).map((t) => t.name);
    expect(madeUp).toEqual([]);
    const inputs = types.filter((t) => t instanceof GraphQLInputObjectType).map((t) => t.name);
    expect(inputs.filter((n) => !/(Input|Filter)$/.test(n))).toEqual([]);
    const edges = types.filter((t) => t.name.endsWith('ConnectionEdge')).map((t) => t.name);
    expect(edges).toEqual([]);
  });

  it('describes every type, field, argument and input field', () => {
    const missing: string[] = [];
    for (const type of types) {
      if (isScalarType(type) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (type instanceof GraphQLObjectType || type instanceof GraphQLInterfaceType) {
        for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args)
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (type instanceof GraphQLInputObjectType)
        for (const field of Object.values(type.getFields()))
          if (!field.description) missing.push(`${type.name}.${field.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('writes enum values in SCREAMING_CASE', () => {
    const bad = types
      .filter((t): t is GraphQLEnumType => t instanceof GraphQLEnumType)
      .flatMap((t) => t.getValues().map((v) => `${t.name}.${v.name}`))
      .filter((v) => !/^[A-Z][A-Z0-9_]*$/.test(v.split('.')[1]));
    expect(bad).toEqual([]);
  });

  it('pages every list that can grow as a Relay connection', () => {
    // lists of a fixed, small size or of one answer's parts stay plain lists
    const plain = new Set([
      'Query.approvalPolicies',
      'Query.keySequences',
      // the catalogue of relaxable rules (fixed in code) and a revision's warnings
      'Query.ruleSeverities',
      // a domain's match rules (a handful) and its survivorship rules (at most one per field)
      'Query.matchRules',
      'Query.survivorshipRules',
      'GoldenRecord.findings',
      'GoldenRecord.keyAliases',
      // one per domain
      'Query.changeRequestCounts',
      'Query.nodes',
      'Me.abilities',
      'System.systemOfRecordRules',
      'GoldenRecord.xrefs',
      // one per published version, as the npm packument lists them
      'Contract.packages',
      // one row per owner, domain and code in use; a handful of subscriptions per system
      'Query.exceptionSummary',
      'System.subscriptions',
    ]);
    const lists: string[] = [];
    for (const root of [schema.getQueryType()!, ...types.filter(isObjectType)]) {
      for (const field of Object.values(root.getFields())) {
        const t = isNonNullType(field.type) ? field.type.ofType : field.type;
        const element = isListType(t) ? getNamedType(t) : null;
        if (!element || isScalarType(element) || element instanceof GraphQLEnumType) continue;
        const isDomainList = ['Query', 'Contract', 'System'].includes(root.name);
        if (isDomainList && !plain.has(`${root.name}.${field.name}`))
          lists.push(`${root.name}.${field.name}`);
      }
    }
    expect(lists).toEqual([]);
  });
});
