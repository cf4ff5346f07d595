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
  'MERGE_NOT_ALLOWED',
  'IMPACT_PENDING',
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

/** A finding of validation: blocking ones refuse a proposal (ValidationError), others are kept on it. */
export interface ValidationFinding {
  /** Stable: a JSON Schema keyword (`required`, `pattern`, …) or an error code of a domain rule. */
  code: string;
  /** JSON pointer into the payload ('' = the whole payload). */
  path: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  message: string;
  /** The domain rule that found it, for rules whose severity an administrator sets. */
  rule?: string;
}

/** The payload broke its contract or a domain rule; every finding is listed. */
export class ValidationError extends CanonError {
  readonly findings: ValidationFinding[];
  constructor(code: ErrorCode, message: string, findings: ValidationFinding[], path: string[] = ['data']) {
    super(code, message, {
      path,
      details: findings.map((f) => ({ path: f.path || '/', message: f.message, keyword: f.code })),
    });
    this.name = 'ValidationError';
    this.findings = findings;
  }
}

/** An optimistic lock failed: the object changed since the caller read it. */
export class VersionConflictError extends CanonError {
  readonly currentLockVersion: number;
  constructor(message: string, currentLockVersion: number, path: string[] = ['expectedLockVersion']) {
    super('VERSION_CONFLICT', message, { path });
    this.name = 'VersionConflictError';
    this.currentLockVersion = currentLockVersion;
  }
}

/** A proposal named a base revision the record has moved past. */
export class StaleBaseError extends CanonError {
  readonly currentRevision: number;
  constructor(message: string, currentRevision: number) {
    super('VERSION_CONFLICT', message, { path: ['baseRevision'] });
    this.name = 'StaleBaseError';
    this.currentRevision = currentRevision;
  }
}

/** A connector proposed outside what its system owns (domain, site or fields). */
export class NotSystemOfRecordError extends CanonError {
  /** The fields its system owns in that domain (null: the whole record; [] none). */
  readonly ownedFields: string[] | null;
  /** The changed fields it does not own. */
  readonly refusedFields: string[];
  constructor(
    code: 'NOT_SYSTEM_OF_RECORD' | 'FIELD_NOT_OWNED',
    message: string,
    ownedFields: string[] | null,
    refusedFields: string[],
    path: string[],
  ) {
    super(code, message, {
      path,
      details: refusedFields.map((p) => ({ path: p, message: 'field not owned by the proposing system' })),
    });
    this.name = 'NotSystemOfRecordError';
    this.ownedFields = ownedFields;
    this.refusedFields = refusedFields;
  }
}

export const notFound = (what: string, path?: string[]) =>
  new CanonError('NOT_FOUND', `${what} was not found or you may not see it.`, { path });

/** Seconds a client should wait before retrying a SERVICE_UNAVAILABLE answer (`Retry-After`). */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

/** The HTTP status of an error answered outside a GraphQL result (maps, npm, refused contexts). */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'VERSION_CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'RATE_LIMITED':
      return 429;
    case 'SERVICE_UNAVAILABLE':
      return 503;
    case 'INTERNAL_SERVER_ERROR':
      return 500;
    default:
      return 400;
  }
}
