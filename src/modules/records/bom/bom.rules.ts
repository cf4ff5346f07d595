/**
 * bom: components and units that exist and are live (the generic reference check), units of the
 * product's and each component's dimension, quantities above zero, operations of its routing, no
 * revision of the same product in force on the same day, and no cycle: an item never contains itself,
 * through any number of levels of the live BOMs.
 */
import type { Data, DomainRules, Finding, LiveRecord, RuleContext } from '../domain-rules.ts';
import { globalCodeKey, referenceTo, str } from '../domain-rules.ts';
import { parseDecimal } from '../uom/rational.ts';
import { effectivityFindings } from './effectivity.ts';

/** Levels a cycle search follows; deeper structures are refused as a likely modelling error. */
export const MAX_BOM_DEPTH = 50;

interface Line {
  component?: unknown;
  quantity?: unknown;
  uom?: unknown;
  operation?: unknown;
}

export const linesOf = (d: Data): Line[] =>
  Array.isArray(d.lines)
    ? (d.lines as unknown[]).filter((l): l is Line => typeof l === 'object' && l !== null)
    : [];

const ref = referenceTo;

/** Looks each key up once per check (a BOM names the same unit on many lines). */
function memoLive(ctx: RuleContext) {
  const seen = new Map<string, Promise<LiveRecord | null>>();
  return (domain: string, key: string) => {
    const k = `${domain}\u0000${key}`;
    let found = seen.get(k);
    if (!found) {
      found = ctx.findLive(domain, key);
      seen.set(k, found);
    }
    return found;
  };
}

async function unitFindings(live: ReturnType<typeof memoLive>, data: Data): Promise<Finding[]> {
  const findings: Finding[] = [];
  const dimensionOf = async (uom: unknown) =>
    typeof uom === 'string' ? ((await live('uom', uom))?.data.dimension as string | undefined) : undefined;
  const check = async (itemKey: unknown, uom: unknown, path: string, what: string) => {
    if (typeof itemKey !== 'string') return;
    const item = await live('item', itemKey);
    const [mine, its] = await Promise.all([dimensionOf(uom), dimensionOf(item?.data.uom)]);
    if (mine && its && mine !== its)
      findings.push({
        code: 'UOM_DIMENSION_MISMATCH',
        rule: 'bom.uom-dimension',
        path,
        message: `${String(uom)} measures ${mine}; ${what} ${itemKey} is counted in ${String(item?.data.uom)} (${its}).`,
      });
  };
  await check(data.product, data.uom, '/uom', 'the product');
  await Promise.all(
    linesOf(data).map((l, i) => check(l.component, l.uom, `/lines/${i}/uom`, 'the component')),
  );
  return findings;
}

function quantityFindings(data: Data): Finding[] {
  const positive = (q: unknown) => typeof q === 'string' && (parseDecimal(q)?.n ?? 0n) > 0n;
  const findings: Finding[] = [];
  if (!positive(data.quantity))
    findings.push({
      code: 'CONTRACT_VALIDATION_FAILED',
      rule: 'bom.quantity-positive',
      path: '/quantity',
      message: 'A BOM makes a quantity above zero.',
    });
  linesOf(data).forEach((l, i) => {
    if (!positive(l.quantity))
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        rule: 'bom.quantity-positive',
        path: `/lines/${i}/quantity`,
        message: 'A component is needed in a quantity above zero.',
      });
  });
  return findings;
}

async function operationFindings(live: ReturnType<typeof memoLive>, data: Data): Promise<Finding[]> {
  const lines = linesOf(data);
  if (!lines.some((l) => typeof l.operation === 'string')) return [];
  const routing = str(data.routing) ? await live('routing', String(data.routing)) : null;
  const known = new Set(
    (Array.isArray(routing?.data.operations) ? (routing.data.operations as Data[]) : []).map((o) =>
      String(o.code),
    ),
  );
  const findings: Finding[] = [];
  lines.forEach((l, i) => {
    if (typeof l.operation !== 'string') return;
    if (!str(data.routing) || (routing && !known.has(l.operation)))
      findings.push({
        code: 'REFERENCE_NOT_FOUND',
        rule: 'bom.line-operation',
        path: `/lines/${i}/operation`,
        message: str(data.routing)
          ? `Routing ${String(data.routing)} has no operation ${l.operation}.`
          : `The line names operation ${l.operation}, but the BOM has no routing.`,
      });
  });
  return findings;
}

/**
 * The path by which `product` would contain itself (`[product, …, product]`), or null: a
 * breadth-first walk down the live BOMs of the components, level by level (this BOM's own current
 * revision left out: the proposal replaces it). Deeper than MAX_BOM_DEPTH answers a path as long.
 */
export async function cycleThrough(
  ctx: RuleContext,
  product: string,
  components: string[],
  recordId: string | null,
): Promise<string[] | null> {
  if (components.includes(product)) return [product, product];
  // who first led to each item: the path back to the product
  const via = new Map<string, string>(components.map((c) => [c, product]));
  const pathTo = (item: string) => {
    const path = [item];
    for (let at = via.get(item); at !== undefined && at !== product; at = via.get(at)) path.unshift(at);
    return [product, ...path, product];
  };
  let level = [...new Set(components)];
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > MAX_BOM_DEPTH) return pathTo(level[0]);
    const next: string[] = [];
    // the whole level in one statement: a wide BOM costs what a narrow one does
    const boms = await ctx.findLiveMatching(
      'bom',
      level.map((item) => ({ product: item })),
      recordId,
    );
    for (const bom of boms) {
      const item = String(bom.data.product);
      for (const line of linesOf(bom.data)) {
        const child = str(line.component);
        if (!child) continue;
        if (child === product) return pathTo(item);
        if (via.has(child)) continue;
        via.set(child, item);
        next.push(child);
      }
    }
    level = next;
  }
  return null;
}

export const bomRules: DomainRules = {
  domain: 'bom',
  ...globalCodeKey,
  keyFields: [...globalCodeKey.keyFields],
  // cycles and effectivity read other BOMs and routings: their writers go one at a time
  structureLock: 'bom',
  references: (d) => [
    ...ref('/product', 'item', d.product),
    ...ref('/uom', 'uom', d.uom),
    ...ref('/routing', 'routing', d.routing),
    ...linesOf(d).flatMap((l, i) => [
      ...ref(`/lines/${i}/component`, 'item', l.component),
      ...ref(`/lines/${i}/uom`, 'uom', l.uom),
    ]),
  ],
  async check(ctx, data, _previous, recordId) {
    const live = memoLive(ctx);
    const findings: Finding[] = [...quantityFindings(data)];
    findings.push(...(await unitFindings(live, data)));
    findings.push(...(await operationFindings(live, data)));
    findings.push(...(await effectivityFindings(ctx, 'bom', data, recordId)));
    const product = str(data.product);
    const components = linesOf(data).flatMap((l) => (typeof l.component === 'string' ? [l.component] : []));
    if (product) {
      const cycle = await cycleThrough(ctx, product, components, recordId);
      if (cycle)
        findings.push({
          code: 'CONTRACT_VALIDATION_FAILED',
          rule: 'bom.no-cycle',
          path: `/lines/${Math.max(0, components.indexOf(cycle[1]))}/component`,
          message:
            cycle.length > MAX_BOM_DEPTH + 2
              ? `BOMs nest at most ${MAX_BOM_DEPTH} levels deep.`
              : `${product} would contain itself: ${cycle.join(' → ')}.`,
        });
    }
    return findings;
  },
};
