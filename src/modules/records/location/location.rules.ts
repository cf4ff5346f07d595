/** location: a live parent on the same site, no cycles, view locations hold no stock flags. */
import type { DomainRules, Finding } from '../domain-rules.ts';
import { str } from '../domain-rules.ts';

export const MAX_LOCATION_DEPTH = 50;

export const locationRules: DomainRules = {
  domain: 'location',
  siteScoped: true,
  keyFields: ['/code'],
  keyOf: (d) => String(d.code),
  siteOf: (d) => str(d.site) ?? null,
  references: (d) =>
    str(d.parent)
      ? [{ field: '/parent', domain: 'location', key: String(d.parent), scope: str(d.site) ?? '' }]
      : [],
  async check(ctx, data) {
    const findings: Finding[] = [];
    const code = String(data.code);
    const scope = str(data.site) ?? '';
    if (data.usage === 'view' && (data.scrap === true || data.return === true)) {
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        rule: 'location.view-usage',
        path: data.scrap === true ? '/scrap' : '/return',
        message: 'A view location only groups others; it cannot be a scrap or return location.',
      });
    }
    // walk up from the new parent: meeting this location again would close a cycle
    let parent = str(data.parent);
    for (let depth = 0; parent; depth++) {
      if (parent === code) {
        findings.push({
          code: 'CONTRACT_VALIDATION_FAILED',
          rule: 'location.no-cycle',
          path: '/parent',
          message: `Making ${data.parent} the parent of ${code} would create a cycle.`,
        });
        break;
      }
      if (depth > MAX_LOCATION_DEPTH) {
        findings.push({
          code: 'CONTRACT_VALIDATION_FAILED',
          rule: 'location.max-depth',
          path: '/parent',
          message: `Locations nest at most ${MAX_LOCATION_DEPTH} levels deep.`,
        });
        break;
      }
      const next = await ctx.findLive('location', parent, scope);
      parent = next ? str(next.data.parent) : undefined;
    }
    return findings;
  },
};
