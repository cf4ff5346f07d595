/**
 * The rules of each domain: the built-in ones in code; a custom domain's from its contract's
 * `x-canon-key` and `x-canon-references` (canon-keywords.ts), enforced like the built-in ones.
 */

import { canonKeywords } from '../contracts/canon-keywords.ts';
import { bomRules } from './bom/bom.rules.ts';
import type { Data, DomainRules, ReferenceSpec } from './domain-rules.ts';
import { itemRules } from './item/item.rules.ts';
import { getPointer } from './keys/json-pointer.ts';
import { keyPart } from './keys/key-text.ts';
import { locationRules } from './location/location.rules.ts';
import { lotRules } from './lot/lot.rules.ts';
import { routingRules } from './routing/routing.rules.ts';
import { uomRules } from './uom/uom.rules.ts';
import { workCenterRules } from './work-center/work-center.rules.ts';

const BUILT_IN: DomainRules[] = [
  uomRules,
  itemRules,
  locationRules,
  lotRules,
  workCenterRules,
  bomRules,
  routingRules,
];

const customRules = new WeakMap<object, DomainRules>();

/**
 * The rules of a domain. For a custom domain, pass the schema of the contract version the payload
 * is validated against; without it (or without `x-canon-key`) the key is the payload's `code`,
 * else its `key`.
 */
export function rulesFor(domain: string, schema?: Record<string, unknown>): DomainRules {
  const builtIn = BUILT_IN.find((r) => r.domain === domain);
  if (builtIn) return builtIn;
  if (!schema) return customDomainRules(domain, {});
  let rules = customRules.get(schema);
  if (!rules) {
    rules = customDomainRules(domain, schema);
    customRules.set(schema, rules);
  }
  return rules;
}

export function isBuiltInDomain(domain: string): boolean {
  return BUILT_IN.some((r) => r.domain === domain);
}

/** Concrete pointers of a reference path in a payload: `*` expands over the elements of an array. */
function expand(data: unknown, path: string): string[] {
  const tokens = path.slice(1).split('/');
  let pointers = [''];
  for (const token of tokens) {
    pointers = pointers.flatMap((p) => {
      if (token !== '*') return [`${p}/${token}`];
      const arr = getPointer(data, p);
      return Array.isArray(arr) ? arr.map((_, i) => `${p}/${i}`) : [];
    });
  }
  return pointers;
}

function customDomainRules(domain: string, schema: Record<string, unknown>): DomainRules {
  const { key, references } = canonKeywords(schema);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    domain,
    siteScoped: false,
    keyFields: key ?? ['/code'],
    keyOf: key
      ? (d: Data) => key.map((p) => keyPart(String(getPointer(d, p) ?? ''))).join('/')
      : (d: Data) => String(d.code ?? d.key ?? ''),
    siteOf: (d: Data) => str(d.site) ?? null,
    references: (d: Data): ReferenceSpec[] =>
      references.flatMap((ref) =>
        expand(d, ref.path).flatMap((field) => {
          const value = getPointer(d, field);
          if (typeof value !== 'string') return [];
          const target = BUILT_IN.find((r) => r.domain === ref.domain);
          return [
            {
              field,
              domain: ref.domain,
              key: value,
              ...(target?.siteScoped ? { scope: str(d.site) ?? '' } : {}),
            },
          ];
        }),
      ),
    check: async () => [],
  };
}
