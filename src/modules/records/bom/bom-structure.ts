/**
 * Multi-level BOM structure, read from the live golden records as of a moment: the explosion of a
 * product into every component at every level (quantities exact, through unit conversion), and the
 * where-used of an item (every BOM that contains it, directly or through sub-assemblies).
 *
 * The BOM of a product on a day is its live, active revision in force that day (effectivity); a
 * variant's own BOM wins over one for all variants, the latest validFrom over earlier ones.
 */
import Fraction from 'fraction.js';
import { CanonError } from '../../../errors.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { Data } from '../domain-rules.ts';
import type { RecordsService } from '../records.service.ts';
import type { ListFilter, RecordView } from '../records.types.ts';
import { decimalsOf, parseDecimal, parseRational, roundToStep, toDecimalString } from '../uom/rational.ts';
import { linesOf, MAX_BOM_DEPTH } from './bom.rules.ts';
import { inForceOn } from './effectivity.ts';

/** Lines an explosion may list; a larger structure is refused (ask for a sub-assembly). */
export const MAX_EXPLODED_LINES = 10_000;
/** Items per statement when a level of a structure is read at once. */
const PER_STATEMENT = 100;
/** Decimal places of a quantity that does not terminate (a third of a kilogram). */
const PLACES = 10;

export interface ExplodedLine {
  level: number;
  /** Item codes from the exploded product down to this component. */
  path: string[];
  bom: RecordView;
  component: string;
  quantity: Fraction;
  uom: string;
  operation: string | null;
  /** Whether the component has a BOM in force that day (it was exploded further). */
  hasBom: boolean;
}

export interface Explosion {
  product: string;
  quantity: string;
  uom: string;
  day: string;
  lines: ExplodedLine[];
}

export interface Usage {
  level: number;
  bom: RecordView;
  product: string;
  component: string;
  quantity: string;
  uom: string;
}

/** An exact quantity as a decimal: exactly when it terminates, else rounded half up to 10 places. */
export function decimalOf(value: Fraction): string {
  const places = decimalsOf(value);
  if (places !== undefined) return toDecimalString(value, places);
  return toDecimalString(roundToStep(value, new Fraction(1n, 10n ** BigInt(PLACES)), 'HALF_UP'), PLACES);
}

export const dayOf = (moment: Date): string => moment.toISOString().slice(0, 10);

/** Of two BOMs of one product in force on a day: the variant's own first, then the latest validFrom. */
function preferred(a: RecordView, b: RecordView): boolean {
  const variant = Number(a.data.allVariants === true) - Number(b.data.allVariants === true);
  if (variant !== 0) return variant < 0;
  return String(a.data.validFrom) > String(b.data.validFrom);
}

export class BomStructure {
  private readonly records: RecordsService;

  constructor(records: RecordsService) {
    this.records = records;
  }

  /** Every live record of a domain matching a payload containment, as of a moment. */
  private async allLive(ctx: CallContext, filter: ListFilter): Promise<RecordView[]> {
    const out: RecordView[] = [];
    let after: [string, string, string] | undefined;
    for (;;) {
      const { items } = await this.records.list(ctx, { ...filter, status: 'ACTIVE' }, { limit: 500, after });
      out.push(...items.slice(0, 500));
      if (items.length <= 500) return out;
      const last = items[499];
      after = [last.storedKey, last.keyScope, last.id];
    }
  }

  /**
   * The BOM in force on `day` of each product (as of `asOf`): one statement per 100 products, so an
   * explosion or a where-used costs one per level, not one per item.
   */
  async bomsOf(
    ctx: CallContext,
    products: readonly string[],
    day: string,
    asOf: Date | undefined,
  ): Promise<Map<string, RecordView>> {
    const out = new Map<string, RecordView>();
    const unique = [...new Set(products)];
    for (let i = 0; i < unique.length; i += PER_STATEMENT) {
      const chunk = unique.slice(i, i + PER_STATEMENT);
      const boms = await this.allLive(ctx, {
        domain: 'bom',
        asOf,
        dataContainsAny: chunk.map((product) => ({ product })),
      });
      for (const bom of boms) {
        if (bom.data.active === false || !inForceOn(bom.data, day)) continue;
        const product = String(bom.data.product);
        const best = out.get(product);
        if (!best || preferred(bom, best)) out.set(product, bom);
      }
    }
    return out;
  }

  /** The BOM of a product in force on `day` (as of `asOf`), or null. */
  async bomOf(
    ctx: CallContext,
    product: string,
    day: string,
    asOf: Date | undefined,
  ): Promise<RecordView | null> {
    return (await this.bomsOf(ctx, [product], day, asOf)).get(product) ?? null;
  }

  /** The BOM of every item below `root`, level by level (one statement per level), null for none. */
  private async structureBelow(
    ctx: CallContext,
    product: string,
    root: RecordView,
    day: string,
    asOf: Date | undefined,
  ): Promise<Map<string, RecordView | null>> {
    const bomOfItem = new Map<string, RecordView | null>([[product, root]]);
    let frontier = [root];
    for (let depth = 0; frontier.length > 0 && depth < MAX_BOM_DEPTH; depth++) {
      const wanted = [
        ...new Set(frontier.flatMap((b) => linesOf(b.data).map((l) => String(l.component)))),
      ].filter((c) => !bomOfItem.has(c));
      const found = await this.bomsOf(ctx, wanted, day, asOf);
      frontier = [];
      for (const item of wanted) {
        const bom = found.get(item) ?? null;
        bomOfItem.set(item, bom);
        if (bom) frontier.push(bom);
      }
    }
    return bomOfItem;
  }

