/** work-center: a live location on its site, hourly costs in date order. */
import type { DomainRules, Finding } from '../domain-rules.ts';
import { str } from '../domain-rules.ts';

export const workCenterRules: DomainRules = {
  domain: 'work-center',
  siteScoped: false,
  keyFields: ['/code'],
  keyOf: (d) => String(d.code),
  siteOf: (d) => str(d.site) ?? null,
  references: (d) =>
    str(d.location)
      ? [{ field: '/location', domain: 'location', key: String(d.location), scope: str(d.site) ?? '' }]
      : [],
  async check(_ctx, data) {
    const findings: Finding[] = [];
    const costs = Array.isArray(data.costPerHour) ? (data.costPerHour as { from?: string }[]) : [];
    for (let i = 1; i < costs.length; i++) {
      if (String(costs[i].from) <= String(costs[i - 1].from)) {
        findings.push({
          code: 'CONTRACT_VALIDATION_FAILED',
          rule: 'work-center.cost-order',
          path: `/costPerHour/${i}/from`,
          message: 'Hourly costs are listed by strictly increasing start date.',
        });
      }
    }
    return findings;
  },
};

/** The hourly cost in force on a day (Odoo: costs_hour): the last entry starting on or before it. */
export function costPerHourOn(data: Record<string, unknown>, moment: Date): Record<string, unknown> | null {
  const day = moment.toISOString().slice(0, 10);
  const costs = (Array.isArray(data.costPerHour) ? data.costPerHour : []) as { from: string }[];
  return [...costs].reverse().find((c) => c.from <= day) ?? null;
}
