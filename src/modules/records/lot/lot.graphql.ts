import { momentOf } from '../as-of.ts';
/** Lots and serial numbers over GraphQL: the `Lot` type with its item and lookups. */

import { builder } from '../../../graphql/builder.ts';
import { ItemRef } from '../item/item.graphql.ts';
import { domainConnection, RecordInterface, recordNodeOptions, str, type View } from '../record.graphql.ts';
import { QualityStatusEnum } from '../record-enums.ts';
import { keyRef, loadByKeys } from '../record-loaders.ts';
import { lookupOptions, oneByIdOrKey } from '../record-lookups.ts';
import { lotKey } from './lot.rules.ts';

const instant = (v: unknown) => (typeof v === 'string' ? v : null);

export const LotRef = builder.node(builder.objectRef<View>('Lot'), {
  description: 'A lot or serial number (Odoo: stock.lot).',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'lot',
  ...recordNodeOptions('lot'),
  fields: (t) => ({
    number: t.string({ description: 'The lot or serial number.', resolve: (v) => String(v.data.number) }),
    itemCode: t.string({ description: 'Code of its item.', resolve: (v) => String(v.data.item) }),
    item: t.loadable({
      type: ItemRef,
      nullable: true,
      description: 'Its item.',
      load: loadByKeys,
      resolve: (v) => keyRef('item', v.data.item, v.asOf),
    }),
    supplierReference: t.string({
      nullable: true,
      description: "The supplier's lot number.",
      resolve: (v) => str(v.data.supplierReference),
    }),
    manufacturedOn: t.field({
      type: 'Date',
      nullable: true,
      description: 'Production date.',
      resolve: (v) => str(v.data.manufacturedOn),
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Expiration.',
      resolve: (v) => instant(v.data.expiresAt),
    }),
    bestBeforeAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Best before.',
      resolve: (v) => instant(v.data.bestBeforeAt),
    }),
    removalAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Remove from stock from.',
      resolve: (v) => instant(v.data.removalAt),
    }),
    alertAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Alert from.',
      resolve: (v) => instant(v.data.alertAt),
    }),
    qualityStatus: t.field({
      type: QualityStatusEnum,
      description: 'Quality decision (a lot starts in quarantine).',
      resolve: (v) => str(v.data.qualityStatus) ?? 'quarantine',
    }),
  }),
});

builder.queryFields((t) => ({
  lots: domainConnection('lot', LotRef, 'Lots and serial numbers, by item and number.')(t),
  lot: t.field({
    type: LotRef,
    ...lookupOptions,
    description: 'A lot by id, or by item code and number; null when there is none.',
    args: {
      id: t.arg.id({ description: 'The record id.' }),
      item: t.arg.string({ description: 'Code of the item.' }),
      number: t.arg.string({ description: 'The lot number.' }),
      asOf: t.arg({ type: 'DateTime', description: 'Its value as of this moment (default now).' }),
      knownAt: t.arg({
        type: 'DateTime',
        description:
          'Transaction time: only what had been recorded by this moment (default: everything recorded so far). A read with the same asOf and knownAt answers the same later.',
      }),
    },
    resolve: (_r, a, ctx) =>
      oneByIdOrKey(
        ctx,
        'lot',
        a.id ? String(a.id) : null,
        a.item && a.number ? lotKey(a.item, a.number) : null,
        undefined,
        momentOf(a.asOf, a.knownAt),
      ),
  }),
}));
