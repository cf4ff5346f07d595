/** `canon bom explode | where-used`: a product's multi-level BOM and an item's users, on the database or through a running Canon. */
import type { Command } from 'commander';
import { dateTime, positiveInt, type RemoteFlags, remoteOptions } from './options.ts';

export function addBomCommands(program: Command): void {
  const bom = program.command('bom').description('bills of materials: explosion and where-used');
  remoteOptions(
    bom
      .command('explode <product>')
      .description('every component at every level for a quantity of the product, on a day')
      .option('--quantity <decimal>', 'how much of the product (default 1)')
      .option('--uom <code>', 'unit of the quantity (default: the unit of its BOM)')
      .option('--on <time>', 'the day whose BOM revisions apply (default today)', dateTime)
      .option('--as-of <time>', 'the records as of this moment (default now)', dateTime),
  ).action(
    async (
      product: string,
      opts: RemoteFlags & { quantity?: string; uom?: string; on?: string; asOf?: string },
    ) => {
      const { withTransport } = await import('./transport.ts');
      const { printTable } = await import('./output.ts');
      const { CanonError } = await import('../errors.ts');
      await withTransport(opts, 'canon bom explode', async (t) => {
        const data = await t.call(
          `query($p: String!, $q: Decimal, $u: String, $on: DateTime, $asOf: DateTime) {
             bomExplosion(product: $p, quantity: $q, uom: $u, on: $on, asOf: $asOf) {
               ... on BomExplosion { productCode quantity uom day
                 lines { level path componentCode quantity exactQuantity uom operation hasBom bom { key } } }
               ... on Error { code message } } }`,
          { p: product, q: opts.quantity, u: opts.uom, on: opts.on, asOf: opts.asOf },
        );
        const result = data.bomExplosion;
        if (result.code) throw new CanonError(result.code as never, result.message);
        if (opts.json) return console.log(JSON.stringify(result));
        console.log(
          `${result.quantity} ${result.uom} of ${result.productCode}, BOMs in force on ${result.day}:`,
        );
        printTable(
          ['LEVEL', 'COMPONENT', 'QUANTITY', 'UOM', 'OPERATION', 'BOM', 'EXPLODED'],
          result.lines.map((l: Record<string, any>) => [
            l.level,
            `${'  '.repeat(l.level - 1)}${l.componentCode}`,
            l.quantity,
            l.uom,
            l.operation ?? '',
            l.bom.key,
            l.hasBom ? 'yes' : '',
          ]),
        );
      });
    },
  );
  remoteOptions(
    bom
      .command('where-used <item>')
      .description('every BOM that contains the item, directly or through sub-assemblies')
      .option('--max-levels <n>', 'how many levels up (default 20, at most 50)', positiveInt)
      .option('--in-force-on <time>', 'only BOM revisions in force on this day', dateTime)
      .option('--as-of <time>', 'the records as of this moment (default now)', dateTime),
  ).action(
    async (item: string, opts: RemoteFlags & { maxLevels?: number; inForceOn?: string; asOf?: string }) => {
      const { withTransport } = await import('./transport.ts');
      const { printTable } = await import('./output.ts');
      await withTransport(opts, 'canon bom where-used', async (t) => {
        const usages: Record<string, any>[] = [];
        let after: string | null = null;
        for (;;) {
          const data: Record<string, any> = await t.call(
            `query($i: String!, $m: Int, $f: DateTime, $asOf: DateTime, $after: String) {
               bomWhereUsed(item: $i, maxLevels: $m, inForceOn: $f, asOf: $asOf, first: 1000, after: $after) {
                 edges { node { level productCode componentCode quantity uom bom { key } } } pageInfo { hasNextPage endCursor } } }`,
            { i: item, m: opts.maxLevels, f: opts.inForceOn, asOf: opts.asOf, after },
          );
          usages.push(...data.bomWhereUsed.edges.map((e: { node: unknown }) => e.node));
          if (!data.bomWhereUsed.pageInfo.hasNextPage) break;
          after = data.bomWhereUsed.pageInfo.endCursor;
        }
        if (opts.json) return console.log(JSON.stringify(usages));
        printTable(
          ['LEVEL', 'BOM', 'PRODUCT', 'CONTAINS', 'QUANTITY', 'UOM'],
          usages.map((u) => [u.level, u.bom.key, u.productCode, u.componentCode, u.quantity, u.uom]),
        );
      });
    },
  );
}
