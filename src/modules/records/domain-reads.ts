/**
 * Reads of the built-in domains' own meaning, over the generic record reads: exact unit conversion
 * (DESIGN §6) and a location's full name up its parents.
 */
import { CanonError } from '../../errors.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { decodeMoment } from './as-of.ts';
import type { RecordReads } from './record-reads.ts';
import type { RoundingMethod } from './uom/rational.ts';
import { type Conversion, convertQuantity, type UnitFacts } from './uom/uom-conversion.ts';

export class DomainReads {
  private readonly reads: RecordReads;

  constructor(reads: RecordReads) {
    this.reads = reads;
  }

  /** Converts a quantity between two live units (by code) of one dimension, exactly (DESIGN §6). */
  async convertQuantity(
    ctx: CallContext,
    quantity: string,
    fromCode: string,
    toCode: string,
    rounding: RoundingMethod,
  ): Promise<Conversion> {
    const [from, to] = await this.reads.recordsByKeys(ctx, 'uom', [{ key: fromCode }, { key: toCode }]);
    if (from?.status !== 'ACTIVE')
      throw new CanonError('NOT_FOUND', `No live unit ${fromCode}.`, { path: ['from'] });
    if (to?.status !== 'ACTIVE')
      throw new CanonError('NOT_FOUND', `No live unit ${toCode}.`, { path: ['to'] });
    return convertQuantity(
      quantity,
      from.data as unknown as UnitFacts,
      to.data as unknown as UnitFacts,
      rounding,
    );
  }

  /**
   * Full names of locations from the top ("EU1 / Stock / Shelf 2"; Odoo: complete_name), each as of
   * its moment: all of them walked up together, one query per level and moment, not per location.
   */
  async locationPaths(
    ctx: CallContext,
    locations: readonly { id: string; asOf?: string }[],
  ): Promise<string[]> {
    const names: string[][] = locations.map(() => []);
    let frontier: { i: number; parent: string | null; site: string; asOf?: string }[] = [];
    for (const [asOf, group] of groupByMoment(locations.map((l, i) => ({ ...l, i })))) {
      const views = await this.reads.recordsByIds(
        ctx,
        group.map((l) => l.id),
        decodeMoment(asOf),
      );
      group.forEach((l, j) => {
        const v = views[j];
        if (!v) return;
        names[l.i].push(String(v.data.name));
        const parent = v.data.parent;
        frontier.push({
          i: l.i,
          parent: typeof parent === 'string' ? parent : null,
          site: v.site ?? '',
          asOf,
        });
      });
    }
    for (let depth = 0; frontier.length > 0 && depth < 50; depth++) {
      const next: typeof frontier = [];
      for (const [asOf, group] of groupByMoment(frontier.filter((f) => f.parent))) {
        const parents = await this.reads.recordsByKeys(
          ctx,
          'location',
          group.map((f) => ({ key: f.parent!, scope: f.site })),
          decodeMoment(asOf),
        );
        group.forEach((f, j) => {
          const p = parents[j];
          if (!p) return;
          names[f.i].unshift(String(p.data.name));
          const parent = p.data.parent;
          next.push({ i: f.i, parent: typeof parent === 'string' ? parent : null, site: f.site, asOf });
        });
      }
      frontier = next;
    }
    return names.map((n) => n.join(' / '));
  }
}

function groupByMoment<T extends { asOf?: string }>(items: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) m.set(x.asOf ?? '', [...(m.get(x.asOf ?? '') ?? []), x]);
  return m;
}