  /** Ratio of each unit (exact), loaded once per explosion. */
  private unitRatios(ctx: CallContext, asOf: Date | undefined) {
    const cache = new Map<string, Promise<{ dimension: string; ratio: Fraction } | null>>();
    return (code: string) => {
      let found = cache.get(code);
      if (!found) {
        found = this.records.recordsByKeys(ctx, 'uom', [{ key: code }], asOf).then(([u]) => {
          const ratio = u ? parseRational(String(u.data.ratio)) : undefined;
          return u && ratio ? { dimension: String(u.data.dimension), ratio } : null;
        });
        cache.set(code, found);
      }
      return found;
    };
  }

  /**
   * Explodes `quantity` `uom` of `product` through every level of BOMs in force on the day of `on`,
   * reading the records as of `asOf` (default: now).
   */
  async explode(
    ctx: CallContext,
    input: { product: string; quantity: string; uom?: string; on: Date; asOf?: Date },
  ): Promise<Explosion> {
    const qty = parseDecimal(input.quantity);
    if (!qty || qty.s < 0n)
      throw new CanonError('BAD_USER_INPUT', `"${input.quantity}" is not a non-negative decimal.`, {
        path: ['quantity'],
      });
    const day = dayOf(input.on);
    const root = await this.bomOf(ctx, input.product, day, input.asOf);
    if (!root)
      throw new CanonError('NOT_FOUND', `No live BOM of ${input.product} is in force on ${day}.`, {
        path: ['product'],
      });
    const bomOfItem = await this.structureBelow(ctx, input.product, root, day, input.asOf);
    const ratio = this.unitRatios(ctx, input.asOf);
    const uom = input.uom ?? String(root.data.uom);
    const lines: ExplodedLine[] = [];
    const walk = async (bom: RecordView, amount: Fraction, unit: string, path: string[]) => {
      if (path.length > MAX_BOM_DEPTH) return;
      const perBom = await this.inBomUnits(ratio, amount, unit, bom.data);
      for (const line of linesOf(bom.data)) {
        const component = String(line.component);
        const quantity = perBom.mul(parseDecimal(String(line.quantity)) ?? 0);
        const sub = path.includes(component) ? null : (bomOfItem.get(component) ?? null);
        lines.push({
          level: path.length,
          path: [...path, component],
          bom,
          component,
          quantity,
          uom: String(line.uom),
          operation: typeof line.operation === 'string' ? line.operation : null,
          hasBom: sub !== null,
        });
        if (lines.length > MAX_EXPLODED_LINES)
          throw new CanonError(
            'BAD_USER_INPUT',
            `The explosion passes ${MAX_EXPLODED_LINES} lines: explode a sub-assembly instead.`,
            { path: ['product'] },
          );
        if (sub) await walk(sub, quantity, String(line.uom), [...path, component]);
      }
    };
    await walk(root, qty, uom, [input.product]);
    return { product: input.product, quantity: input.quantity, uom, day, lines };
  }

  /** `amount` of `unit` in multiples of the BOM's own quantity (its lines are per that quantity). */
  private async inBomUnits(
    ratio: ReturnType<BomStructure['unitRatios']>,
    amount: Fraction,
    unit: string,
    bom: Data,
  ): Promise<Fraction> {
    const bomQuantity = parseDecimal(String(bom.quantity));
    if (!bomQuantity || bomQuantity.n === 0n)
      throw new CanonError('INVALID_STATE', `BOM ${String(bom.code)} makes no quantity.`);
    let inBomUnit = amount;
    if (unit !== bom.uom) {
      const [from, to] = await Promise.all([ratio(unit), ratio(String(bom.uom))]);
      if (!from)
        throw new CanonError('NOT_FOUND', `No live unit of measure has the code ${unit}.`, { path: ['uom'] });
      if (!to || from.dimension !== to.dimension)
        throw new CanonError(
          'UOM_DIMENSION_MISMATCH',
          `${unit} does not convert to ${String(bom.uom)}, the unit of BOM ${String(bom.code)}.`,
          { path: ['uom'] },
        );
      inBomUnit = amount.mul(from.ratio).div(to.ratio);
    }
    return inBomUnit.div(bomQuantity);
  }

  /**
   * The BOMs that use `item`, level by level up to `maxLevels`: level 1 contains it, level 2 contains
   * the product of a level-1 BOM, and so on. `inForceOn` keeps only revisions in force that day.
   */
  async whereUsed(
    ctx: CallContext,
    input: { item: string; asOf?: Date; inForceOn?: Date; maxLevels: number },
  ): Promise<Usage[]> {
    const usages: Usage[] = [];
    const seen = new Set<string>();
    const reached = new Set<string>([input.item]);
    let level = [input.item];
    const day = input.inForceOn ? dayOf(input.inForceOn) : undefined;
    for (let depth = 1; depth <= input.maxLevels && level.length > 0; depth++) {
      const next: string[] = [];
      const wanted = new Set(level);
      for (let i = 0; i < level.length; i += PER_STATEMENT) {
        const boms = await this.allLive(ctx, {
          domain: 'bom',
          asOf: input.asOf,
          dataContainsAny: level
            .slice(i, i + PER_STATEMENT)
            .map((item) => ({ lines: [{ component: item }] })),
        });
        for (const bom of boms) {
          if (day && !inForceOn(bom.data, day)) continue;
          for (const line of linesOf(bom.data)) {
            const item = String(line.component);
            const id = `${bom.id}\u0000${item}`;
            if (!wanted.has(item) || seen.has(id)) continue;
            seen.add(id);
            usages.push({
              level: depth,
              bom,
              product: String(bom.data.product),
              component: item,
              quantity: String(line.quantity),
              uom: String(line.uom),
            });
          }
          const product = String(bom.data.product);
          if (!reached.has(product)) {
            reached.add(product);
            next.push(product);
          }
        }
      }
      level = next;
    }
    return usages;
  }
}
