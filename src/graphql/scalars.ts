/** Custom scalars: DateTime and Date (ISO 8601), JSON (any JSON value), Decimal (exact, as a string), SemVer. */
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import semver from 'semver';
import { builder } from './builder.ts';

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string with a time zone, e.g. 2026-11-23T10:00:00Z.',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()),
  parseValue: (v) => {
    const d =
      typeof v === 'string' && /\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(v)
        ? new Date(v)
        : new Date(Number.NaN);
    if (Number.isNaN(d.getTime()))
      throw new GraphQLError('DateTime must be an ISO 8601 string with a time zone.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return d;
  },
});

builder.scalarType('Date', {
  description: 'A calendar date as an ISO 8601 string, e.g. 2026-11-23.',
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
      throw new GraphQLError('Date must be an ISO 8601 date, e.g. 2026-11-23.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return v;
  },
});

function literalToJson(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalToJson);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalToJson(f.value)]));
    default:
      throw new GraphQLError(
        'JSON literals cannot hold variables inside them; pass the whole value as a variable.',
        {
          extensions: { code: 'BAD_USER_INPUT' },
        },
      );
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value (a JSON Schema document, a record payload).',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (node) => literalToJson(node),
});

builder.scalarType('Decimal', {
  description: 'An exact decimal number written as a string, e.g. "12.5" (never a binary float).',
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v !== 'string' || !DECIMAL.test(v))
      throw new GraphQLError('Decimal must be a string like "12.5".', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return v;
  },
});

builder.scalarType('SemVer', {
  description: 'A semantic version MAJOR.MINOR.PATCH, e.g. 1.2.0.',
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v !== 'string' || !/^\d+\.\d+\.\d+$/.test(v) || !semver.valid(v)) {
      throw new GraphQLError('SemVer must be MAJOR.MINOR.PATCH, e.g. 1.2.0.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return v;
  },
});

builder.scalarType('BigIntString', {
  description: 'A 64-bit sequence number, written as a string.',
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(v))
      throw new GraphQLError('Expected a sequence number as a string.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return v;
  },
});
