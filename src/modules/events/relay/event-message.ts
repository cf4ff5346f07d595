/**
 * One outbox event as a JetStream message: the subject, the headers a consumer routes and
 * de-duplicates by without parsing the body, and the body the event's contract describes
 * (contracts/event.<name>/): the change feed's event, field for field.
 */
import type { ChangeEvent } from '../change-feed.service.ts';
import { eventContractVersionOf, subjectOf } from '../event-catalogue.ts';

export interface EventMessage {
  subject: string;
  /** Nats-Msg-Id: JetStream drops a message whose id it saw within the duplicate window. */
  msgId: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The headers every message carries (docs/events.md); absent values are left out, never empty. */
export const HEADERS = {
  sequence: 'Canon-Sequence',
  type: 'Canon-Event-Type',
  contract: 'Canon-Contract',
  contractVersion: 'Canon-Contract-Version',
  recordContract: 'Canon-Record-Contract',
  revision: 'Canon-Revision',
  domain: 'Canon-Domain',
  subjectId: 'Canon-Subject-Id',
  originSystem: 'Canon-Origin-System',
  committedAt: 'Canon-Committed-At',
} as const;

const encoder = new TextEncoder();

export function eventMessage(event: ChangeEvent, subjectPrefix: string): EventMessage {
  const { contract, version } = eventContractVersionOf(event.type);
  const headers: Record<string, string> = {
    [HEADERS.sequence]: event.sequence,
    [HEADERS.type]: event.type,
    [HEADERS.contract]: contract,
    [HEADERS.contractVersion]: version,
    [HEADERS.committedAt]: event.createdAt.toISOString(),
    'Content-Type': 'application/json',
  };
  if (event.contractVersion) headers[HEADERS.recordContract] = event.contractVersion;
  if (event.revision !== null) headers[HEADERS.revision] = String(event.revision);
  if (event.domain) headers[HEADERS.domain] = event.domain;
  if (event.subjectId) headers[HEADERS.subjectId] = event.subjectId;
  if (event.origin?.systemCode) headers[HEADERS.originSystem] = event.origin.systemCode;
  const body = {
    sequence: event.sequence,
    type: event.type,
    domain: event.domain,
    subjectId: event.subjectId,
    revision: event.revision,
    contractVersion: event.contractVersion,
    createdAt: event.createdAt.toISOString(),
    origin: event.origin,
    payload: event.payload,
  };
  return {
    subject: subjectOf(subjectPrefix, event.type, event.domain),
    msgId: event.sequence,
    headers,
    body: encoder.encode(JSON.stringify(body)),
  };
}
