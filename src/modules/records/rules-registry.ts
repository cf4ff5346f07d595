/** The domains Canon knows rules for; a custom contract domain gets only its JSON Schema checks. */
import type { DomainRules } from './domain-rules.ts';
import { itemRules } from './item/item.rules.ts';
import { locationRules } from './location/location.rules.ts';
import { lotRules } from './lot/lot.rules.ts';
import { uomRules } from './uom/uom.rules.ts';
import { workCenterRules } from './work-center/work-center.rules.ts';

const BUILT_IN: DomainRules[] = [uomRules, itemRules, locationRules, lotRules, workCenterRules];

export function rulesFor(domain: string): DomainRules {
  return (
    BUILT_IN.find((r) => r.domain === domain) ?? {
      domain,
      siteScoped: false,
      // a custom domain's business key is its `code`, else its `key`
      keyOf: (d) => String(d.code ?? d.key ?? ''),
      siteOf: (d) => (typeof d.site === 'string' ? d.site : null),
      references: () => [],
      check: async () => [],
    }
  );
}
