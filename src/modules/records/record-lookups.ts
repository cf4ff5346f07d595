/**
 * Lookups of one record of a built-in domain by id or business key (`item(code:)`, `uom(id:)`): the
 * record as of a moment, null when there is none, or a typed error in the field's result union.
 */
import { CanonError } from '../../errors.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { momentOf } from './as-of.ts';
import type { View } from './record.graphql.ts';

/** A lookup of one record of a built-in domain by id or business key; no such record is null. */
export async function oneByIdOrKey(
  ctx: GraphQLContext,
  domain: string,
  id: string | null | undefined,
  key: string | null | undefined,
  scope: string | undefined,
  asOf?: Date,
): Promise<View | null> {
  if (id && key)
    throw new CanonError('BAD_USER_INPUT', 'Give the id or the business key, not both.', { path: ['id'] });
  if (id) {
    const v = await ctx.services.records.record(ctx, id, asOf);
    return v && v.domain === domain ? { ...v, asOf } : null;
  }
  if (key) {
    const [view] = await ctx.services.records.recordsByKeys(ctx, domain, [{ key, scope }], asOf);
    return view ? { ...view, asOf } : null;
  }
  throw new CanonError('BAD_USER_INPUT', 'Give the id or the business key.', { path: ['id'] });
}

/** Options of a by-id-or-key lookup field: the record, null when none, or a typed error. */
export const lookupOptions = {
  nullable: true as const,
  authScopes: { authenticated: true },
  errors: { ...canonErrors, directResult: true },
};

/**
 * The lookup of a built-in domain whose key is a global `code` (uom, item, work-center):
 * `item(id, code, asOf)` — the record, null when none, or an error.
 */
export function codeLookup(domain: string, type: any, what: string) {
  return (t: any) =>
    t.field({
      type,
      ...lookupOptions,
      description: `${what} by id or code; null when there is none.`,
      args: {
        id: t.arg.id({ description: 'The record id.' }),
        code: t.arg.string({ description: 'The business key.' }),
        asOf: t.arg({ type: 'DateTime', description: 'Its value as of this moment (default now).' }),
        knownAt: t.arg({
          type: 'DateTime',
          description:
            'Transaction time: only what had been recorded by this moment (default: everything recorded so far). A read with the same asOf and knownAt answers the same later.',
        }),
      },
      resolve: (
        _r: unknown,
        a: { id?: string | number | null; code?: string | null; asOf?: Date | null; knownAt?: Date | null },
        ctx: GraphQLContext,
      ) =>
        oneByIdOrKey(ctx, domain, a.id ? String(a.id) : null, a.code, undefined, momentOf(a.asOf, a.knownAt)),
    });
}
