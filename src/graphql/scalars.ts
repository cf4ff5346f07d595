/** Custom scalars: DateTime and Date (ISO 8601), JSON (any JSON value), Decimal (exact, as a string), SemVer. */
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import semver from 'semver';
import { builder } from './builder.ts';

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const MAX_BIGINT = 9223372036854775807n;

/**
 * A calendar date that exists, in years 1–9999 (what every database and client agrees on): JavaScript
 * would read 2024-02-30 as 1 March, and PostgreSQL refuses years past its range with an error.
 */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
}
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

builder.scalarType('DateTime', {
  description:
    'An instant as an ISO 8601 string with a time zone, e.g. 2026-11-23T10:00:00Z (years 0001–9999; the date must exist).',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()),
  parseValue: (v) => {
    const m = typeof v === 'string' ? DATE_TIME.exec(v) : null;
    const d =
      m && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))
        ? new Date(v as string)
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
    const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
    if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3])))
      throw new GraphQLError('Date must be an ISO 8601 date that exists, e.g. 2026-11-23.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return v as string;
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
    if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(v) || BigInt(v) > MAX_BIGINT)
      throw new GraphQLError('Expected a sequence number (0 to 2^63-1) as a string.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return v;
  },
});
