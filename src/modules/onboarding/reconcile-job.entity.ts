import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { timestamps } from '../../db/timestamps.ts';

export const RECONCILE_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED'] as const;
export type ReconcileStatus = (typeof RECONCILE_STATUSES)[number];

/**
 * One reconciliation of a system's extract with Canon run on the server (uploaded, for the console):
 * its options, its summary once finished, its differences in reconcile_difference.
 */
export const ReconcileJobEntity = defineEntity({
  name: 'ReconcileJob',
  tableName: 'reconcile_job',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100),
    systemCode: p.string().length(50),
    status: p.enum(RECONCILE_STATUSES).default('RUNNING'),
    source: p.string().length(500),
    format: p.string().length(10),
    mapping: p.string().length(200),
    propose: p.boolean().default(false),
    /** Rows, matched, identical, differences by kind and proposals made (once finished). */
    summary: p.json<Record<string, unknown>>().nullable(),
    differencesFound: p.integer().default(0),
    startedBy: p.uuid().nullable(),
    startedByName: p.string().length(200).nullable(),
    finishedAt: p.datetime().nullable(),
    message: p.text().nullable(),
    ...timestamps(),
  },
  indexes: [{ name: 'reconcile_job_newest', properties: ['createdAt', 'id'] }],
});
export class ReconcileJob extends ReconcileJobEntity.class {}
ReconcileJobEntity.setClass(ReconcileJob);

/** One difference a reconciliation found, in the order found. */
export const ReconcileDifferenceEntity = defineEntity({
  name: 'ReconcileDifference',
  tableName: 'reconcile_difference',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    jobId: p.uuid(),
    kind: p.string().length(30),
    rowNumber: p.integer().nullable(),
    externalId: p.string().length(300).nullable(),
    businessKey: p.string().length(300).nullable(),
    recordId: p.uuid().nullable(),
    pointer: p.string().length(300),
    canonValue: p.json<unknown>().nullable(),
    systemValue: p.json<unknown>().nullable(),
    message: p.text(),
  },
  indexes: [
    { name: 'reconcile_difference_job', properties: ['jobId', 'id'] },
    { name: 'reconcile_difference_job_kind', properties: ['jobId', 'kind', 'id'] },
  ],
});
export class ReconcileDifference extends ReconcileDifferenceEntity.class {}
ReconcileDifferenceEntity.setClass(ReconcileDifference);
