/**
 * What the onboarding jobs' lists share (imports, reconciliations): newest-first keyset pages over
 * (createdAt, id), their Relay connections, and the id-cursor pages of a job's lines (an import's
 * report, a reconciliation's differences).
 */
import type { EntityClass, FilterQuery } from '@mikro-orm/core';
import { validate as isUuid } from 'uuid';
import type { Em } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import { connectionOf, encodeCursor, forwardPage } from '../../graphql/cursors.ts';

interface Dated {
  id: string;
  createdAt: Date;
}

/** A page of jobs, newest first, after a (createdAt, id) cursor; one more row when there are more. */
export function newestFirst<T extends Dated>(
  em: Em,
  entity: EntityClass<T>,
  page: { limit: number; after?: [string, string] },
): Promise<T[]> {
  const after = page.after;
  const at = after ? new Date(after[0]) : null;
  if (after && (Number.isNaN(at!.getTime()) || !isUuid(after[1])))
    throw new CanonError('BAD_USER_INPUT', 'The cursor is not one of this list.', { path: ['after'] });
  const where = after
    ? { $or: [{ createdAt: { $lt: at! } }, { createdAt: at!, id: { $lt: after[1] } }] }
    : {};
  return em.find(entity, where as FilterQuery<T>, {
    orderBy: { createdAt: 'desc', id: 'desc' } as never,
    limit: page.limit + 1,
  }) as Promise<T[]>;
}

/** The resolver of a newest-first connection of jobs. */
export function newestFirstConnection<T extends Dated, C>(
  cursorName: string,
  load: (ctx: C, page: { limit: number; after?: [string, string] }) => Promise<T[]>,
) {
  return async (_root: unknown, args: Record<string, unknown>, ctx: C) => {
    const page = forwardPage<[string, string]>(args as never, cursorName, { defaultSize: 20, maxSize: 100 });
    const rows = await load(ctx, page);
    return connectionOf(
      rows,
      page.limit,
      (j) => encodeCursor(cursorName, [j.createdAt.toISOString(), j.id]),
      {
        hasPreviousPage: Boolean(page.after),
      },
    );
  };
}

/** `first` (1–1,000, default 100) and `after` (a line id) of a job's lines. */
export function linesPage(args: { first?: number | null; after?: string | number | null }): {
  after?: string;
  limit: number;
} {
  const first = args.first ?? 100;
  if (first < 1 || first > 1000)
    throw new CanonError('BAD_USER_INPUT', 'first is 1 to 1000.', { path: ['first'] });
  const after = args.after ? String(args.after) : undefined;
  if (after !== undefined && !/^\d{1,18}$/.test(after))
    throw new CanonError('BAD_USER_INPUT', 'after is the id of a line already read.', { path: ['after'] });
  return { after, limit: first };
}
