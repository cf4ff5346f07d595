/** How a failed command is told: the error code and message, every detail under it, never a stack. */
import { ConfigError } from '../config.ts';
import { DataDirBusyError } from '../db/data-dir-lock.ts';
import { DatabaseUnreachableError } from '../db/ensure-database.ts';
import { CanonError } from '../errors.ts';

export function describeFailure(error: unknown): string {
  if (error instanceof CanonError)
    return `${error.code}: ${error.message}${error.details.map((d) => `\n  ${d.path}: ${d.message}`).join('')}`;
  if (
    error instanceof ConfigError ||
    error instanceof DataDirBusyError ||
    error instanceof DatabaseUnreachableError
  )
    return error.message;
  return String((error as Error)?.message ?? error);
}
