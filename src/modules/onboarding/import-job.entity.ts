import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { timestamps } from '../../db/timestamps.ts';

export const IMPORT_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const IMPORT_MODES = ['APPLY', 'PROPOSE'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/**
 * One bulk import of a file into a domain: its options, counts and the last row of the last batch
 * committed — updated in each batch's own transaction, so a run that died resumes right after it.
 * `fingerprint` (the file's sha256 with the options) finds the job a `--resume` continues.
 */
export const ImportJobEntity = defineEntity({
  name: 'ImportJob',
  tableName: 'import_job',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100),
    systemCode: p.string().length(50).nullable(),
    mode: p.enum(IMPORT_MODES),
    status: p.enum(IMPORT_STATUSES).default('RUNNING'),
    source: p.string().length(500),
    format: p.string().length(10),
    mapping: p.string().length(200),
    fingerprint: p.string().length(64).index(),
    batchSize: p.integer(),
    skipInvalid: p.boolean().default(false),
    rowsDone: p.integer().default(0),
    rowsRefused: p.integer().default(0),
    rowsCreated: p.integer().default(0),
    rowsUpdated: p.integer().default(0),
    rowsUnchanged: p.integer().default(0),
    /** Propose mode: rows that became change requests waiting for stewards. */
    rowsProposed: p.integer().default(0),
    /** Rows that went in with warnings of rules the domain relaxed (in the report as WARNING). */
    rowsWarned: p.integer().default(0),
    xrefsLinked: p.integer().default(0),
    batchesCommitted: p.integer().default(0),
    /** Number of the last data row of the last committed batch (0: none yet). */
    lastCommittedRow: p.integer().default(0),
    /** Rows in the file, when known (after a first pass or once finished). */
    rowsTotal: p.integer().nullable(),
    startedBy: p.uuid().nullable(),
    startedByName: p.string().length(200).nullable(),
    finishedAt: p.datetime().nullable(),
    /** The process running it (host:pid) and when it last showed it is alive (import-liveness.ts). */
    runner: p.string().length(200).nullable(),
    heartbeatAt: p.datetime().nullable(),
    /** Set by cancelImport: the run stops after the batch in flight. */
    cancelRequestedAt: p.datetime().nullable(),
    message: p.text().nullable(),
    ...timestamps(),
  },
});
export class ImportJob extends ImportJobEntity.class {}
ImportJobEntity.setClass(ImportJob);

/** One line of an import's report: a row refused (or a header problem), where and why. */
export const ImportReportRowEntity = defineEntity({
  name: 'ImportReportRow',
  tableName: 'import_report_row',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    jobId: p.uuid(),
    /** Line of the file (1 = the CSV header); for NDJSON the line number. */
    rowNumber: p.integer(),
    businessKey: p.string().length(300).nullable(),
    /** JSON pointer into the mapped payload, or the column ('' = the whole row). */
    pointer: p.string().length(300),
    code: p.string().length(60),
    message: p.text(),
    /** ERROR: the row was refused (or the line is about the file); WARNING: it went in with this. */
    severity: p.string().length(10).default('ERROR'),
  },
  indexes: [{ name: 'import_report_row_job', properties: ['jobId', 'rowNumber', 'id'] }],
});
export class ImportReportRow extends ImportReportRowEntity.class {}
ImportReportRowEntity.setClass(ImportReportRow);

/**
 * A system's id from a row imported in propose mode whose record does not exist yet: linked when a
 * steward's approval creates the record (import-links.ts), dropped when the proposal is decided
 * otherwise.
 */
export const ImportPendingLinkEntity = defineEntity({
  name: 'ImportPendingLink',
  tableName: 'import_pending_link',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    changeRequestId: p.uuid().index(),
    jobId: p.uuid(),
    systemCode: p.string().length(50),
    domain: p.string().length(100),
    externalId: p.string().length(300),
    externalKey: p.string().length(300).nullable(),
  },
});
export class ImportPendingLink extends ImportPendingLinkEntity.class {}
ImportPendingLinkEntity.setClass(ImportPendingLink);
