/** Bulk imports over GraphQL: `importJob`, `importJobs` and `cancelImport` (uploads go to POST /imports/{domain}). */

import { builder } from '../../graphql/builder.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { connectionNames, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { IMPORT_MODES, IMPORT_STATUSES, type ImportJob, type ImportReportRow } from './import-job.entity.ts';
import { linesPage, newestFirstConnection } from './job-lists.ts';

const ImportStatusEnum = builder.enumType('ImportStatus', {
  description: 'Where an import is: running, completed (every row read), failed, or cancelled (resumable).',
  values: Object.fromEntries(IMPORT_STATUSES.map((s) => [s, { value: s }])) as Record<
    (typeof IMPORT_STATUSES)[number],
    { value: (typeof IMPORT_STATUSES)[number] }
  >,
});
const ImportModeEnum = builder.enumType('ImportMode', {
  description:
    'PROPOSE makes one bulk change request per batch for stewards; APPLY writes the records directly (administrators, audited as one import).',
  values: Object.fromEntries(IMPORT_MODES.map((s) => [s, { value: s }])) as Record<
    (typeof IMPORT_MODES)[number],
    { value: (typeof IMPORT_MODES)[number] }
  >,
});

const ImportReportLineRef = builder.objectRef<ImportReportRow>('ImportReportLine').implement({
  description: 'A refused row of an import (or a header problem, on line 1): where and why.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Its place in the report (page with `after`).' }),
    row: t.exposeInt('rowNumber', { description: 'Line of the file (1 = the CSV header).' }),
    businessKey: t.exposeString('businessKey', {
      nullable: true,
      description: "The row's business key, when it has one.",
    }),
    pointer: t.exposeString('pointer', {
      description: "JSON pointer into the row's payload, or the column ('' = the row).",
    }),
    code: t.exposeString('code', { description: 'Why (docs/import-export.md lists the codes).' }),
    message: t.exposeString('message', { description: 'A sentence.' }),
    severity: t.exposeString('severity', {
      description: 'ERROR: the row was refused; WARNING: it went in with this finding of a relaxed rule.',
    }),
  }),
});

export const ImportJobRef = builder.objectRef<ImportJob>('ImportJob').implement({
  description: 'One bulk import of a file into a domain, with its counts and report.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The import.' }),
    domain: t.exposeString('domain', { description: 'The domain the rows went into.' }),
    systemCode: t.exposeString('systemCode', {
      nullable: true,
      description: 'The system whose ids were linked.',
    }),
    mode: t.field({ type: ImportModeEnum, description: 'How rows were written.', resolve: (j) => j.mode }),
    status: t.field({ type: ImportStatusEnum, description: 'Where it is.', resolve: (j) => j.status }),
    source: t.exposeString('source', { description: 'The file name as given.' }),
    mapping: t.exposeString('mapping', {
      description: 'The mapping used (canon, odoo:<model>, or a file name).',
    }),
    rowsDone: t.exposeInt('rowsDone', { description: 'Rows read so far.' }),
    rowsRefused: t.exposeInt('rowsRefused', { description: 'Rows refused so far (see report).' }),
    rowsCreated: t.exposeInt('rowsCreated', { description: 'Records created.' }),
    rowsUpdated: t.exposeInt('rowsUpdated', {
      description: 'Records revised (only the fields that changed).',
    }),
    rowsUnchanged: t.exposeInt('rowsUnchanged', {
      description: 'Rows equal to their record: nothing written.',
    }),
    rowsWarned: t.exposeInt('rowsWarned', {
      description: 'Rows that went in with warnings of relaxed rules (report lines of severity WARNING).',
    }),
    rowsProposed: t.exposeInt('rowsProposed', {
      description: 'Propose mode: rows that became change requests (bulkChangeRequests(importJobId:)).',
    }),
    xrefsLinked: t.exposeInt('xrefsLinked', { description: "The system's ids newly linked." }),
    batchesCommitted: t.exposeInt('batchesCommitted', {
      description: 'Batches committed (each one transaction).',
    }),
    rowsTotal: t.exposeInt('rowsTotal', {
      nullable: true,
      description: 'Rows in the file, once known (at the end).',
    }),
    progress: t.float({
      nullable: true,
      description: 'rowsDone ÷ rowsTotal, when the total is known.',
      resolve: (j) => (j.rowsTotal ? j.rowsDone / j.rowsTotal : null),
    }),
    cancelRequested: t.boolean({
      description: 'cancelImport was asked; it stops after the batch in flight.',
      resolve: (j) => Boolean(j.cancelRequestedAt),
    }),
    startedByName: t.exposeString('startedByName', { nullable: true, description: 'Who started it.' }),
    message: t.exposeString('message', { nullable: true, description: 'Why it failed or stopped.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it started.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it ended.' }),
    report: t.field({
      type: [ImportReportLineRef],
      description: 'Report lines in order, up to `first` (≤ 1,000) after the line `after`.',
      args: {
        first: t.arg.int({ description: 'How many (default 100, at most 1,000).' }),
        after: t.arg.id({ description: 'The id of the last line already read.' }),
      },
      resolve: (j, args, ctx) => ctx.services.imports.report(ctx, j.id, linesPage(args)),
    }),
  }),
});

const CancelImportInput = builder.inputType('CancelImportInput', {
  description: 'The import to stop.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The import.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const CancelImportPayload = builder.objectRef<ImportJob>('CancelImportPayload').implement({
  description: 'The import, asked to stop.',
  fields: (t) => ({
    importJob: t.field({ type: ImportJobRef, description: 'The import.', resolve: (j) => j }),
  }),
});

builder.queryFields((t) => ({
  importJob: t.field({
    type: ImportJobRef,
    nullable: true,
    authScopes: { authenticated: true },
    description: 'A bulk import by id, with its progress and report; null when unknown.',
    args: { id: t.arg.id({ required: true, description: 'The import.' }) },
    resolve: (_r, { id }, ctx) => ctx.services.imports.job(ctx, String(id)),
  }),
  importJobs: t.connection(
    {
      type: ImportJobRef,
      authScopes: { authenticated: true },
      description: 'Bulk imports, newest first.',
      resolve: newestFirstConnection('import', (ctx: GraphQLContext, page) =>
        ctx.services.imports.jobs(ctx, page),
      ),
    },
    connectionNames('ImportJob', 'bulk imports')[0],
    connectionNames('ImportJob', 'bulk imports')[1],
  ),
}));

builder.mutationFields((t) => ({
  cancelImport: t.field({
    type: CancelImportPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Stops a running import after its batch in flight (administrators, or whoever started it); what was committed stays.',
    args: {
      input: t.arg({
        type: CancelImportInput,
        required: true,
        description: 'What to do; see the input type.',
      }),
    },
    resolve: (_r, { input }, ctx) => ctx.services.imports.cancel(ctx, String(input.id), input.idempotencyKey),
  }),
}));
