import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { timestamps } from '../../db/timestamps.ts';

/**
 * Many proposals made together (one batch of an import in propose mode): its change requests are
 * ordinary ones — decided one by one in the inbox — and the bulk lets a steward review and decide
 * them as a whole. Its status is its members' (see bulk-change-requests.ts).
 */
export const BulkChangeRequestEntity = defineEntity({
  name: 'BulkChangeRequest',
  tableName: 'bulk_change_request',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100),
    /** The import job whose batch this is (null: another bulk source). */
    importJobId: p.uuid().nullable().index(),
    /** The batch's number within its import (1, 2, …). */
    batchNumber: p.integer().nullable(),
    /** Rows proposed (change requests made). */
    rowCount: p.integer(),
    proposedBy: p.uuid().nullable(),
    proposedByName: p.string().length(200).nullable(),
    systemCode: p.string().length(100).nullable(),
    reason: p.text().nullable(),
    contractVersion: p.string().length(50),
    ...timestamps(),
  },
  indexes: [{ name: 'bulk_change_request_domain', properties: ['domain', 'createdAt', 'id'] }],
});
export class BulkChangeRequest extends BulkChangeRequestEntity.class {}
BulkChangeRequestEntity.setClass(BulkChangeRequest);
