/** How CLI commands print: aligned tables for people, every page of a list fetched for them. */
import type { Transport } from './transport.ts';

/** Prints rows under a header, columns padded to their widest cell (no table when there are no rows). */
export function printTable(header: string[], rows: (string | number | null | undefined)[][]): void {
  if (rows.length === 0) {
    console.log('(none)');
    return;
  }
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  for (const r of cells)
    console.log(
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    );
}

/** Every row of a root connection (`field(first, after)`), page after page. */
export async function allPages<T>(
  t: Transport,
  field: string,
  nodeFields: string,
  args: { declare?: string; pass?: string; variables?: Record<string, unknown> } = {},
): Promise<T[]> {
  const rows: T[] = [];
  let after: string | null = null;
  for (;;) {
    const data: Record<string, any> = await t.call(
      `query($after: String${args.declare ?? ''}) { ${field}(first: 100, after: $after${args.pass ?? ''}) {
         edges { node { ${nodeFields} } } pageInfo { hasNextPage endCursor } } }`,
      { after, ...args.variables },
    );
    const page = data[field] as {
      edges: { node: T }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    rows.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return rows;
    after = page.pageInfo.endCursor;
  }
}
