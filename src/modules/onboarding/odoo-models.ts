/**
 * How each Odoo model's export columns become a canonical payload (odoo-mappings.ts names them as
 * built-in mappings): types, units by xml id or name, locations by complete name, products by code,
 * Odoo's float and datetime texts made exact.
 */

import type { Data } from '../records/domain-rules.ts';
import { STANDARD_UNITS } from '../records/uom/standard-units.ts';
import type { Lookups, MappingFinding } from './mappings.ts';
import { coerceCell } from './mappings.ts';

export type Cells = Record<string, string>;
export const cell = (cells: Cells, ...names: string[]): string | undefined => {
  for (const n of names) {
    const v = cells[n]?.trim();
    if (v) return v;
  }
  return undefined;
};

/** Odoo writes numbers as floats ("1000.0", "0.010"): the exact decimal text Canon's contracts take. */
export function odooDecimal(text: string): string | null {
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const [int, frac = ''] = text.split('.');
  const f = frac.replace(/0+$/, '');
  const i = int.replace(/^0+(?=\d)/, '');
  return f ? `${i}.${f}` : i;
}

/** Odoo's datetime text ("2025-03-01 08:30:00", UTC in exports) as ISO 8601. */
function odooDateTime(text: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(text);
  if (!m) return null;
  const time = m[2] ? (m[2].length === 5 ? `${m[2]}:00` : m[2]) : '00:00:00';
  return `${m[1]}T${time}Z`;
}

const byXmlId = new Map(STANDARD_UNITS.filter((u) => u.odoo).map((u) => [u.odoo!, u.code]));
const byName = new Map(STANDARD_UNITS.map((u) => [u.name.toLowerCase(), u.code]));

/** A unit named in an Odoo export: a standard xml id, one the system's map knows, or a standard name. */
async function unitCode(cells: Cells, field: string, lookups: Lookups): Promise<string | null | undefined> {
  const xmlId = cell(cells, `${field}/id`);
  if (xmlId) return byXmlId.get(xmlId) ?? (await lookups.keyOfExternalId('uom', xmlId));
  const name = cell(cells, field);
  if (name) return byName.get(name.toLowerCase()) ?? null;
  return undefined;
}

const boolOf = (text: string | undefined): boolean | undefined =>
  text === undefined ? undefined : (coerceCell(text, 'boolean', '').value as boolean | undefined);

function bad(findings: MappingFinding[], pointer: string, message: string): void {
  findings.push({ code: 'BAD_VALUE', pointer, message });
}

/** Item type and stock tracking from Odoo 17's detailed_type or Odoo 18's type + is_storable. */
function itemType(cells: Cells, data: Data, findings: MappingFinding[]): void {
  const type = cell(cells, 'detailed_type', 'type');
  const storable = boolOf(cell(cells, 'is_storable'));
  if (type === undefined) return;
  if (type === 'product' || (type === 'consu' && storable === true)) {
    data.type = 'goods';
    data.stocked = true;
  } else if (type === 'consu') {
    data.type = 'consumable';
    data.stocked = false;
  } else if (type === 'service') {
    data.type = 'service';
    data.stocked = false;
  } else
    bad(
      findings,
      '/type',
      `Odoo product type "${type}" has no Canon item type (goods, consumable, service).`,
    );
}

