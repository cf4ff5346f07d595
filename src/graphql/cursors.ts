/**
 * Opaque keyset cursors: base64url of `<kind>:<json values>`. Clients never parse them; Canon checks
 * that a cursor belongs to the list it is sent to and refuses anything else as BAD_USER_INPUT.
 */
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { CanonError } from '../errors.ts';

export function encodeCursor(kind: string, values: readonly (string | number)[]): string {
  return Buffer.from(`${kind}:${JSON.stringify(values)}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, argument = 'after'): (string | number)[] {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (text.startsWith(`${kind}:`)) {
    try {
      const values = JSON.parse(text.slice(kind.length + 1));
      if (Array.isArray(values) && values.every((v) => typeof v === 'string' || typeof v === 'number'))
        return values;
    } catch {
      // refused below
    }
  }
  throw new CanonError('BAD_USER_INPUT', `"${cursor}" is not a cursor of this list.`, { path: [argument] });
}

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * The page a connection's arguments ask for. Canon's lists page forward (`first`, `after`): keyset
 * cursors stay valid while rows are inserted before or after them. `last`/`before` are refused.
 */
export function forwardPage<C extends (string | number)[]>(
  args: ConnectionArgs,
  kind: string,
  options: { defaultSize?: number; maxSize?: number } = {},
): { limit: number; after?: C } {
  const { defaultSize = 50, maxSize = 500 } = options;
  if (args.last != null || args.before != null)
    throw new CanonError('BAD_USER_INPUT', 'Lists page forward only: use first and after.', {
      path: [args.last != null ? 'last' : 'before'],
    });
  if (args.first != null && (!Number.isInteger(args.first) || args.first < 0 || args.first > maxSize))
    throw new CanonError('BAD_USER_INPUT', `first is 0 to ${maxSize}.`, { path: ['first'] });
  return {
    limit: args.first ?? defaultSize,
    after: args.after ? (decodeCursor(kind, args.after) as C) : undefined,
  };
}

/** A Relay connection page from rows fetched with one extra row (the extra one says there is more). */
export function connectionOf<T>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => string,
  options: { hasPreviousPage?: boolean; totalCount?: () => Promise<number> } = {},
) {
  const page = rows.slice(0, limit);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: options.hasPreviousPage ?? false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: options.totalCount,
  };
}

/**
 * A connection over a small list the service returns whole (contracts, systems, rules):
 * the cursor carries the row's sort key, so a page after it stays right while rows come and go.
 */
export function connectionOfSorted<T>(
  rows: T[],
  args: ConnectionArgs,
  kind: string,
  keyOf: (row: T) => string,
  descending = false,
) {
  const page = forwardPage<[string]>(args, kind, { defaultSize: 100, maxSize: 1000 });
  const after = page.after?.[0];
  // sorted here, by code units, so the order and the cursor comparison agree whatever the collation
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = descending ? [keyOf(b), keyOf(a)] : [keyOf(a), keyOf(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const rest =
    after === undefined ? sorted : sorted.filter((r) => (descending ? keyOf(r) < after : keyOf(r) > after));
  return connectionOf(rest.slice(0, page.limit + 1), page.limit, (r) => encodeCursor(kind, [keyOf(r)]), {
    hasPreviousPage: after !== undefined,
    totalCount: async () => rows.length,
  });
}

/** The `totalCount` field of a connection whose resolver gave a `totalCount` thunk. */
export const totalCountField = (c: any) => ({
  totalCount: c.int({
    description: 'How many there are over all pages.',
    resolve: (p: { totalCount: () => Promise<number> }) => p.totalCount(),
  }),
});

/** Rows found by id, lined up with the ids asked for (null where none): what node loaders return. */
export function inOrder<T>(ids: readonly string[], rows: T[], idOf: (row: T) => string): (T | null)[] {
  const byId = new Map(rows.map((r) => [idOf(r), r]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * Whether the field being resolved selects `name` directly (also through inline fragments and
 * fragment spreads): lets a list fetch its total in the same query only when it is asked for.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return inSet(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return inSet(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => inSet(node.selectionSet));
}
