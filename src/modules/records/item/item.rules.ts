/** item: live UoMs of matching dimensions, valid and unique GTIN barcodes, stock only for goods. */
import type { Data, DomainRules, Finding, ReferenceSpec } from '../domain-rules.ts';
import { str } from '../domain-rules.ts';
import { isValidGtin } from './gtin.ts';

const uomRef = (field: string, code: unknown): ReferenceSpec[] =>
  typeof code === 'string' ? [{ field, domain: 'uom', key: code }] : [];
const measure = (d: Data, name: string) =>
  d[name] && typeof d[name] === 'object' ? (d[name] as Data) : undefined;

export const itemRules: DomainRules = {
  domain: 'item',
  siteScoped: false,
  keyFields: ['/code'],
  keyOf: (d) => String(d.code),
  siteOf: (d) => str(d.site) ?? null,
  references: (d) => [
    ...uomRef('/uom', d.uom),
    ...uomRef('/purchaseUom', d.purchaseUom),
    ...uomRef('/weight/uom', measure(d, 'weight')?.uom),
    ...uomRef('/volume/uom', measure(d, 'volume')?.uom),
  ],
  async check(ctx, data, _previous, recordId) {
    const findings: Finding[] = [];
    const base = str(data.uom) ? await ctx.findLive('uom', String(data.uom)) : null;
    const purchase = str(data.purchaseUom) ? await ctx.findLive('uom', String(data.purchaseUom)) : null;
    if (base && purchase && base.data.dimension !== purchase.data.dimension) {
      findings.push({
        code: 'UOM_DIMENSION_MISMATCH',
        rule: 'item.uom-dimension',
        path: '/purchaseUom',
        message: `The purchase unit ${purchase.key} measures ${String(purchase.data.dimension)}, the unit ${base.key} measures ${String(base.data.dimension)}.`,
      });
    }
    for (const [name, dimension] of [
      ['weight', 'mass'],
      ['volume', 'volume'],
    ] as const) {
      const unitCode = str(measure(data, name)?.uom);
      const unit = unitCode ? await ctx.findLive('uom', unitCode) : null;
      if (unit && unit.data.dimension !== dimension) {
        findings.push({
          code: 'UOM_DIMENSION_MISMATCH',
          rule: 'item.uom-dimension',
          path: `/${name}/uom`,
          message: `A ${name} is given in a unit of ${dimension}, not ${String(unit.data.dimension)}.`,
        });
      }
    }
    const barcode = str(data.barcode);
    if (barcode) {
      if (!isValidGtin(barcode)) {
        findings.push({
          code: 'CONTRACT_VALIDATION_FAILED',
          rule: 'item.gtin-check-digit',
          path: '/barcode',
          message: `${barcode} is not a GTIN with a valid check digit.`,
        });
      } else {
        const taken = await ctx.findLiveMatching('item', { barcode }, recordId);
        if (taken.length > 0)
          findings.push({
            code: 'DUPLICATE_KEY',
            rule: 'item.barcode-unique',
            path: '/barcode',
            message: `The barcode ${barcode} belongs to item ${taken[0].key}.`,
          });
      }
    }
    if (data.stocked === true && data.type !== 'goods') {
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        rule: 'item.stocked-goods-only',
        path: '/stocked',
        message: `Only goods can be stocked; this item is of type ${String(data.type)}.`,
      });
    }
    return findings;
  },
};
