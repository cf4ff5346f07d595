import { defineEntity, p } from '@mikro-orm/core';
import { GoldenRecord } from './golden-record.entity.ts';

/**
 * The revision of each golden record in effect when it was last written, kept beside the record in
 * the writer's transaction so lists, filters and key lookups are index scans of one row per record
 * instead of a walk through history. `nextEffectiveFrom` (the earliest revision effective after this
 * one) bounds the row's validity: at any moment in [effectiveFrom, nextEffectiveFrom) this row is
 * the answer, whatever time it was written at; outside it (past reads, a future revision whose time
 * has come) readers compute the revision from history (as-of.ts). A record whose every revision is
 * still to come has a row with no revision (effectiveFrom null).
 */
export const RecordCurrentEntity = defineEntity({
  name: 'RecordCurrent',
  tableName: 'record_current',
  properties: {
    record: () => p.oneToOne(GoldenRecord).owner().primary(),
    domain: p.string().length(100),
    key: p.string().length(300),
    keyScope: p.string().length(20),
    site: p.string().length(20).nullable(),
    revision: p.integer().nullable(),
    data: p.json<Record<string, unknown>>().nullable(),
    status: p.string().length(20).nullable(),
    effectiveFrom: p.datetime().nullable(),
    contractVersion: p.string().length(50).nullable(),
    nextEffectiveFrom: p.datetime().nullable(),
    /** The revision's warnings (rule-severities.ts); null when it has none. */
    findings: p.json<unknown[]>().nullable(),
  },
  indexes: [
    // pages walk a domain in key order and stop at the page's end
    { name: 'record_current_domain_key', properties: ['domain', 'key', 'keyScope', 'record'] },
    { name: 'record_current_domain_site_key', properties: ['domain', 'site', 'key', 'keyScope', 'record'] },
    // keyPrefix filters (LIKE 'p%') need a pattern index: the default one follows the collation
    {
      name: 'record_current_key_prefix',
      expression: `create index "record_current_key_prefix" on "record_current" ("domain", "key" varchar_pattern_ops)`,
    },
    // rows not valid now: a handful, found by these two when a read needs history instead
    { name: 'record_current_domain_effective', properties: ['domain', 'effectiveFrom'] },
    {
      name: 'record_current_pending',
      expression: `create index "record_current_pending" on "record_current" ("domain", "next_effective_from") where "next_effective_from" is not null`,
    },
    // the stewards' work list: records with findings, in key order
    {
      name: 'record_current_findings',
      expression: `create index "record_current_findings" on "record_current" ("domain", "key", "key_scope", "record_id") where "findings" is not null`,
    },
    {
      name: 'record_current_data',
      expression: `create index "record_current_data" on "record_current" using gin ("data" jsonb_path_ops)`,
    },
    {
      name: 'record_current_key_trgm',
      expression: `create index "record_current_key_trgm" on "record_current" using gin ("key" gin_trgm_ops)`,
    },
    {
      // duplicate detection: a proposal's key against the keys of its domain, normalised (matching)
      name: 'record_current_match_key',
      expression: `create index "record_current_match_key" on "record_current" ("domain", canon_match_norm("key"))`,
    },
    {
      name: 'record_current_name_trgm',
      expression: `create index "record_current_name_trgm" on "record_current" using gin (("data"->>'name') gin_trgm_ops)`,
    },
  ],
});
export class RecordCurrent extends RecordCurrentEntity.class {}
RecordCurrentEntity.setClass(RecordCurrent);
