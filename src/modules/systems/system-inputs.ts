/**
 * The checks of systems' and rules' input: codes, sites, JSON pointers, team names, and whether two
 * rules' fields overlap.
 */
import { CanonError } from '../../errors.ts';
import { pointerCovers } from './ownership.ts';

export const CODE = /^[a-z0-9][a-z0-9-]{0,99}$/;
export const SITE = /^[A-Z0-9][A-Z0-9_-]{0,19}$/;
/** RFC 6901: `/`-separated tokens, `~` only as `~0` or `~1`; no empty token (a field has a name). */
export const POINTER = /^(\/([^/~]|~[01])+)+$/;

export function fieldsOverlap(
  a: string[] | null | undefined,
  b: string[] | null | undefined,
): string[] | true | null {
  if (!a || !b) return true; // a whole-record rule overlaps everything
  const shared = a.filter((x) => b.some((y) => pointerCovers(x, y) || pointerCovers(y, x)));
  return shared.length > 0 ? shared : null;
}

/** A team name as given (trimmed; empty: none), or BAD_USER_INPUT past 200 characters. */
export function teamOf(team: string | null | undefined): string | null {
  const trimmed = team?.trim() ?? '';
  if (trimmed.length > 200)
    throw new CanonError('BAD_USER_INPUT', 'A team name is at most 200 characters.', { path: ['team'] });
  return trimmed || null;
}
