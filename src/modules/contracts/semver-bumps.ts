/** Semver steps between versions, pure (the CLI's offline check uses it without the contracts module). */
import semver from 'semver';

export type SemverBump = 'NONE' | 'PATCH' | 'MINOR' | 'MAJOR';

export const rank = (b: SemverBump): number => ['NONE', 'PATCH', 'MINOR', 'MAJOR'].indexOf(b);

export function bumpBetween(from: string, to: string): SemverBump {
  const a = semver.parse(from)!;
  const b = semver.parse(to)!;
  if (b.major > a.major) return 'MAJOR';
  if (b.major === a.major && b.minor > a.minor) return 'MINOR';
  if (b.major === a.major && b.minor === a.minor && b.patch > a.patch) return 'PATCH';
  return 'NONE';
}
