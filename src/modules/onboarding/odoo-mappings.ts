/**
 * Built-in mappings for Odoo's own CSV exports ("I want to update data (import-compatible export)",
 * technical field names as headers) of the five built-in domains, Odoo 17 and 18 alike. The `id`
 * column (an external id such as `__export__.product_product_42_9f1c2e3a` or `uom.product_uom_kgm`)
 * becomes the system's external id; many2one columns are read either as `<field>/id` (an external id,
 * resolved through the standard units or the system's cross-references) or as the display name Odoo
 * writes without `/id`. docs/import-export.md lists every column.
 */
import type { Data } from '../records/domain-rules.ts';
import type { Lookups, MappedRow, MappingFinding, RowMapping } from './mappings.ts';
import { type Cells, cell, mapLocation, mapLot, mapProduct, mapUnit, mapWorkCenter } from './odoo-models.ts';
import type { SourceRow } from './row-sources.ts';

const BUILT_IN: Record<
  string,
  {
    domain: string;
    columns: string[];
    map: (c: Cells, l: Lookups) => Promise<{ data: Data; findings: MappingFinding[] }>;
  }
> = {
  'odoo:product.product': {
    domain: 'item',
    columns: [
      'id',
      'default_code',
      'name',
      'detailed_type',
      'type',
      'is_storable',
      'uom_id',
      'uom_id/id',
      'uom_po_id',
      'uom_po_id/id',
      'tracking',
      'barcode',
      'categ_id',
      'categ_id/id',
      'weight',
      'volume',
      'expiration_time',
      'use_time',
      'removal_time',
      'alert_time',
      'use_expiration_date',
      'active',
      'product_tmpl_id',
      'product_tmpl_id/id',
      'list_price',
      'standard_price',
      'company_id',
      'sale_ok',
      'purchase_ok',
      'description',
    ],
    map: mapProduct,
  },
  'odoo:uom.uom': {
    domain: 'uom',
    columns: [
      'id',
      'name',
      'category_id',
      'category_id/id',
      'uom_type',
      'factor',
      'factor_inv',
      'rounding',
      'active',
    ],
    map: async (c) => mapUnit(c),
  },
  'odoo:stock.location': {
    domain: 'location',
    columns: [
      'id',
      'name',
      'complete_name',
      'location_id',
      'location_id/id',
      'usage',
      'barcode',
      'warehouse_id',
      'warehouse_id/id',
      'scrap_location',
      'return_location',
      'active',
      'company_id',
      'company_id/id',
    ],
    map: async (c) => mapLocation(c),
  },
  'odoo:stock.lot': {
    domain: 'lot',
    columns: [
      'id',
      'name',
      'product_id',
      'product_id/id',
      'ref',
      'expiration_date',
      'use_date',
      'removal_date',
      'alert_date',
      'company_id',
      'company_id/id',
      'note',
    ],
    map: mapLot,
  },
  'odoo:mrp.workcenter': {
    domain: 'work-center',
    columns: [
      'id',
      'name',
      'code',
      'default_capacity',
      'capacity',
      'time_efficiency',
      'time_start',
      'time_stop',
      'costs_hour',
      'oee_target',
      'resource_calendar_id',
      'resource_calendar_id/id',
      'active',
      'company_id',
      'company_id/id',
    ],
    map: async (c) => mapWorkCenter(c),
  },
};

export const BUILT_IN_MAPPINGS = Object.keys(BUILT_IN);

/** The built-in mapping with that name (`odoo:<model>`), or null. */
export function builtInMapping(name: string): RowMapping | null {
  const m = BUILT_IN[name];
  if (!m) return null;
  const known = new Set(m.columns);
  return {
    name,
    domain: m.domain,
    knowsColumn: (c) => known.has(c),
    async map(row: SourceRow, lookups: Lookups): Promise<MappedRow> {
      const cells = row.cells ?? {};
      const { data, findings } = await m.map(cells, lookups);
      return { data, externalId: cell(cells, 'id') ?? null, externalKey: null, findings };
    },
  };
}
