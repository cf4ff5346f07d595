/**
 * The changes stewards make to an exception, their checks and what the audit trail says of them.
 */
import { CanonError } from '../../errors.ts';
import type { AuditAction } from '../audit/audit-actions.ts';

export type ExceptionChange =
  | { kind: 'ACKNOWLEDGE' }
  | { kind: 'ASSIGN'; assignee: string | null }
  | { kind: 'COMMENT'; text: string; link?: string | null }
  | { kind: 'RESOLVE'; state: 'RESOLVED' | 'WONT_FIX'; note: string }
  | { kind: 'REOPEN'; note: string };

export const AUDIT: Record<ExceptionChange['kind'], AuditAction> = {
  ACKNOWLEDGE: 'EXCEPTION_ACKNOWLEDGED',
  ASSIGN: 'EXCEPTION_ASSIGNED',
  COMMENT: 'EXCEPTION_COMMENTED',
  RESOLVE: 'EXCEPTION_RESOLVED',
  REOPEN: 'EXCEPTION_REOPENED',
};

export const bad = (message: string, path: string[]) => new CanonError('BAD_USER_INPUT', message, { path });

export function checkChange(change: ExceptionChange): void {
  if (
    change.kind === 'ASSIGN' &&
    change.assignee !== null &&
    (!change.assignee.trim() || change.assignee.length > 200)
  )
    throw bad('An assignee is 1 to 200 characters (null: unassigned).', ['assignee']);
  if (change.kind === 'COMMENT') {
    if (!change.text?.trim() || change.text.length > 4000)
      throw bad('A comment is 1 to 4,000 characters.', ['text']);
    if (change.link && (change.link.length > 1000 || !/^https?:\/\//.test(change.link)))
      throw bad('A link is an http(s) address of at most 1,000 characters.', ['link']);
  }
  if (
    (change.kind === 'RESOLVE' || change.kind === 'REOPEN') &&
    (!change.note?.trim() || change.note.length > 2000)
  )
    throw bad('Say what was done (a note of 1 to 2,000 characters).', ['note']);
}

export function changeDetails(change: ExceptionChange): Record<string, unknown> {
  switch (change.kind) {
    case 'COMMENT':
      return { comment: change.text, link: change.link ?? null };
    case 'RESOLVE':
    case 'REOPEN':
      return { note: change.note };
    default:
      return {};
  }
}
