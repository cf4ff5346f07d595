/**
 * Errors in Confluent Schema Registry's shape — `{ "error_code": 40401, "message": "…" }` with the
 * HTTP status its first three digits name — and the translation of Canon's typed errors into them,
 * so Confluent clients react as they do with Confluent (a 404 on a new subject's config, a 409 on an
 * incompatible schema).
 */
import type { CanonError } from '../../errors.ts';

export class CcompatError extends Error {
  readonly status: number;
  readonly errorCode: number;

  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

export const subjectNotFound = (subject: string) =>
  new CcompatError(404, 40401, `Subject '${subject}' not found.`);
export const versionNotFound = (version: string | number) =>
  new CcompatError(404, 40402, `Version ${version} not found.`);
export const schemaNotFound = (id?: string | number) =>
  new CcompatError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`);
export const subjectSoftDeleted = (subject: string) =>
  new CcompatError(
    404,
    40404,
    `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`,
  );
export const subjectNotSoftDeleted = (subject: string) =>
  new CcompatError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
export const versionSoftDeleted = (subject: string, version: number) =>
  new CcompatError(
    404,
    40406,
    `Subject '${subject}' Version ${version} was soft deleted. Set permanent=true to delete permanently`,
  );
export const versionNotSoftDeleted = (subject: string, version: number) =>
  new CcompatError(
    404,
    40407,
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
  );
export const noSubjectCompatibility = (subject: string) =>
  new CcompatError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);
export const incompatible = (message: string) => new CcompatError(409, 409, message);
export const invalidSchema = (message: string) => new CcompatError(422, 42201, message);
export const invalidVersion = (version: string) =>
  new CcompatError(
    422,
    42202,
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
  );
export const invalidCompatibility = (value: unknown) =>
  new CcompatError(
    422,
    42203,
    `Invalid compatibility level ${JSON.stringify(value)}. Valid values are NONE, BACKWARD, FORWARD, FULL, BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE and FULL_TRANSITIVE`,
  );
export const invalidMode = (value: unknown) =>
  new CcompatError(422, 42204, `Invalid mode ${JSON.stringify(value)}: Canon's registry is READWRITE only`);
export const operationNotPermitted = (message: string) => new CcompatError(422, 42205, message);
export const invalidSubject = (subject: string, why: string) =>
  new CcompatError(422, 42208, `The specified subject '${subject}' is not valid: ${why}`);
export const unauthorized = (message = 'Unauthorized') => new CcompatError(401, 401, message);
export const badRequest = (message: string) => new CcompatError(400, 400, message);

/** A Canon error met while serving a Confluent request, in Confluent's terms. */
export function fromCanonError(error: CanonError): CcompatError {
  const details = error.details?.length
    ? `: ${error.details
        .slice(0, 20)
        .map((d) => `${d.path} ${d.message}`)
        .join('; ')}`
    : '';
  const message = `${error.message}${details}`;
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return unauthorized(error.message);
    case 'FORBIDDEN':
      return new CcompatError(403, 40301, error.message);
    case 'INVALID_SCHEMA':
    case 'REFERENCE_NOT_FOUND':
      return invalidSchema(message);
    case 'PAYLOAD_TOO_LARGE':
      return new CcompatError(422, 42209, error.message);
    case 'INCOMPATIBLE_SCHEMA':
      return incompatible(message);
    case 'INVALID_STATE':
      return operationNotPermitted(error.message);
    case 'IMPACT_PENDING':
      // the version waits for its consumers' owners: a conflict with the registry's state, for now
      return new CcompatError(409, 40901, message);
    case 'RATE_LIMITED':
      return new CcompatError(429, 42901, error.message);
    case 'SERVICE_UNAVAILABLE':
      return new CcompatError(503, 50003, error.message);
    case 'NOT_FOUND':
      return new CcompatError(404, 40401, error.message);
    case 'VERSION_CONFLICT':
    case 'VERSION_TOO_LOW':
    case 'DUPLICATE_SCHEMA':
      return new CcompatError(409, 409, message);
    default:
      return new CcompatError(422, 42201, message);
  }
}
