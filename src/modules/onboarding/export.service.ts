/**
 * Export of a domain's records as of a moment (default now), as NDJSON or CSV, in key order, in
 * constant memory: keyset pages read inside one repeatable-read transaction, so the whole file is
 * one consistent snapshot, with the outbox sequence it is consistent with. With a system, each record
 * carries that system's ids (the NDJSON lines re-import as they are: `canon import --mapping canon`).
 */
import { IsolationLevel } from '@mikro-orm/core';
import { stringify } from 'csv-stringify/sync';
import type { Orm } from '../../db/orm.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { ExportRow } from '../records/records.types.ts';
import type { XrefService } from '../xref/xref.service.ts';

export type ExportFormat = 'ndjson' | 'csv';

export interface ExportRequest {
  domain: string;
  format: ExportFormat;
  asOf?: Date;
  system?: string;
  /** Records of every status (default: live ones). */
  allStatuses?: boolean;
}

const PAGE = 2_000;

/** A spreadsheet runs a cell starting with = + - @ as a formula: such cells get a leading apostrophe. */
export const neutralised = (v: string) => (/^[=+@\t\r-]/.test(v) ? `'${v}` : v);

type Row = ExportRow;

export class ExportService {
  private readonly orm: Orm;
  private readonly contracts: ContractsService;
  private readonly xref: XrefService;

  private readonly records: RecordsService;
  private readonly outbox: OutboxService;

  constructor(deps: {
    orm: Orm;
    contracts: ContractsService;
    xref: XrefService;
    records: RecordsService;
    outbox: OutboxService;
  }) {
    this.orm = deps.orm;
    this.contracts = deps.contracts;
    this.xref = deps.xref;
    this.records = deps.records;
    this.outbox = deps.outbox;
  }

  /**
   * Writes every line through `write` (which may wait for the reader); `start` gets the outbox
   * sequence of the snapshot before the first line. Answers how many records were written.
   */
  async export(
    ctx: CallContext,
    request: ExportRequest,
    sink: {
      start?: (sequence: string) => void;
      write: (text: string) => Promise<void>;
      /** Records written so far, after each page. */
      progress?: (records: number) => void;
    },
  ): Promise<number> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (request.system) {
      authorize(ctx.ability, ctx.actor, 'read', 'Xref');
      await this.xref.requireMapNames(ctx, request.system, request.domain);
    }
    const validator = await this.contracts.validatorFor(this.orm.em.fork(), request.domain);
    const fields = Object.keys(
      (validator.schema as { properties?: Record<string, unknown> }).properties ?? {},
    );
    const asOf = request.asOf ?? new Date();
    return this.orm.em.fork().transactional(
      async (em) => {
        sink.start?.(await this.outbox.latestSequenceIn(em));
        const withIds = Boolean(request.system);
        if (request.format === 'csv') {
          const header = [
            'recordId',
            'key',
            'status',
            'revision',
            ...fields,
            ...(withIds ? ['externalId', 'externalKey'] : []),
          ];
          await sink.write(stringify([header]));
        }
        let after: [string, string, string] | undefined;
        let count = 0;
        for (;;) {
          const rows = await this.records.pageIn(
            em,
            { domain: request.domain, asOf, status: request.allStatuses ? 'ALL' : undefined },
            { after, limit: PAGE },
          );
          if (rows.length === 0) break;
          const ids = withIds
            ? await this.xref.linksOfRecordsIn(
                em,
                request.system!,
                request.domain,
                rows.map((r) => r.record_id),
              )
            : new Map();
          await sink.write(
            rows
              .map((r) => this.line(r, request.format, fields, withIds, ids.get(r.record_id) ?? []))
              .join(''),
          );
          count += rows.length;
          sink.progress?.(count);
          const last = rows[rows.length - 1];
          after = [last.key, last.key_scope, last.record_id];
          if (rows.length < PAGE) break;
        }
        return count;
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
  }

  private line(
    r: Row,
    format: ExportFormat,
    fields: string[],
    withIds: boolean,
    ids: { externalId: string; externalKey: string | null }[],
  ): string {
    const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>;
    if (format === 'ndjson') {
      return `${JSON.stringify({
        id: r.record_id,
        key: r.key,
        site: r.site,
        status: r.status,
        revision: r.revision,
        contractVersion: r.contract_version,
        effectiveFrom: new Date(r.effective_from).toISOString(),
        data,
        ...(withIds
          ? {
              externalId: ids[0]?.externalId ?? null,
              externalKey: ids[0]?.externalKey ?? null,
              externalIds: ids,
            }
          : {}),
      })}\n`;
    }
    const cell = (v: unknown) =>
      v === undefined || v === null
        ? ''
        : neutralised(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    return stringify([
      [
        r.record_id,
        neutralised(r.key),
        r.status,
        String(r.revision),
        ...fields.map((f) => cell(data[f])),
        ...(withIds
          ? [
              cell(ids.map((i) => i.externalId).join('|')),
              cell(ids.map((i) => i.externalKey ?? '').join('|')),
            ]
          : []),
      ],
    ]);
  }
}
