/**
 * The standard units Odoo ships, as Canon uom records with their Rec 20 codes, loaded on first start.
 * Ratios follow Odoo's own definitions exactly — a unit Odoo defines by `factor` f gets ratio "1/f",
 * one defined by `factor_inv` g gets ratio "g" — so conversions give Odoo's results. Rounding is
 * Odoo's default step, 0.01.
 *
 * Odoo keeps its Hours, Days and Minutes in the "Working Time" category, where a day is 8 hours; Rec 20's
 * HUR, DAY and MIN are calendar time (a day of 24 hours). Canon keeps the two apart: the `time`
 * dimension holds the Rec 20 units, `working-time` holds Odoo's (codes WDAY, WHUR, WMIN, no Rec 20 code).
 */
export interface StandardUnit {
  code: string;
  name: string;
  symbol: string;
  rec20?: string;
  dimension: string;
  ratio: string;
  rounding: string;
  /** Odoo's xml id, for connectors. */
  odoo?: string;
}

const u = (
  code: string,
  name: string,
  symbol: string,
  dimension: string,
  ratio: string,
  odoo?: string,
  rec20: string | null = code,
): StandardUnit => ({
  code,
  name,
  symbol,
  ...(rec20 ? { rec20 } : {}),
  dimension,
  ratio,
  rounding: '0.01',
  ...(odoo ? { odoo } : {}),
});

export const STANDARD_UNITS: StandardUnit[] = [
  u('C62', 'Units', 'Units', 'count', '1', 'uom.product_uom_unit'),
  u('DZN', 'Dozens', 'Dozens', 'count', '12', 'uom.product_uom_dozen'),
  u('KGM', 'kg', 'kg', 'mass', '1', 'uom.product_uom_kgm'),
  u('GRM', 'g', 'g', 'mass', '1/1000', 'uom.product_uom_gram'),
  u('TNE', 't', 't', 'mass', '1000', 'uom.product_uom_ton'),
  u('LBR', 'lb', 'lb', 'mass', '1/2.20462', 'uom.product_uom_lb'),
  u('ONZ', 'oz', 'oz', 'mass', '1/35.274', 'uom.product_uom_oz'),
  u('WDAY', 'Days', 'days', 'working-time', '1', 'uom.product_uom_day', null),
  u('WHUR', 'Hours', 'h', 'working-time', '1/8', 'uom.product_uom_hour', null),
  u('WMIN', 'Minutes', 'min', 'working-time', '1/480', 'uom.product_uom_minute', null),
  u('HUR', 'hour', 'h', 'time', '1'),
  u('MIN', 'minute', 'min', 'time', '1/60'),
  u('DAY', 'day', 'd', 'time', '24'),
  u('MTR', 'm', 'm', 'length', '1', 'uom.product_uom_meter'),
  u('MMT', 'mm', 'mm', 'length', '1/1000', 'uom.product_uom_millimeter'),
  u('CMT', 'cm', 'cm', 'length', '1/100', 'uom.product_uom_cm'),
  u('KMT', 'km', 'km', 'length', '1000', 'uom.product_uom_km'),
  u('INH', 'in', 'in', 'length', '1/39.3701', 'uom.product_uom_inch'),
  u('FOT', 'ft', 'ft', 'length', '1/3.28084', 'uom.product_uom_foot'),
  u('YRD', 'yd', 'yd', 'length', '1/1.09361', 'uom.product_uom_yard'),
  u('SMI', 'mi', 'mi', 'length', '1609.34', 'uom.product_uom_mile'),
  u('MTK', 'm²', 'm²', 'area', '1', 'uom.uom_square_meter'),
  u('FTK', 'ft²', 'ft²', 'area', '1/10.76391', 'uom.uom_square_foot'),
  u('LTR', 'L', 'L', 'volume', '1', 'uom.product_uom_litre'),
  u('MLT', 'mL', 'mL', 'volume', '1/1000'),
  u('MTQ', 'm³', 'm³', 'volume', '1000', 'uom.product_uom_cubic_meter'),
  u('OZA', 'fl oz (US)', 'fl oz', 'volume', '1/33.814', 'uom.product_uom_floz'),
  u('QTL', 'qt (US)', 'qt', 'volume', '1/1.05669', 'uom.product_uom_qt'),
  u('GLL', 'gal (US)', 'gal', 'volume', '3.78541', 'uom.product_uom_gal'),
  u('INQ', 'in³', 'in³', 'volume', '1/61.0237', 'uom.product_uom_cubic_inch'),
  u('FTQ', 'ft³', 'ft³', 'volume', '28.3168', 'uom.product_uom_cubic_foot'),
  u('KWH', 'kWh', 'kWh', 'energy', '1', 'uom.product_uom_kwh'),
];
