/**
 * What a database error means to the caller, when it reaches the edge unhandled: bad input that got
 * past validation (PostgreSQL's class 22, data exceptions: a value too long, out of range, not
 * encodable) is the caller's to fix; a lost or refused connection (the server restarting, a
 * failover, a full pool) is the service's, temporary, and worth a retry.
 */
import { ConnectionException, DeadlockException } from '@mikro-orm/core';

export type DatabaseErrorClass =
  | 'BAD_USER_INPUT'
  | 'SERVICE_UNAVAILABLE'
  | 'VERSION_CONFLICT'
  | 'STATEMENT_TIMEOUT';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down|in recovery)|Connection refused/i;

export function classifyDatabaseError(error: unknown): DatabaseErrorClass | null {
  if (!error || typeof error !== 'object') return null;
  if (error instanceof DeadlockException) return 'VERSION_CONFLICT';
  if (error instanceof ConnectionException) return 'SERVICE_UNAVAILABLE';
  const code = String((error as { code?: unknown }).code ?? '');
  const message = String((error as { message?: unknown }).message ?? '');
  if (code === '40P01' || code === '40001') return 'VERSION_CONFLICT';
  if (code.startsWith('22')) return 'BAD_USER_INPUT';
  if (code === '57014') return 'STATEMENT_TIMEOUT';
  if (code.startsWith('08') || code.startsWith('57P') || code === '53300' || CONNECTION_CODES.has(code))
    return 'SERVICE_UNAVAILABLE';
  if (CONNECTION_MESSAGES.test(message)) return 'SERVICE_UNAVAILABLE';
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? classifyDatabaseError(cause) : null;
}

/** The error code a caller sees: a statement timeout is a temporary refusal too (HTTP 503). */
export const DATABASE_ERROR_CODES: Record<
  DatabaseErrorClass,
  'BAD_USER_INPUT' | 'SERVICE_UNAVAILABLE' | 'VERSION_CONFLICT'
> = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  STATEMENT_TIMEOUT: 'SERVICE_UNAVAILABLE',
};

export const DATABASE_ERROR_MESSAGES: Record<DatabaseErrorClass, string> = {
  STATEMENT_TIMEOUT:
    'The database did not finish the request in the time allowed (statement timeout); nothing was changed. Ask for less (smaller pages, a narrower filter) or retry later.',
  BAD_USER_INPUT: 'A value in the request cannot be stored (too long, out of range or not valid text).',
  SERVICE_UNAVAILABLE: 'The database is not reachable at the moment; nothing was changed. Retry shortly.',
  VERSION_CONFLICT:
    'Another change to the same records ran at the same moment; nothing was changed. Retry the request.',
};
