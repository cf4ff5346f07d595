/**
 * The version of the `contracts` meta package after its members changed, so that semver ranges on
 * it keep their promise: the largest change among its members decides. A member moving to a new
 * major, leaving, or moving back (its newer major deprecated) is a major change; a member added or
 * moving a minor is a minor one; a patch is a patch. `^1` on the meta package never brings a
 * breaking change of a member.
 */
import semver from 'semver';

type Bump = 'major' | 'minor' | 'patch';
const ORDER: Bump[] = ['patch', 'minor', 'major'];

/** The lowest version a `^x.y.z` (or bare) range of the meta package's dependencies names. */
const floorOf = (range: string): string | null => semver.minVersion(range)?.version ?? null;

export function memberBump(before: string | undefined, after: string | undefined): Bump | null {
  if (before === after) return null;
  if (before === undefined) return 'minor';
  if (after === undefined) return 'major';
  if (semver.lt(after, before) || semver.major(after) !== semver.major(before)) return 'major';
  if (semver.minor(after) !== semver.minor(before)) return 'minor';
  return 'patch';
}

/**
 * The next meta version, or null when the members are the same. `previous` is the last meta package
 * (its version and dependency ranges by package name); `next` the member versions now.
 */
export function nextMetaVersion(
  previous: { version: string; dependencies: Record<string, string> } | null,
  next: Record<string, string>,
): string | null {
  if (!previous) return '1.0.0';
  let largest = -1;
  for (const name of new Set([...Object.keys(previous.dependencies), ...Object.keys(next)])) {
    const before = previous.dependencies[name];
    const bump = memberBump(before === undefined ? undefined : (floorOf(before) ?? undefined), next[name]);
    if (bump) largest = Math.max(largest, ORDER.indexOf(bump));
  }
  return largest < 0 ? null : semver.inc(previous.version, ORDER[largest]);
}
