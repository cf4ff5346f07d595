import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { timestamps } from '../../db/timestamps.ts';

export const RECORD_STATUSES = ['ACTIVE', 'RETIRED', 'MERGED'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

/**
 * A golden record: identity and state of one master-data object. Its content lives in revisions.
 * The business key is unique per domain (per site for site-scoped domains) among ACTIVE records —
 * a partial unique index, so retired keys can be reused.
 */
export const GoldenRecordEntity = defineEntity({
  name: 'GoldenRecord',
  tableName: 'golden_record',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100),
    key: p.string().length(300),
    site: p.string().length(20).nullable(),
    /** The site the key is unique within ('' for domains whose keys are global). */
    keyScope: p.string().length(20).default(''),
    status: p.enum(RECORD_STATUSES).default('ACTIVE'),
    mergedInto: p.uuid().nullable(),
    /** Number of the newest revision (which may be effective in the future). */
    latestRevision: p.integer(),
    ...timestamps(),
    lockVersion: p.integer().version(),
  },
  indexes: [
    { properties: ['domain', 'status'] },
    // lists page a domain in key order (any status): an ordered index scan that stops at the page
    { name: 'golden_record_domain_key_order', properties: ['domain', 'key', 'keyScope', 'id'] },
    {
      name: 'golden_record_live_key_unique',
      expression: `create unique index "golden_record_live_key_unique" on "golden_record" ("domain", "key", "key_scope") where "status" = 'ACTIVE'`,
    },
  ],
});
export class GoldenRecord extends GoldenRecordEntity.class {}
GoldenRecordEntity.setClass(GoldenRecord);
