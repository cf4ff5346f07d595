/** Units of measure over GraphQL: the `Uom` type with its Odoo fields, lookups and exact conversion. */
import { builder } from '../../../graphql/builder.ts';
import { canonErrors } from '../../../graphql/errors.ts';
import { domainConnection, RecordInterface, recordNodeOptions, str, type View } from '../record.graphql.ts';
import { RoundingMethodEnum, UomDimensionEnum } from '../record-enums.ts';
import { codeLookup } from '../record-lookups.ts';
import { type Conversion, odooFields, type UnitFacts } from './uom-conversion.ts';

const OdooUomRef = builder.objectRef<ReturnType<typeof odooFields>>('OdooUomFields').implement({
  description: "The unit's Odoo 17/18 uom.uom fields (factor = 1/ratio).",
  fields: (t) => ({
    factor: t.exposeString('factor', {
      description: 'Odoo factor: reference units per this unit, inverted.',
    }),
    factorInv: t.exposeString('factorInv', { description: 'Odoo factor_inv (= ratio).' }),
    uomType: t.exposeString('uomType', { description: 'reference, bigger or smaller.' }),
  }),
});

export const UomRef = builder.node(builder.objectRef<View>('Uom'), {
  description: 'A unit of measure.',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'uom',
  ...recordNodeOptions('uom'),
  fields: (t) => ({
    code: t.string({
      description: 'The key: UN/ECE Rec 20 common code for standard units.',
      resolve: (v) => String(v.data.code),
    }),
    name: t.string({ description: 'Display name.', resolve: (v) => String(v.data.name) }),
    symbol: t.string({ nullable: true, description: 'Symbol, e.g. kg.', resolve: (v) => str(v.data.symbol) }),
    rec20: t.string({
      nullable: true,
      description: 'The Rec 20 code, when standard.',
      resolve: (v) => str(v.data.rec20),
    }),
    dimension: t.field({
      type: UomDimensionEnum,
      description: 'What it measures.',
      resolve: (v) => String(v.data.dimension),
    }),
    ratio: t.string({
      description: "How many of the dimension's reference unit one of this unit is (exact rational).",
      resolve: (v) => String(v.data.ratio),
    }),
    rounding: t.field({
      type: 'Decimal',
      description: 'Rounding step.',
      resolve: (v) => String(v.data.rounding),
    }),
    active: t.boolean({ description: 'false: archived.', resolve: (v) => v.data.active !== false }),
    odoo: t.field({
      type: OdooUomRef,
      description: 'The same unit as Odoo 17/18 stores it.',
      resolve: (v) => odooFields(v.data as unknown as UnitFacts),
    }),
  }),
});

const ConversionRef = builder.objectRef<Conversion>('Conversion').implement({
  description: 'A converted quantity.',
  fields: (t) => ({
    quantity: t.field({
      type: 'Decimal',
      description: "Rounded to the target unit's step.",
      resolve: (c) => c.quantity,
    }),
    exact: t.exposeString('exact', { description: 'The exact result before rounding, as a fraction.' }),
    from: t.exposeString('from', { description: 'The unit converted from.' }),
    to: t.exposeString('to', { description: 'The unit converted to.' }),
    rounding: t.field({
      type: RoundingMethodEnum,
      description: 'The rounding applied.',
      resolve: (c) => c.rounding,
    }),
  }),
});

builder.queryFields((t) => ({
  uoms: domainConnection('uom', UomRef, 'Units of measure, by code.')(t),
  uom: codeLookup('uom', UomRef, 'A unit')(t),
  convertQuantity: t.field({
    type: ConversionRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      'Converts a quantity between two live units of one dimension, exactly, rounded to the target unit (UP by default, as Odoo 17/18).',
    args: {
      quantity: t.arg({ type: 'Decimal', required: true, description: 'The quantity.' }),
      from: t.arg.string({ required: true, description: 'Code of its unit.' }),
      to: t.arg.string({ required: true, description: 'Code of the target unit.' }),
      rounding: t.arg({ type: RoundingMethodEnum, description: 'Default UP.' }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.records.convertQuantity(ctx, a.quantity, a.from, a.to, a.rounding ?? 'UP'),
  }),
}));
