/**
 * What a system owns, in the one shape every module uses: the rules a connector's ability is built
 * from (auth), the rules the systems service stores and checks for overlaps, and how a JSON pointer
 * of a changed field is covered by an owned one.
 */

/** What a connector's ability is built from: its system's rules (none when the system is inactive). */
export interface OwnershipRule {
  id: string;
  domain: string;
  site: string | null;
  fields: string[] | null;
  requiredApprovals: number;
}

/** True when a change at `path` lies inside the owned field `owner` (or is it). */
export function pointerCovers(owner: string, path: string): boolean {
  return path === owner || path.startsWith(`${owner}/`);
}
