/**
 * Expected failures. Services throw `CanonError` with a stable code from the closed list below
 * (docs/errors.md), the path of the field at fault and a sentence; GraphQL shows them as typed
 * error results, anything else is masked.
 */
import { GraphQLError } from 'graphql';

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_SCHEMA',
  'CONTRACT_VALIDATION_FAILED',
  'INCOMPATIBLE_SCHEMA',
  'VERSION_TOO_LOW',
  'VERSION_CONFLICT',
  'DUPLICATE_SCHEMA',
  'INVALID_STATE',
  'DUPLICATE_KEY',
  'REFERENCE_NOT_FOUND',
  'REFERENCED_BY_LIVE_RECORDS',
  'UOM_DIMENSION_MISMATCH',
  'NOT_SYSTEM_OF_RECORD',
  'FIELD_NOT_OWNED',
  'SELF_APPROVAL',
  'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** One finding inside an error: where (JSON pointer or field path) and what. */
export interface ErrorDetail {
  path: string;
  message: string;
  keyword?: string;
}

export class CanonError extends GraphQLError {
  readonly code: ErrorCode;
  readonly fieldPath: string[] | undefined;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: { path?: string[]; details?: ErrorDetail[] } = {}) {
    super(message, { extensions: { code, path: options.path, details: options.details } });
    this.name = 'CanonError';
    this.code = code;
    this.fieldPath = options.path;
    this.details = options.details ?? [];
  }
}

export const notFound = (what: string, path?: string[]) =>
  new CanonError('NOT_FOUND', `${what} was not found or you may not see it.`, { path });
