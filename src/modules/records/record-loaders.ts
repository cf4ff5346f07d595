/** Batched loaders of golden records by business key (one query per domain and moment). */
import type { GraphQLContext } from '../../graphql/context.ts';
import { decodeMoment, encodeMoment } from './as-of.ts';
import { type View, withAsOf } from './record.graphql.ts';

export function groupBy<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k) ?? [];
    list.push(x);
    m.set(k, list);
  }
  return m;
}

/** Loads live records by business key: keys are JSON `[domain, scope | null, key, moment]` (keyRef). */
export async function loadByKeys(keys: string[], ctx: GraphQLContext): Promise<(View | null)[]> {
  const out = new Map<string, View | null>();
  const parsed = new Map(keys.map((k) => [k, JSON.parse(k) as [string, string | null, string, string]]));
  for (const [group, list] of groupBy(keys, (k) => JSON.stringify([parsed.get(k)![0], parsed.get(k)![3]]))) {
    const [domain, moment] = JSON.parse(group) as [string, string];
    const date = decodeMoment(moment);
    const specs = list.map((k) => {
      const [, scope, key] = parsed.get(k)!;
      return { key, scope: scope ?? undefined };
    });
    const views = withAsOf(await ctx.services.records.recordsByKeys(ctx, domain, specs, date), date);
    list.forEach((k, i) => {
      out.set(k, views[i]);
    });
  }
  return keys.map((k) => out.get(k) ?? null);
}

/** The loader key of a reference by business key, read at the referring record's moment. */
export const keyRef = (domain: string, key: unknown, asOf: Date | undefined, scope?: string) =>
  typeof key === 'string' ? JSON.stringify([domain, scope ?? null, key, encodeMoment(asOf)]) : null;
