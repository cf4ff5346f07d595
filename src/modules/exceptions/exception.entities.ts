import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';

export const EXCEPTION_STATES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'WONT_FIX'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];
/** States an exception is still being worked in. */
export const LIVE_EXCEPTION_STATES: readonly ExceptionState[] = ['OPEN', 'ACKNOWLEDGED'];

export const EXCEPTION_SOURCES = ['ACKNOWLEDGEMENT', 'CONNECTOR', 'RECONCILE', 'IMPORT'] as const;
export type ExceptionSource = (typeof EXCEPTION_SOURCES)[number];

/** Why an exception went to its owner: the rule that named the team. */
export const OWNER_REASONS = ['SYSTEM_OF_RECORD', 'SYSTEM', 'CONTRACT', 'DEFAULT_QUEUE'] as const;
export type OwnerReason = (typeof OWNER_REASONS)[number];

/**
 * An integration failure with an owner: a system refused a change, reported an inbound failure, or a
 * reconciliation found a difference. While live, the same (system, record, code) counts occurrences
 * on one exception instead of filing another.
 */
export const IntegrationExceptionEntity = defineEntity({
  name: 'IntegrationException',
  tableName: 'integration_exception',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    source: p.enum(EXCEPTION_SOURCES),
    systemCode: p.string().length(100),
    domain: p.string().length(100).nullable(),
    site: p.string().length(20).nullable(),
    recordId: p.uuid().nullable(),
    revision: p.integer().nullable(),
    changeRequestId: p.uuid().nullable(),
    sequence: p.bigint('string').nullable(),
    /** The system's own id of what failed (inbound failures about something Canon has no record of). */
    externalId: p.string().length(300).nullable(),
    code: p.string().length(100),
    message: p.string().length(2000),
    /** A bounded excerpt of what failed (the change's data, the inbound payload). */
    payloadExcerpt: p.json<Record<string, unknown>>().nullable(),
    /** A blocking exception quarantines its record until it is resolved or a steward releases it. */
    blocking: p.boolean().default(false),
    ownerTeam: p.string().length(200),
    ownerReason: p.enum(OWNER_REASONS),
    state: p.enum(EXCEPTION_STATES),
    assignee: p.string().length(200).nullable(),
    occurrences: p.integer().default(1),
    firstSeenAt: p.datetime(),
    lastSeenAt: p.datetime(),
    acknowledgedAt: p.datetime().nullable(),
    resolvedAt: p.datetime().nullable(),
    resolvedBy: p.uuid().nullable(),
    /** AUTO: a later APPLIED acknowledgement resolved it; else the steward's note. */
    resolution: p.string().length(2000).nullable(),
    /** The live duplicate key: only one live exception per (system, record or external id, code). */
    liveKey: p.string().length(500).nullable().unique(),
    lockVersion: p.integer().version(),
  },
  indexes: [
    { name: 'integration_exception_queue', properties: ['ownerTeam', 'state'] },
    { name: 'integration_exception_record', properties: ['recordId'] },
    { name: 'integration_exception_system', properties: ['systemCode', 'state'] },
  ],
});
export class IntegrationException extends IntegrationExceptionEntity.class {}
IntegrationExceptionEntity.setClass(IntegrationException);

/** A comment or a link on an exception (kept in order; never edited). */
export const ExceptionCommentEntity = defineEntity({
  name: 'ExceptionComment',
  tableName: 'integration_exception_comment',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    exceptionId: p.uuid().index(),
    authorId: p.uuid().nullable(),
    authorName: p.string().length(200).nullable(),
    text: p.string().length(4000),
    link: p.string().length(1000).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class ExceptionComment extends ExceptionCommentEntity.class {}
ExceptionCommentEntity.setClass(ExceptionComment);

/**
 * A quarantined record: an exception marked blocking holds it back for connectors that ask. It ends
 * when no blocking exception of the record is live, or when a steward releases it (audited).
 */
export const QuarantineEntity = defineEntity({
  name: 'Quarantine',
  tableName: 'record_quarantine',
  properties: {
    recordId: p.uuid().primary(),
    domain: p.string().length(100).nullable(),
    exceptionId: p.uuid(),
    since: p.datetime(),
    releasedAt: p.datetime().nullable(),
    releasedBy: p.uuid().nullable(),
    releaseNote: p.string().length(2000).nullable(),
    lockVersion: p.integer().version(),
  },
});
export class Quarantine extends QuarantineEntity.class {}
QuarantineEntity.setClass(Quarantine);
