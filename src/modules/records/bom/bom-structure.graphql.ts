/**
 * BOM structure over GraphQL: `bomExplosion` (every component at every level for a quantity of a
 * product, on a day) and `bomWhereUsed` (every BOM containing an item, through any level). The BOMs
 * are `GoldenRecord`s (their type, `Bom`, comes from the bom contract: select `... on Bom`).
 */
import { CanonError } from '../../../errors.ts';
import { builder } from '../../../graphql/builder.ts';
import { connectionOf, encodeCursor, forwardPage, totalCountField } from '../../../graphql/cursors.ts';
import { canonErrors } from '../../../graphql/errors.ts';
import { ItemRef } from '../item/item.graphql.ts';
import { RecordInterface, type View } from '../record.graphql.ts';
import { keyRef, loadByKeys } from '../record-loaders.ts';
import { decimalOf, type ExplodedLine, type Explosion, type Usage } from './bom-structure.ts';

type Moment = { asOf?: Date };
type LineView = ExplodedLine & Moment;
type ExplosionView = Explosion & Moment;
type UsageView = Usage & Moment;

const USAGE_CURSOR = 'bom-usage';

const asView = (record: View, asOf: Date | undefined): View => ({ ...record, asOf });

const ExplodedLineRef = builder.objectRef<LineView>('ExplodedBomLine').implement({
  description: 'One component of an exploded BOM, at its level, with the quantity the whole explosion needs.',
  fields: (t) => ({
    level: t.exposeInt('level', { description: '1: a component of the product; 2: of a sub-assembly; …' }),
    path: t.exposeStringList('path', {
      description: 'Item codes from the exploded product down to this component.',
    }),
    componentCode: t.exposeString('component', { description: 'Code of the component item.' }),
    component: t.loadable({
      type: ItemRef,
      nullable: true,
      description: 'The component item (null if it is no longer live at that moment).',
      load: loadByKeys,
      resolve: (l) => keyRef('item', l.component, l.asOf),
    }),
    quantity: t.field({
      type: 'Decimal',
      description:
        'How much of it the requested quantity needs, in uom: exact (rounded half up at 10 places only when it does not terminate).',
      resolve: (l) => decimalOf(l.quantity),
    }),
    exactQuantity: t.string({
      description: 'The same quantity as an exact fraction, e.g. "10/3".',
      resolve: (l) => l.quantity.toFraction(),
    }),
    uom: t.exposeString('uom', { description: 'Unit code of quantity (the BOM line’s unit).' }),
    operation: t.exposeString('operation', {
      nullable: true,
      description: 'The routing operation that consumes it.',
    }),
    hasBom: t.exposeBoolean('hasBom', {
      description:
        'Whether the component has a BOM in force that day (its own components follow at the next level).',
    }),
    bom: t.field({
      type: RecordInterface,
      description: 'The BOM revision this line comes from (a Bom).',
      resolve: (l) => asView(l.bom as View, l.asOf),
    }),
  }),
});

const ExplosionRef = builder.objectRef<ExplosionView>('BomExplosion').implement({
  description: 'A product exploded through every level of the BOMs in force on a day.',
  fields: (t) => ({
    productCode: t.exposeString('product', { description: 'Code of the exploded product.' }),
    quantity: t.field({ type: 'Decimal', description: 'The quantity exploded.', resolve: (e) => e.quantity }),
    uom: t.exposeString('uom', { description: 'Its unit (default: the unit of the product’s BOM).' }),
    day: t.field({
      type: 'Date',
      description: 'The day whose BOM revisions were used.',
      resolve: (e) => e.day,
    }),
    lines: t.field({
      type: [ExplodedLineRef],
      description: 'Every component, depth first in BOM line order.',
      resolve: (e) => e.lines.map((l) => ({ ...l, asOf: e.asOf })),
    }),
  }),
});

