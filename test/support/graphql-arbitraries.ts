/**
 * fast-check arbitraries built from the GraphQL schema: for any root field, a document asking it
 * with every argument as a variable, and variables whose leaves are hostile (binary and grapheme
 * text, NUL, lone surrogates, huge and non-finite numbers, wrong types, nulls, 5 kB strings),
 * nested through input objects and lists as the argument types say.
 */
import fc from 'fast-check';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  isUnionType,
} from 'graphql';

export const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    '\ud800',
    'x'.repeat(5000),
    '%ZZ',
    '#/%ZZ',
    '1e400',
    '-1',
    '',
    ' ',
    '../../x',
    '2024-02-30',
  ),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 63, -(2 ** 63), Number.MAX_SAFE_INTEGER + 2, 1e308, -0),
);
const hostileLeaf = fc.oneof(hostileText, hostileNumber, fc.boolean(), fc.constant(null));

function leafFor(type: GraphQLInputType): fc.Arbitrary<unknown> {
  const named = getNamedType(type);
  if (isEnumType(named))
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...named.getValues().map((v) => v.name)) },
      hostileLeaf,
    );
  if (isScalarType(named)) {
    if (named.name === 'JSON') return fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileLeaf);
    if (named.name === 'Int' || named.name === 'Float')
      return fc.oneof({ weight: 9, arbitrary: hostileNumber }, hostileLeaf);
    return fc.oneof({ weight: 9, arbitrary: hostileText }, hostileLeaf);
  }
  return hostileLeaf;
}

/** A value for an input type: usually of its shape, sometimes not; depth-bounded. */
export function valueFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const nullable = getNullableType(type) as GraphQLInputType;
  const shaped = shapedFor(nullable, depth);
  return isNonNullType(type)
    ? fc.oneof({ weight: 9, arbitrary: shaped }, hostileLeaf)
    : fc.option(shaped, { freq: 4 });
}

function shapedFor(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isListType(type)) return fc.array(valueFor(type.ofType, depth + 1), { maxLength: depth > 2 ? 0 : 3 });
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant({});
    const fields = Object.values(type.getFields());
    return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, depth + 1)])), {
      requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
    });
  }
  return leafFor(type);
}

/** `query|mutation($a: T!, …) { field(a: $a, …) { __typename } }` and an arbitrary of its variables. */
export function callOf(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>) {
  const args: readonly GraphQLArgument[] = field.args;
  const definitions = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(field.type);
  // a result union with typed errors: ask their code too, so refusals are seen
  const withErrors =
    isUnionType(named) && named.getTypes().some((m) => m.getInterfaces().some((i) => i.name === 'Error'));
  const selection = withErrors
    ? ' { __typename ... on Error { code } }'
    : isCompositeType(named)
      ? ' { __typename }'
      : '';
  const query = `${kind}${definitions ? `(${definitions})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`;
  const variables = fc.record(Object.fromEntries(args.map((a) => [a.name, valueFor(a.type)])), {
    requiredKeys: [],
  });
  return { query, variables };
}
