/**
 * Reconciliation of a system's extract with Canon: each row of the file (mapped as an import would
 * map it) is found by the system's id in its cross-references, else by business key, and compared
 * field by field with the golden record; the system's linked records the file does not mention are
 * reported missing. With `propose`, differences in the fields the system owns become proposals.
 * Reads only, in constant memory but for the set of record ids seen (to find the missing ones).
 */

import type { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import type { Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { Data } from '../records/domain-rules.ts';
import type { RecordsService } from '../records/records.service.ts';
import { pointerCovers } from '../systems/ownership.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import type { Lookups, RowMapping } from './mappings.ts';
import { readRows, type SourceEncoding, type SourceFormat, type SourceRow } from './row-sources.ts';

export const DIFFERENCE_KINDS = [
  'UNKNOWN_TO_CANON',
  'NOT_LINKED',
  'FIELD_MISMATCH',
  'LINKED_TO_RETIRED',
  'MISSING_IN_SYSTEM',
  'UNREADABLE_ROW',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export interface Difference {
  kind: DifferenceKind;
  row: number | null;
  externalId: string | null;
  key: string | null;
  recordId: string | null;
  pointer: string;
  canon?: unknown;
  system?: unknown;
  message: string;
}

export interface ReconcileSummary {
  rows: number;
  matched: number;
  identical: number;
  counts: Record<DifferenceKind, number>;
  proposals: number;
}

const BATCH = 500;

export class ReconcileService {
  private readonly orm: Orm;
  private readonly records: RecordsService;
  private readonly xref: XrefService;
  private readonly systems: SystemsService;

  constructor(deps: { orm: Orm; records: RecordsService; xref: XrefService; systems: SystemsService }) {
    this.orm = deps.orm;
    this.records = deps.records;
    this.xref = deps.xref;
    this.systems = deps.systems;
  }

  async run(
    ctx: CallContext,
    request: {
      system: string;
      domain: string;
      mapping: RowMapping;
      format: SourceFormat;
      encoding?: SourceEncoding;
      propose?: boolean;
    },
    input: Readable,
    onDifference: (d: Difference) => Promise<void> | void,
    onProgress?: (summary: ReconcileSummary) => void,
  ): Promise<ReconcileSummary> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    if (request.propose)
      authorize(ctx.ability, ctx.actor, 'propose', 'GoldenRecord', { domain: request.domain });
    await this.xref.requireMapNames(ctx, request.system, request.domain);
    if (request.mapping.domain && request.mapping.domain !== request.domain)
      throw new CanonError(
        'BAD_USER_INPUT',
        `The mapping ${request.mapping.name} is for ${request.mapping.domain}, not ${request.domain}.`,
        {
          path: ['mapping'],
        },
      );
    const owned = request.propose ? await this.ownedFields(request.system, request.domain) : null;
    const summary: ReconcileSummary = {
      rows: 0,
      matched: 0,
      identical: 0,
      counts: Object.fromEntries(DIFFERENCE_KINDS.map((k) => [k, 0])) as Record<DifferenceKind, number>,
      proposals: 0,
    };
    const report = async (d: Difference) => {
      summary.counts[d.kind]++;
      await onDifference(d);
    };
    const seen = new Set<string>();
    const lookups = this.lookups(ctx, request.system);
    let batch: SourceRow[] = [];
    const flush = async () => {
      await this.compareBatch(ctx, request, batch, lookups, seen, summary, report, owned);
      batch = [];
      onProgress?.(summary);
    };
    for await (const row of readRows(input, request.format, request.encoding)) {
      batch.push(row);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    await this.reportMissing(ctx, request, seen, report);
    return summary;
  }

  /** Fields (JSON pointers) the system owns in the domain: null = none; [] never; ['/'] = whole record. */
  private async ownedFields(system: string, domain: string): Promise<string[] | null> {
    const rules = (await this.systems.ownershipOf(system)).filter(
      (r) => r.domain === domain && r.site === null,
    );
    if (rules.length === 0) return null;
    if (rules.some((r) => r.fields === null)) return [''];
    return rules.flatMap((r) => r.fields ?? []);
  }

  private async compareBatch(
    ctx: CallContext,
    request: { system: string; domain: string; mapping: RowMapping },
    rows: SourceRow[],
    lookups: Lookups,
    seen: Set<string>,
    summary: ReconcileSummary,
    report: (d: Difference) => Promise<void>,
    owned: string[] | null,
  ): Promise<void> {
    if (rows.length === 0) return;
    const mapped: { line: number; data: Data; externalId: string | null }[] = [];
    for (const row of rows) {
      summary.rows++;
      if (row.problem) {
        await report({
          kind: 'UNREADABLE_ROW',
          row: row.line,
          externalId: null,
          key: null,
          recordId: null,
          pointer: row.problem.pointer,
          message: row.problem.message,
        });
        continue;
      }
      const m = await request.mapping.map(row, lookups);
      if (m.findings.length > 0) {
        const f = m.findings[0];
        await report({
          kind: 'UNREADABLE_ROW',
          row: row.line,
          externalId: m.externalId,
          key: null,
          recordId: null,
          pointer: f.pointer,
          message: f.message,
        });
        continue;
      }
      mapped.push({ line: row.line, data: m.data, externalId: m.externalId });
    }
    const em = this.orm.em.fork();
    const keys = await this.records.businessKeysOf(
      em,
      request.domain,
      mapped.map((m) => m.data),
    );
    const ids = mapped.flatMap((m) => (m.externalId ? [m.externalId] : []));
    const resolved = ids.length > 0 ? await this.xref.resolve(ctx, request.system, request.domain, ids) : [];
    const linkedTo = new Map(resolved.filter((r) => r.recordId).map((r) => [r.externalId, r.recordId!]));
    const byId = await this.records.recordsByIds(ctx, [...new Set(linkedTo.values())]);
    const byKey = await this.records.recordsByKeys(
      ctx,
      request.domain,
      keys.map((key) => ({ key })),
    );
    const records = new Map(byId.flatMap((r) => (r ? [[r.id, r]] : [])));
    for (const [i, m] of mapped.entries()) {
      const linkedId = m.externalId ? linkedTo.get(m.externalId) : undefined;
      const record = linkedId ? records.get(linkedId) : (byKey[i] ?? undefined);
      const base = { row: m.line, externalId: m.externalId, key: keys[i] || null };
      if (!record) {
        await report({
          ...base,
          kind: 'UNKNOWN_TO_CANON',
          recordId: null,
          pointer: '',
          message: `No ${request.domain} record has the key ${keys[i]} and the id is not linked.`,
        });
        continue;
      }
      seen.add(record.id);
      summary.matched++;
      if (record.status !== 'ACTIVE') {
        await report({
          ...base,
          kind: 'LINKED_TO_RETIRED',
          recordId: record.id,
          pointer: '',
          message: `${request.system} still uses ${record.key}, which is ${record.status.toLowerCase()} in Canon.`,
        });
        continue;
      }
      if (!linkedId && m.externalId)
        await report({
          ...base,
          kind: 'NOT_LINKED',
          recordId: record.id,
          pointer: '',
          message: `The id ${m.externalId} is not linked to ${record.key} yet (canon xrefs import links it).`,
        });
      const mismatches = Object.keys(m.data).filter(
        (field) => !isDeepStrictEqual(m.data[field], record.data[field]),
      );
      if (mismatches.length === 0) summary.identical++;
      for (const field of mismatches)
        await report({
          ...base,
          kind: 'FIELD_MISMATCH',
          recordId: record.id,
          pointer: `/${field}`,
          canon: record.data[field] ?? null,
          system: m.data[field],
          message: `${field} differs.`,
        });
      if (owned && mismatches.length > 0)
        summary.proposals += await this.propose(ctx, request, record, m.data, mismatches, owned);
    }
  }

  /** A proposal of the system's values for the mismatched fields it owns (one per record). */
  private async propose(
    ctx: CallContext,
    request: { system: string; domain: string },
    record: { id: string; latestRevision: number },
    data: Data,
    mismatches: string[],
    owned: string[],
  ): Promise<number> {
    const fields = mismatches.filter((f) => owned.some((o) => o === '' || pointerCovers(o, `/${f}`)));
    if (fields.length === 0) return 0;
    await this.records.propose(ctx, {
      domain: request.domain,
      recordId: record.id,
      baseRevision: record.latestRevision,
      patch: Object.fromEntries(fields.map((f) => [f, data[f]])),
      reason: `Reconciliation with ${request.system}: its values of ${fields.join(', ')}.`,
    });
    return 1;
  }

  /** Records linked to the system that the extract did not mention. */
  private async reportMissing(
    ctx: CallContext,
    request: { system: string; domain: string },
    seen: Set<string>,
    report: (d: Difference) => Promise<void>,
  ): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.xref.map(ctx, request.system, request.domain, 1000, after);
      for (const x of page.slice(0, 1000)) {
        if (!seen.has(x.recordId))
          await report({
            kind: 'MISSING_IN_SYSTEM',
            row: null,
            externalId: x.externalId,
            key: x.key,
            recordId: x.recordId,
            pointer: '',
            message: `${x.key} is linked to ${request.system} id ${x.externalId}, which the extract does not have.`,
          });
      }
      if (page.length <= 1000) break;
      after = page[999].rowId;
    }
  }

  private lookups(ctx: CallContext, system: string): Lookups {
    return {
      keyOfExternalId: async (domain, externalId) =>
        (await this.xref.resolve(ctx, system, domain, [externalId]))[0]?.key ?? null,
    };
  }
}