export async function mapProduct(
  cells: Cells,
  lookups: Lookups,
): Promise<{ data: Data; findings: MappingFinding[] }> {
  const data: Data = {};
  const findings: MappingFinding[] = [];
  const code = cell(cells, 'default_code');
  if (code) data.code = cells.default_code;
  if (cell(cells, 'name')) data.name = cells.name.trim();
  itemType(cells, data, findings);
  for (const [field, pointer] of [
    ['uom_id', 'uom'],
    ['uom_po_id', 'purchaseUom'],
  ] as const) {
    const unit = await unitCode(cells, field, lookups);
    if (unit === null)
      findings.push({
        code: 'UNKNOWN_REFERENCE',
        pointer: `/${pointer}`,
        message: `Odoo unit ${cell(cells, `${field}/id`, field)} is not a standard unit nor linked to a Canon unit.`,
      });
    else if (unit) data[pointer] = unit;
  }
  const tracking = cell(cells, 'tracking');
  if (tracking) data.tracking = tracking;
  else if (data.type) data.tracking = 'none';
  const barcode = cell(cells, 'barcode');
  if (barcode) data.barcode = barcode;
  const category = cell(cells, 'categ_id');
  if (category)
    data.categoryPath = category
      .split('/')
      .map((p) => p.trim())
      .filter(Boolean);
  for (const [column, pointer, uom] of [
    ['weight', 'weight', 'KGM'],
    ['volume', 'volume', 'MTQ'],
  ] as const) {
    const text = cell(cells, column);
    if (!text) continue;
    const quantity = odooDecimal(text);
    if (quantity === null) bad(findings, `/${pointer}`, `"${text}" is not a non-negative decimal.`);
    else if (quantity !== '0') data[pointer] = { quantity, uom };
  }
  const shelfLife: Data = {};
  for (const [column, field] of [
    ['expiration_time', 'expirationDays'],
    ['use_time', 'bestBeforeDays'],
    ['removal_time', 'removalDays'],
    ['alert_time', 'alertDays'],
  ] as const) {
    const text = cell(cells, column);
    if (!text) continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0)
      bad(findings, `/shelfLife/${field}`, `"${text}" is not a whole number of days.`);
    else if (n > 0) shelfLife[field] = n;
  }
  if (Object.keys(shelfLife).length > 0) data.shelfLife = shelfLife;
  const active = boolOf(cell(cells, 'active'));
  if (active !== undefined) data.active = active;
  return { data, findings };
}

const DIMENSIONS: Record<string, string> = {
  unit: 'count',
  units: 'count',
  weight: 'mass',
  'working time': 'working-time',
  'length / distance': 'length',
  length: 'length',
  surface: 'area',
  volume: 'volume',
  energy: 'energy',
  time: 'time',
};

