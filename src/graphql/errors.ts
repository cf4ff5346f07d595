/**
 * GraphQL shape of expected failures. Every error result implements `Error { code message path
 * details }` (codes from the closed list in src/errors.ts). Errors that carry data have members of
 * their own (ValidationError, VersionConflictError, StaleBaseError, NotSystemOfRecordError); the
 * rest are `CanonError`. Success members of result unions are payload types whose fields never
 * share these names, so `... on XPayload { … } ... on Error { code message }` always merges.
 */
import {
  CanonError,
  ERROR_CODES,
  type ErrorDetail,
  NotSystemOfRecordError,
  StaleBaseError,
  ValidationError,
  type ValidationFinding,
  VersionConflictError,
} from '../errors.ts';
import { builder } from './builder.ts';

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Stable error codes; docs/errors.md explains each.',
  values: ERROR_CODES,
});

export const SeverityEnum = builder.enumType('Severity', {
  description: 'How much a validation finding matters.',
  values: {
    ERROR: { description: 'Blocks the change.' },
    WARNING: { description: 'Shown to stewards; does not block.' },
    INFO: { description: 'For information.' },
  },
});

const ErrorDetailRef = builder.objectRef<ErrorDetail>('ErrorDetail').implement({
  description: 'One finding: where (a JSON pointer or field path) and what.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'JSON pointer or field path of the finding.' }),
    message: t.exposeString('message', { description: 'What is wrong, as a sentence.' }),
    keyword: t.exposeString('keyword', {
      nullable: true,
      description: 'The JSON Schema keyword or rule that found it.',
    }),
  }),
});

export const ValidationFindingRef = builder.objectRef<ValidationFinding>('ValidationFinding').implement({
  description: 'A finding of contract or domain-rule validation.',
  fields: (t) => ({
    code: t.exposeString('code', {
      description:
        'Stable: the JSON Schema keyword (required, pattern, …) or the error code of the domain rule.',
    }),
    path: t.exposeString('path', { description: "JSON pointer into the payload ('' = the whole payload)." }),
    severity: t.field({
      type: SeverityEnum,
      description: 'ERROR blocks; WARNING and INFO do not.',
      resolve: (f) => f.severity,
    }),
    message: t.exposeString('message', { description: 'What was found, as a sentence.' }),
    rule: t.string({
      nullable: true,
      description:
        'The domain rule that found it (ruleSeverities lists the ones an administrator may relax).',
      resolve: (f) => f.rule ?? null,
    }),
  }),
});

export const ErrorInterface = builder.interfaceRef<CanonError>('Error').implement({
  description: 'An expected failure with a stable code.',
  fields: (t) => ({
    code: t.field({
      type: ErrorCodeEnum,
      description: 'Stable code (docs/errors.md).',
      resolve: (e) => e.code,
    }),
    message: t.exposeString('message', { description: 'What went wrong, as a sentence.' }),
    path: t.stringList({
      nullable: true,
      description: 'The input field at fault.',
      resolve: (e) => e.fieldPath ?? null,
    }),
    details: t.field({
      type: [ErrorDetailRef],
      description: 'Every finding behind the error (schema errors, incompatible changes, …).',
      resolve: (e) => e.details,
    }),
  }),
});

builder.objectType(CanonError, {
  name: 'CanonError',
  description: 'An expected failure that carries no data beyond the Error fields.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof CanonError,
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The payload broke its contract or a domain rule.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof ValidationError,
  fields: (t) => ({
    findings: t.field({
      type: [ValidationFindingRef],
      description: 'Every finding, each with its JSON pointer.',
      resolve: (e) => e.findings,
    }),
  }),
});

builder.objectType(VersionConflictError, {
  name: 'VersionConflictError',
  description: 'The object changed since you read it (optimistic lock); reload and retry.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof VersionConflictError,
  fields: (t) => ({
    currentLockVersion: t.exposeInt('currentLockVersion', { description: 'The lock version it has now.' }),
  }),
});

builder.objectType(StaleBaseError, {
  name: 'StaleBaseError',
  description: 'The record moved past the base revision the proposal named; nothing was stored.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof StaleBaseError,
  fields: (t) => ({
    currentRevision: t.exposeInt('currentRevision', { description: "The record's current revision." }),
  }),
});

builder.objectType(NotSystemOfRecordError, {
  name: 'NotSystemOfRecordError',
  description: "A connector proposed outside its system's ownership (domain, site or fields).",
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof NotSystemOfRecordError,
  fields: (t) => ({
    ownedFields: t.stringList({
      nullable: true,
      description: 'JSON pointers its system owns in that domain (null: the whole record).',
      resolve: (e) => e.ownedFields,
    }),
    refusedFields: t.stringList({
      description: 'The changed fields it does not own.',
      resolve: (e) => e.refusedFields,
    }),
  }),
});

/**
 * Options for a field that answers expected failures as error union members: `CanonError` always,
 * and the members that carry data where the field can fail that way (anything else a service
 * throws is a CanonError and answers as one).
 */
export const errorsOf = (...members: (new (...args: never[]) => CanonError)[]) => ({
  types: [CanonError, ...members],
});

/** Fields whose failures carry no data beyond the Error fields. */
export const canonErrors = errorsOf();
