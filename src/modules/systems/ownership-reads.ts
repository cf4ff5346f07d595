/**
 * Reads of the system-of-record rules other modules need in their own transactions: the rules a
 * connector acts under (its CASL ability), and the systems that own a domain (how merges rank
 * sources). Rules of inactive systems count for neither.
 */
import type { Em } from '../../db/orm.ts';
import type { OwnershipRule } from './ownership.ts';

const fieldsOf = (f: unknown) => (typeof f === 'string' ? JSON.parse(f) : f) as string[] | null;

/** The active systems of record of a domain on a site (rules for every site included), with the fields each owns (null: the whole record). */
export async function ownersIn(
  em: Em,
  domain: string,
  site: string | null,
): Promise<{ system: string; fields: string[] | null }[]> {
  const rows = await em.getConnection().execute<{ system_code: string; fields: unknown }[]>(
    `select r.system_code, r.fields from sor_rule r join system s on s.code = r.system_code
      where r.domain = ? and s.active and (r.site is null or r.site = ?) order by r.system_code`,
    [domain, site ?? ''],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((r) => ({ system: r.system_code, fields: fieldsOf(r.fields) }));
}

/** The rules a connector of `systemCode` acts under (none when the system is unknown or inactive). */
export async function ownershipOf(em: Em, systemCode: string): Promise<OwnershipRule[]> {
  const rows = await em
    .getConnection()
    .execute<
      { id: string; domain: string; site: string | null; fields: unknown; required_approvals: number }[]
    >(
      `select r.id, r.domain, r.site, r.fields, r.required_approvals from sor_rule r join system s on s.code = r.system_code
        where r.system_code = ? and s.active`,
      [systemCode],
    );
  return rows.map((r) => ({
    id: r.id,
    domain: r.domain,
    site: r.site,
    fields: fieldsOf(r.fields),
    requiredApprovals: r.required_approvals,
  }));
}

/**
 * The team that owns a domain's data on a site under the system-of-record rules: the rule's team,
 * else its system's; a whole-record rule before field rules, a site's rule before an all-sites one.
 * Null when no active rule names a team.
 */
export async function dataOwnerTeamIn(
  em: Em,
  domain: string,
  site: string | null,
): Promise<{ team: string; system: string; viaRule: boolean } | null> {
  const rows = await em
    .getConnection()
    .execute<{ system_code: string; rule_team: string | null; system_team: string | null }[]>(
      `select r.system_code, r.team as rule_team, s.team as system_team from sor_rule r join system s on s.code = r.system_code
      where r.domain = ? and s.active and (r.site is null or r.site = ?)
      order by (r.fields is null) desc, (r.site is not null) desc, r.created_at`,
      [domain, site ?? ''],
      'all',
      em.getTransactionContext(),
    );
  for (const r of rows) {
    if (r.rule_team) return { team: r.rule_team, system: r.system_code, viaRule: true };
    if (r.system_team) return { team: r.system_team, system: r.system_code, viaRule: false };
  }
  return null;
}
