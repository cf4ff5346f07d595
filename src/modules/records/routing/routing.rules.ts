/**
 * routing: work centers and units that exist and are live (the generic reference check), operation
 * codes unique within the routing, run quantities above zero, and no revision of the same product in
 * force on the same day.
 */
import { effectivityFindings } from '../bom/effectivity.ts';
import type { Data, DomainRules, Finding } from '../domain-rules.ts';
import { globalCodeKey, referenceTo, str } from '../domain-rules.ts';
import { parseDecimal } from '../uom/rational.ts';

export const operationsOf = (d: Data): Data[] =>
  Array.isArray(d.operations)
    ? (d.operations as unknown[]).filter((o): o is Data => typeof o === 'object' && o !== null)
    : [];

const ref = referenceTo;

export const routingRules: DomainRules = {
  domain: 'routing',
  ...globalCodeKey,
  keyFields: [...globalCodeKey.keyFields],
  // cycles and effectivity read other BOMs and routings: their writers go one at a time
  structureLock: 'bom',
  references: (d) => [
    ...ref('/product', 'item', d.product),
    ...operationsOf(d).flatMap((o, i) => [
      ...ref(`/operations/${i}/workCenter`, 'work-center', o.workCenter),
      ...ref(`/operations/${i}/runUom`, 'uom', o.runUom),
    ]),
  ],
  async check(ctx, data, _previous, recordId) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    operationsOf(data).forEach((o, i) => {
      const code = String(o.code);
      if (seen.has(code))
        findings.push({
          code: 'DUPLICATE_KEY',
          rule: 'routing.operation-unique',
          path: `/operations/${i}/code`,
          message: `Operation ${code} appears twice in the routing.`,
        });
      seen.add(code);
      const run = str(o.runQuantity);
      if (run !== undefined && (parseDecimal(run)?.n ?? 0n) <= 0n)
        findings.push({
          code: 'CONTRACT_VALIDATION_FAILED',
          rule: 'routing.quantity-positive',
          path: `/operations/${i}/runQuantity`,
          message: 'Run times are given for a quantity above zero.',
        });
    });
    findings.push(...(await effectivityFindings(ctx, 'routing', data, recordId)));
    return findings;
  },
};