export async function mapUnit(cells: Cells): Promise<{ data: Data; findings: MappingFinding[] }> {
  const data: Data = {};
  const findings: MappingFinding[] = [];
  const xmlId = cell(cells, 'id');
  const name = cell(cells, 'name');
  const standard = (xmlId && byXmlId.get(xmlId)) || (name && byName.get(name.toLowerCase()));
  const derived = name
    ?.toUpperCase()
    .replace(/[^A-Z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 20);
  if (standard || derived) data.code = standard || derived;
  if (name) data.name = name;
  if (standard) {
    const unit = STANDARD_UNITS.find((u) => u.code === standard)!;
    if (unit.rec20) data.rec20 = unit.rec20;
    data.symbol = unit.symbol;
  }
  const category = cell(cells, 'category_id');
  if (category) {
    const dimension = DIMENSIONS[category.toLowerCase()];
    if (dimension) data.dimension = dimension;
    else bad(findings, '/dimension', `Odoo unit category "${category}" has no Canon dimension.`);
  }
  const type = cell(cells, 'uom_type') ?? 'reference';
  const factor = odooDecimal(cell(cells, 'factor') ?? '');
  const factorInv = odooDecimal(cell(cells, 'factor_inv') ?? '');
  if (type === 'reference') data.ratio = '1';
  else if (type === 'bigger' && factorInv) data.ratio = factorInv;
  else if (type === 'smaller' && factor) data.ratio = `1/${factor}`;
  else bad(findings, '/ratio', `A ${type} unit needs its ${type === 'bigger' ? 'factor_inv' : 'factor'}.`);
  const rounding = cell(cells, 'rounding');
  if (rounding) {
    const step = odooDecimal(rounding);
    if (step) data.rounding = step;
    else bad(findings, '/rounding', `"${rounding}" is not a decimal.`);
  }
  const active = boolOf(cell(cells, 'active'));
  if (active !== undefined) data.active = active;
  return { data, findings };
}

const USAGES = new Set(['internal', 'view', 'supplier', 'customer', 'inventory', 'production', 'transit']);

export async function mapLocation(cells: Cells): Promise<{ data: Data; findings: MappingFinding[] }> {
  const data: Data = {};
  const findings: MappingFinding[] = [];
  const name = cell(cells, 'name');
  const parent = cell(cells, 'location_id');
  // Odoo's complete name ("WH/Stock/Shelf 1") is the key: parents are written by it too
  const complete = cell(cells, 'complete_name') ?? (name ? (parent ? `${parent}/${name}` : name) : undefined);
  if (complete) data.code = complete;
  if (name) data.name = name;
  data.parent = parent ?? null;
  const usage = cell(cells, 'usage');
  if (usage && USAGES.has(usage)) data.usage = usage;
  else if (usage) bad(findings, '/usage', `Odoo location usage "${usage}" is not one Canon knows.`);
  const scrap = boolOf(cell(cells, 'scrap_location'));
  if (scrap !== undefined) data.scrap = scrap;
  const ret = boolOf(cell(cells, 'return_location'));
  if (ret !== undefined) data.return = ret;
  const active = boolOf(cell(cells, 'active'));
  if (active !== undefined) data.active = active;
  return { data, findings };
}

export async function mapLot(
  cells: Cells,
  lookups: Lookups,
): Promise<{ data: Data; findings: MappingFinding[] }> {
  const data: Data = {};
  const findings: MappingFinding[] = [];
  const productId = cell(cells, 'product_id/id');
  const product = cell(cells, 'product_id');
  if (productId) {
    const key = await lookups.keyOfExternalId('item', productId);
    if (key) data.item = key;
    else
      findings.push({
        code: 'UNKNOWN_REFERENCE',
        pointer: '/item',
        message: `No item is linked to the Odoo id ${productId}.`,
      });
  } else if (product) {
    // Odoo's display name of a product with a code: "[FURN_7800] Desk Combination"
    const code = /^\[([^\]]+)\]/.exec(product)?.[1];
    if (code) data.item = code;
    else
      findings.push({
        code: 'UNKNOWN_REFERENCE',
        pointer: '/item',
        message: `"${product}" names no product code (Odoo writes "[CODE] Name").`,
      });
  }
  const number = cell(cells, 'name');
  if (number) data.number = number;
  const ref = cell(cells, 'ref');
  if (ref) data.supplierReference = ref;
  for (const [column, field] of [
    ['expiration_date', 'expiresAt'],
    ['use_date', 'bestBeforeAt'],
    ['removal_date', 'removalAt'],
    ['alert_date', 'alertAt'],
  ] as const) {
    const text = cell(cells, column);
    if (!text) continue;
    const iso = odooDateTime(text);
    if (iso) data[field] = iso;
    else bad(findings, `/${field}`, `"${text}" is not an Odoo date and time (YYYY-MM-DD HH:MM:SS).`);
  }
  return { data, findings };
}

export async function mapWorkCenter(cells: Cells): Promise<{ data: Data; findings: MappingFinding[] }> {
  const data: Data = {};
  const findings: MappingFinding[] = [];
  const code = cell(cells, 'code');
  if (code) data.code = code;
  const name = cell(cells, 'name');
  if (name) data.name = name;
  for (const [column, field] of [
    ['default_capacity', 'capacity'],
    ['capacity', 'capacity'],
    ['time_efficiency', 'timeEfficiency'],
    ['time_start', 'setupMinutes'],
    ['time_stop', 'cleanupMinutes'],
    ['oee_target', 'oeeTarget'],
  ] as const) {
    const text = cell(cells, column);
    if (!text || data[field] !== undefined) continue;
    const { value, finding } = coerceCell(text, 'number', `/${field}`);
    if (finding) findings.push(finding);
    else data[field] = value;
  }
  const calendar = cell(cells, 'resource_calendar_id');
  if (calendar) data.calendar = calendar;
  const active = boolOf(cell(cells, 'active'));
  if (active !== undefined) data.active = active;
  return { data, findings };
}
