/** Items over GraphQL: the `Item` type with its units (loaded in batches) and lookups. */
import { builder } from '../../../graphql/builder.ts';
import { domainConnection, RecordInterface, recordNodeOptions, str, type View } from '../record.graphql.ts';
import { ItemTypeEnum, TrackingEnum } from '../record-enums.ts';
import { keyRef, loadByKeys } from '../record-loaders.ts';
import { codeLookup } from '../record-lookups.ts';
import { UomRef } from '../uom/uom.graphql.ts';

export const ItemRef = builder.node(builder.objectRef<View>('Item'), {
  description: 'An item (Odoo: product.product).',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'item',
  ...recordNodeOptions('item'),
  fields: (t) => ({
    code: t.string({ description: 'The key (Odoo: default_code).', resolve: (v) => String(v.data.code) }),
    name: t.string({ description: 'Display name.', resolve: (v) => String(v.data.name) }),
    type: t.field({
      type: ItemTypeEnum,
      description: 'goods, service or consumable.',
      resolve: (v) => String(v.data.type),
    }),
    stocked: t.boolean({ description: 'Whether stock is kept.', resolve: (v) => v.data.stocked === true }),
    tracking: t.field({
      type: TrackingEnum,
      description: 'none, lot or serial.',
      resolve: (v) => String(v.data.tracking),
    }),
    barcode: t.string({ nullable: true, description: 'GTIN.', resolve: (v) => str(v.data.barcode) }),
    categoryPath: t.stringList({
      nullable: true,
      description: 'Category from the top.',
      resolve: (v) => (Array.isArray(v.data.categoryPath) ? (v.data.categoryPath as string[]) : null),
    }),
    active: t.boolean({ description: 'false: archived.', resolve: (v) => v.data.active !== false }),
    uom: t.loadable({
      type: UomRef,
      nullable: true,
      description: 'Its unit of measure.',
      load: loadByKeys,
      resolve: (v) => keyRef('uom', v.data.uom, v.asOf),
    }),
    purchaseUom: t.loadable({
      type: UomRef,
      nullable: true,
      description: 'The unit it is bought in (same dimension).',
      load: loadByKeys,
      resolve: (v) => keyRef('uom', v.data.purchaseUom, v.asOf),
    }),
  }),
});

builder.queryFields((t) => ({
  items: domainConnection('item', ItemRef, 'Items, by code.')(t),
  item: codeLookup('item', ItemRef, 'An item')(t),
}));
