/** lot: the item tracks lots or serials, dates in order, quality decisions move forward. */
import type { DomainRules, Finding } from '../domain-rules.ts';
import { str } from '../domain-rules.ts';
import { keyPart } from '../keys/key-text.ts';

/** Quality status changes a lot may go through (back to quarantine is not one of them). */
const QUALITY_TRANSITIONS: Record<string, string[]> = {
  quarantine: ['quarantine', 'released', 'blocked'],
  released: ['released', 'blocked'],
  blocked: ['blocked', 'released'],
};

const time = (v: unknown): number | undefined => (typeof v === 'string' ? Date.parse(v) : undefined);

/** A lot's business key: its item's code and its number, `ITEM/NUMBER` (parts with `/` or `%` escaped). */
export const lotKey = (item: string, number: string): string => `${keyPart(item)}/${keyPart(number)}`;

export const lotRules: DomainRules = {
  domain: 'lot',
  siteScoped: false,
  keyFields: ['/item', '/number'],
  keyOf: (d) => lotKey(String(d.item), String(d.number)),
  siteOf: (d) => str(d.site) ?? null,
  references: (d) => (str(d.item) ? [{ field: '/item', domain: 'item', key: String(d.item) }] : []),
  async check(ctx, data, previous) {
    const findings: Finding[] = [];
    const item = str(data.item) ? await ctx.findLive('item', String(data.item)) : null;
    if (item && item.data.tracking !== 'lot' && item.data.tracking !== 'serial') {
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        rule: 'lot.item-tracked',
        path: '/item',
        message: `Item ${item.key} is not tracked by lots or serial numbers (tracking: ${String(item.data.tracking)}).`,
      });
    }
    const order: [string, string][] = [
      ['manufacturedOn', 'bestBeforeAt'],
      ['manufacturedOn', 'expiresAt'],
      ['bestBeforeAt', 'expiresAt'],
      ['removalAt', 'expiresAt'],
      ['alertAt', 'expiresAt'],
      ['manufacturedOn', 'removalAt'],
      ['manufacturedOn', 'alertAt'],
    ];
    for (const [earlier, later] of order) {
      const a = time(data[earlier]);
      const b = time(data[later]);
      if (a !== undefined && b !== undefined && a > b) {
        findings.push({
          code: 'CONTRACT_VALIDATION_FAILED',
          rule: 'lot.date-order',
          path: `/${later}`,
          message: `${later} (${String(data[later])}) is before ${earlier} (${String(data[earlier])}).`,
        });
      }
    }
    const from = str(previous?.qualityStatus) ?? 'quarantine';
    const to = str(data.qualityStatus) ?? 'quarantine';
    if (previous && !(QUALITY_TRANSITIONS[from] ?? []).includes(to)) {
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        rule: 'lot.quality-transition',
        path: '/qualityStatus',
        message: `A lot's quality status cannot go from ${from} to ${to}.`,
      });
    }
    return findings;
  },
};
