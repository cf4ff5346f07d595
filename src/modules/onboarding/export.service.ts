/**
 * Export of a domain's records as of a moment (default now), as NDJSON or CSV, in key order, in
 * constant memory: keyset pages read inside one repeatable-read transaction, so the whole file is
 * one consistent snapshot, with the outbox sequence it is consistent with. With a system, each record
 * carries that system's ids (the NDJSON lines re-import as they are: `canon import --mapping canon`).
 */
import { IsolationLevel } from '@mikro-orm/core';
import { stringify } from 'csv-stringify/sync';
import type { Em, Orm } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { LATEST_SEQUENCE_SQL } from '../events/outbox.service.ts';
import { listPageSql } from '../records/record-list-query.ts';
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

interface Row {
  record_id: string;
  key: string;
  key_scope: string;
  site: string | null;
  status: string;
  revision: number;
  data: Record<string, unknown> | string;
  effective_from: Date;
  contract_version: string;
}

export class ExportService {
  private readonly orm: Orm;
  private readonly contracts: ContractsService;
  private readonly xref: XrefService;

  constructor(deps: { orm: Orm; contracts: ContractsService; xref: XrefService }) {
    this.orm = deps.orm;
    this.contracts = deps.contracts;
    this.xref = deps.xref;
  }

  /**
   * Writes every line through `write` (which may wait for the reader); `start` gets the outbox
   * sequence of the snapshot before the first line. Answers how many records were written.
   */
  async export(
    ctx: CallContext,
    request: ExportRequest,
    sink: { start?: (sequence: string) => void; write: (text: string) => Promise<void> },
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
        const conn = em.getConnection();
        const tx = em.getTransactionContext();
        const [seq] = await conn.execute<{ s: string }[]>(LATEST_SEQUENCE_SQL, [], 'all', tx);
        sink.start?.(String(seq?.s ?? '0'));
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
          const q = listPageSql(
            { domain: request.domain, asOf, status: request.allStatuses ? 'ALL' : undefined },
            { after, limit: PAGE, withTotal: false },
          );
          const rows = (await conn.execute<Row[]>(q.sql, q.params, 'all', tx)).slice(0, PAGE);
          if (rows.length === 0) break;
          const ids = withIds ? await this.idsOf(em, request.system!, request.domain, rows) : new Map();
          await sink.write(
            rows
              .map((r) => this.line(r, request.format, fields, withIds, ids.get(r.record_id) ?? []))
              .join(''),
          );
          count += rows.length;
          const last = rows[rows.length - 1];
          after = [last.key, last.key_scope, last.record_id];
          if (rows.length < PAGE) break;
        }
        return count;
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
  }

  private async idsOf(
    em: Em,
    system: string,
    domain: string,
    rows: Row[],
  ): Promise<Map<string, { externalId: string; externalKey: string | null }[]>> {
    const links = await em
      .getConnection()
      .execute<{ record_id: string; external_id: string; external_key: string | null }[]>(
        `select record_id, external_id, external_key from xref
        where system_code = ? and domain = ? and state = 'ACTIVE' and record_id = any(?::uuid[])
        order by record_id, external_id`,
        [system, domain, toPgArray(rows.map((r) => r.record_id))],
        'all',
        em.getTransactionContext(),
      );
    const byRecord = new Map<string, { externalId: string; externalKey: string | null }[]>();
    for (const l of links)
      byRecord.set(l.record_id, [
        ...(byRecord.get(l.record_id) ?? []),
        { externalId: l.external_id, externalKey: l.external_key },
      ]);
    return byRecord;
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
