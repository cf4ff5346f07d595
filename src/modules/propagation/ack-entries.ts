/**
 * The shape of an acknowledgement batch and the checks each entry passes before anything is read:
 * a refused entry gets a typed error (code, path, message) of its own and is not written; the
 * others go on.
 */
import { CanonError } from '../../errors.ts';
import { ACK_STATUSES, type AckStatus } from './propagation.entities.ts';

/** At most this many acknowledgements per call. */
export const MAX_ACKS_PER_CALL = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

export interface AckEntryInput {
  /** The feed sequence of the change. */
  sequence?: string | null;
  /** Or the record and the revision the change made. */
  recordId?: string | null;
  revision?: number | null;
  status: AckStatus;
  /** The system's own id of the record, where applying the change created one (linked as an xref). */
  externalId?: string | null;
  /** For a refusal: the system's error code and message. */
  code?: string | null;
  message?: string | null;
  /** For a refusal: the record is held back (quarantined) until the exception is resolved. */
  blocking?: boolean | null;
}

export const ACK_OUTCOMES = ['RECORDED', 'REPLACED', 'UNCHANGED', 'REJECTED'] as const;
export type AckOutcome = (typeof ACK_OUTCOMES)[number];

export interface AckEntryResult {
  index: number;
  sequence: string | null;
  recordId: string | null;
  revision: number | null;
  status: AckStatus;
  outcome: AckOutcome;
  error: CanonError | null;
}

/** The batch-level checks: a batch too large is refused whole, before any entry is looked at. */
export function assertBatchSize(entries: readonly unknown[]): void {
  if (entries.length > MAX_ACKS_PER_CALL)
    throw new CanonError(
      'PAYLOAD_TOO_LARGE',
      `At most ${MAX_ACKS_PER_CALL} acknowledgements per call (got ${entries.length}); send them in batches.`,
      { path: ['changes'] },
    );
}

/** The entry's own mistakes (null: well formed). */
export function entryError(entry: AckEntryInput, index: number): CanonError | null {
  const at = (field: string) => ['changes', String(index), field];
  const bad = (field: string, message: string) =>
    new CanonError('BAD_USER_INPUT', message, { path: at(field) });
  if (!(ACK_STATUSES as readonly string[]).includes(entry.status))
    return bad('status', `status is one of ${ACK_STATUSES.join(', ')}.`);
  const hasSequence = entry.sequence !== undefined && entry.sequence !== null;
  const hasRecord = Boolean(entry.recordId);
  if (hasSequence === hasRecord)
    return bad('sequence', 'Name the change by its sequence, or by recordId and revision — one of the two.');
  if (hasSequence && !/^\d{1,19}$/.test(String(entry.sequence)))
    return bad('sequence', `"${entry.sequence}" is not a feed sequence.`);
  if (hasRecord && !UUID.test(String(entry.recordId)))
    return bad('recordId', `"${entry.recordId}" is not a record id.`);
  if (hasRecord && !(Number.isInteger(entry.revision) && (entry.revision as number) > 0))
    return bad('revision', 'A record acknowledgement names the revision (1 or more) it applied.');
  if (entry.status === 'REFUSED') {
    if (!entry.code || !CODE.test(entry.code))
      return bad(
        'code',
        'A refusal carries the system\'s error code (letters, digits, "_.:-", at most 100).',
      );
    if (!entry.message?.trim()) return bad('message', 'A refusal carries a message saying what went wrong.');
  } else if (entry.blocking) return bad('blocking', 'Only a refusal can block a record.');
  if (entry.message && entry.message.length > 2000)
    return bad('message', 'A message is at most 2,000 characters.');
  if (entry.externalId !== undefined && entry.externalId !== null) {
    if (entry.status !== 'APPLIED')
      return bad('externalId', "Only an APPLIED change links the system's own id.");
    if (!entry.externalId.trim() || entry.externalId.length > 300)
      return bad('externalId', 'An external id is 1 to 300 characters.');
  }
  return null;
}
