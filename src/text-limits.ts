/**
 * How long free text arguments may be. Each limit is far above real use and far below what makes a
 * request expensive: a megabyte search string took seconds of a `like` scan per request, and a
 * reason is read by a person.
 */
import { CanonError } from './errors.ts';

export const TEXT_LIMITS = {
  /** search and keyPrefix in record lists */
  search: 200,
  /** a proposal's reason, a decision's comment or rejection reason */
  reason: 4_096,
  /** a unit's ratio or rounding step, in characters */
  decimal: 64,
} as const;

/** BAD_USER_INPUT when `value` is longer than the limit, naming the argument. */
export function assertTextLength(
  value: string | null | undefined,
  limit: keyof typeof TEXT_LIMITS,
  path: string[],
): void {
  if (typeof value === 'string' && value.length > TEXT_LIMITS[limit])
    throw new CanonError(
      'BAD_USER_INPUT',
      `${path.join('.')} is at most ${TEXT_LIMITS[limit]} characters (got ${value.length}).`,
      {
        path,
      },
    );
}
