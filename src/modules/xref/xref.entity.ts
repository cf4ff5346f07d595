import { defineEntity, p } from '@mikro-orm/core';
import { timestamps } from '../../db/timestamps.ts';

export const XREF_STATES = ['ACTIVE', 'RETIRED'] as const;

/**
 * A cross-reference: what a system calls a canonical record. One ACTIVE row per
 * (system, domain, external id) — a partial unique index — so an id can be relinked after unlinking.
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
    recordId: p.uuid().index(),
    state: p.enum(XREF_STATES).default('ACTIVE'),
    syncedAt: p.datetime(),
    ...timestamps(),
  },
  indexes: [
    {
      name: 'xref_active_unique',
      expression: `create unique index "xref_active_unique" on "xref" ("system_code", "domain", "external_id") where "state" = 'ACTIVE'`,
    },
    { properties: ['systemCode', 'domain', 'id'] },
  ],
});
export class Xref extends XrefEntity.class {}
XrefEntity.setClass(Xref);
