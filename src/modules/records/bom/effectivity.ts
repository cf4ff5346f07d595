/**
 * Effectivity of BOM and routing revisions: [validFrom, validTo) in calendar days (ISO dates compare
 * as text), validTo absent = open-ended. Two revisions of one product must not be in force on the
 * same day.
 */
import type { Data, Finding, LiveRecord, RuleContext } from '../domain-rules.ts';
import { str } from '../domain-rules.ts';

export interface Effectivity {
  from: string;
  to: string | undefined;
}

export const effectivityOf = (d: Data): Effectivity => ({ from: String(d.validFrom), to: str(d.validTo) });

export function overlaps(a: Effectivity, b: Effectivity): boolean {
  return (b.to === undefined || a.from < b.to) && (a.to === undefined || b.from < a.to);
}

/** Whether the revision is in force on `day` (YYYY-MM-DD). */
export const inForceOn = (d: Data, day: string): boolean => {
  const e = effectivityOf(d);
  return e.from <= day && (e.to === undefined || day < e.to);
};

/**
 * Findings of a revision's dates: validTo after validFrom, and no other live revision of the same
 * product (and site) in force on any of its days.
 */
export async function effectivityFindings(
  ctx: RuleContext,
  domain: 'bom' | 'routing',
  data: Data,
  recordId: string | null,
): Promise<Finding[]> {
  const mine = effectivityOf(data);
  if (mine.to !== undefined && mine.to <= mine.from)
    return [
      {
        code: 'CONTRACT_VALIDATION_FAILED',
        rule: `${domain}.effectivity-order`,
        path: '/validTo',
        message: `validTo (${mine.to}) must come after validFrom (${mine.from}).`,
      },
    ];
  const product = str(data.product);
  if (!product) return [];
  const site = str(data.site) ?? null;
  const others: LiveRecord[] = await ctx.findLiveMatching(domain, { product }, recordId);
  const clash = others.find(
    (o) =>
      (str(o.data.site) ?? null) === site &&
      o.data.allVariants === data.allVariants &&
      o.data.active !== false &&
      overlaps(mine, effectivityOf(o.data)),
  );
  if (!clash || data.active === false) return [];
  const theirs = effectivityOf(clash.data);
  return [
    {
      code: 'CONTRACT_VALIDATION_FAILED',
      rule: `${domain}.effectivity-overlap`,
      path: '/validFrom',
      message: `${domain === 'bom' ? 'BOM' : 'Routing'} ${clash.key} of ${product} is in force from ${theirs.from} ${theirs.to ? `to ${theirs.to}` : 'on'}: the revisions of one product must not overlap.`,
    },
  ];
}
