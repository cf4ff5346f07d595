import { defineEntity, p } from '@mikro-orm/core';
import { timestamps } from '../../db/timestamps.ts';

export const XREF_STATES = ['ACTIVE', 'RETIRED'] as const;

/**
 * A cross-reference: what a system calls a canonical record. One ACTIVE row per
 * (system, domain, external id) — a partial unique index — so an id can be relinked after unlinking.
 * Retired rows keep their history; only live rows are indexed for lookups.
 */
export const XrefEntity = defineEntity({
  name: 'Xref',
  tableName: 'xref',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    systemCode: p.string().length(100),
    domain: p.string().length(100),
    externalId: p.string().length(300),
    /** A second identifier the system uses, e.g. Odoo's xml id `module.name` beside its database id. */
    externalKey: p.string().length(300).nullable(),
    recordId: p.uuid(),
    /**
     * The record's business key, copied at link time and moved by a rekey in the rekey's transaction:
     * carrying it here lets resolve answer from the unique index alone (an index-only scan).
     */
    recordKey: p.string().length(300),
    state: p.enum(XREF_STATES).default('ACTIVE'),
    syncedAt: p.datetime(),
    ...timestamps(),
  },
  indexes: [
    {
      name: 'xref_active_unique',
      // covering: resolveXrefs reads record id and key from the index without visiting the table
      expression: `create unique index "xref_active_unique" on "xref" ("system_code", "domain", "external_id") include ("record_id", "record_key") where "state" = 'ACTIVE'`,
    },
    {
      name: 'xref_record_active',
      // translateXrefs and `xrefs` on records: a record's live ids in each system
      expression: `create index "xref_record_active" on "xref" ("record_id", "system_code", "domain") include ("external_id", "external_key", "synced_at") where "state" = 'ACTIVE'`,
    },
    {
      name: 'xref_external_key_active',
      // resolveExternalKeys: a system's live ids by their second id (Odoo xml ids)
      expression: `create index "xref_external_key_active" on "xref" ("system_code", "domain", "external_key") include ("record_id") where "state" = 'ACTIVE' and "external_key" is not null`,
    },
    { properties: ['systemCode', 'domain', 'id'] },
  ],
});
export class Xref extends XrefEntity.class {}
XrefEntity.setClass(Xref);
