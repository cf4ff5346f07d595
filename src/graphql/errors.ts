/**
 * GraphQL shape of expected failures: every error result implements `Error { code message path }`
 * (codes from the closed list in src/errors.ts); `details` lists findings such as JSON Schema
 * validation errors or incompatible changes.
 */
import { CanonError, ERROR_CODES, type ErrorDetail } from '../errors.ts';
import { builder } from './builder.ts';

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Stable error codes; docs/errors.md explains each.',
  values: ERROR_CODES,
});

const ErrorDetailRef = builder.objectRef<ErrorDetail>('ErrorDetail').implement({
  description: 'One finding: where (a JSON pointer or field path) and what.',
  fields: (t) => ({
    path: t.exposeString('path'),
    message: t.exposeString('message'),
    keyword: t.exposeString('keyword', { nullable: true }),
  }),
});

export const ErrorInterface = builder.interfaceRef<CanonError>('Error').implement({
  description: 'An expected failure with a stable code.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.code }),
    message: t.exposeString('message'),
    path: t.stringList({
      nullable: true,
      description: 'The input field at fault.',
      resolve: (e) => e.fieldPath ?? null,
    }),
    details: t.field({ type: [ErrorDetailRef], resolve: (e) => e.details }),
  }),
});

builder.objectType(CanonError, {
  name: 'CanonError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof CanonError,
});

/** Options for a field that answers expected failures as a `CanonError` union member. */
export const canonErrors = { types: [CanonError] };
