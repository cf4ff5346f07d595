/** uom: Rec 20 codes, exact positive ratios and rounding, one reference unit per dimension. */

import { TEXT_LIMITS } from '../../../text-limits.ts';
import type { DomainRules, Finding } from '../domain-rules.ts';
import { str } from '../domain-rules.ts';
import { parseDecimal, parseRational } from './rational.ts';
import { rec20Problem } from './rec20.ts';

export const uomRules: DomainRules = {
  domain: 'uom',
  siteScoped: false,
  keyFields: ['/code'],
  keyOf: (d) => String(d.code),
  siteOf: () => null,
  references: () => [],
  async check(ctx, data, _previous, recordId) {
    const findings: Finding[] = [];
    const rec20 = str(data.rec20);
    if (rec20) {
      const problem = rec20Problem(rec20);
      if (problem)
        findings.push({
          code: 'CONTRACT_VALIDATION_FAILED',
          rule: 'uom.rec20',
          path: '/rec20',
          message: problem,
        });
    }
    for (const field of ['ratio', 'rounding'] as const) {
      if (String(data[field] ?? '').length > TEXT_LIMITS.decimal)
        return [
          {
            code: 'CONTRACT_VALIDATION_FAILED',
            rule: 'uom.decimal-length',
            path: `/${field}`,
            message: `The ${field} is written in at most ${TEXT_LIMITS.decimal} characters.`,
          },
        ];
    }
    const ratio = parseRational(String(data.ratio));
    if (!ratio || ratio.s <= 0n || ratio.n === 0n) {
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        rule: 'uom.ratio-positive',
        path: '/ratio',
        message: 'The ratio must be an exact rational greater than 0.',
      });
    }
    const rounding = parseDecimal(String(data.rounding));
    if (!rounding || rounding.n === 0n) {
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        rule: 'uom.rounding-positive',
        path: '/rounding',
        message: 'The rounding step must be greater than 0.',
      });
    }
    if (ratio && ratio.compare(1) === 0) {
      const sameDimension = await ctx.findLiveMatching('uom', { dimension: data.dimension }, recordId);
      const other = sameDimension.find((u) => parseRational(String(u.data.ratio))?.compare(1) === 0);
      if (other) {
        findings.push({
          code: 'DUPLICATE_KEY',
          rule: 'uom.one-reference',
          path: '/ratio',
          message: `${other.key} is already the reference unit (ratio 1) of ${String(data.dimension)}; a dimension has one reference unit.`,
        });
      }
    }
    return findings;
  },
};