const UsageRef = builder.objectRef<UsageView>('BomUsage').implement({
  description: 'A BOM that uses an item: directly (level 1) or through the sub-assemblies above it.',
  fields: (t) => ({
    level: t.exposeInt('level', {
      description: '1: the BOM contains the item; 2: it contains a level-1 product; …',
    }),
    productCode: t.exposeString('product', { description: 'Code of the product the BOM makes.' }),
    componentCode: t.exposeString('component', {
      description: 'The item of the chain this BOM contains (the asked item at level 1).',
    }),
    quantity: t.field({
      type: 'Decimal',
      description: 'Quantity per the BOM’s quantity.',
      resolve: (u) => u.quantity,
    }),
    uom: t.exposeString('uom', { description: 'Unit code of quantity.' }),
    bom: t.field({
      type: RecordInterface,
      description: 'The BOM revision (a Bom).',
      resolve: (u) => asView(u.bom as View, u.asOf),
    }),
  }),
});

builder.queryFields((t) => ({
  bomExplosion: t.field({
    type: ExplosionRef,
    nullable: true,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      'Explodes a quantity of a product through every level of the live BOMs in force on a day (NOT_FOUND when it has none then).',
    args: {
      product: t.arg.string({ required: true, description: 'Code of the product item.' }),
      quantity: t.arg({ type: 'Decimal', defaultValue: '1', description: 'How much of it (default 1).' }),
      uom: t.arg.string({ description: 'Unit of quantity (default: the unit of its BOM).' }),
      on: t.arg({ type: 'DateTime', description: 'The day whose revisions apply (default today).' }),
      asOf: t.arg({ type: 'DateTime', description: 'The records as of this moment (default now).' }),
    },
    resolve: async (_r, a, ctx) => {
      const on = a.on ?? new Date();
      const asOf = a.asOf ?? undefined;
      const explosion = await ctx.services.records.bomStructure.explode(ctx, {
        product: a.product,
        quantity: a.quantity ?? '1',
        uom: a.uom ?? undefined,
        on,
        asOf,
      });
      return { ...explosion, asOf };
    },
  }),
  bomWhereUsed: t.connection(
    {
      type: UsageRef,
      authScopes: { authenticated: true },
      description:
        'The BOMs that use an item, directly or through any number of sub-assembly levels: level by level, in key order within a level.',
      args: {
        item: t.arg.string({ required: true, description: 'Code of the item.' }),
        asOf: t.arg({ type: 'DateTime', description: 'The records as of this moment (default now).' }),
        inForceOn: t.arg({ type: 'DateTime', description: 'Only BOM revisions in force on this day.' }),
        maxLevels: t.arg.int({ defaultValue: 20, description: 'How many levels up (1 to 50, default 20).' }),
      },
      resolve: async (_r, a, ctx) => {
        const page = forwardPage<[number]>(a, USAGE_CURSOR, { defaultSize: 100, maxSize: 1000 });
        const maxLevels = a.maxLevels ?? 20;
        if (maxLevels < 1 || maxLevels > 50)
          throw new CanonError('BAD_USER_INPUT', 'maxLevels is 1 to 50.', { path: ['maxLevels'] });
        const asOf = a.asOf ?? undefined;
        const usages = await ctx.services.records.bomStructure.whereUsed(ctx, {
          item: a.item,
          asOf,
          inForceOn: a.inForceOn ?? undefined,
          maxLevels,
        });
        // the walk is answered whole and paged here: its order is stable for the same records
        const from = page.after ? page.after[0] + 1 : 0;
        const rows = usages
          .slice(from, from + page.limit + 1)
          .map((u, i) => ({ ...u, asOf, index: from + i }));
        return connectionOf(rows, page.limit, (u) => encodeCursor(USAGE_CURSOR, [u.index]), {
          hasPreviousPage: from > 0,
          totalCount: async () => usages.length,
        });
      },
    },
    {
      name: 'BomUsageConnection',
      description: 'A page of the BOMs that use an item.',
      fields: totalCountField,
    },
    { name: 'BomUsageEdge', description: 'One BOM that uses the item, with its cursor.' },
  ),
}));
