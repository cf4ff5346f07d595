import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { PreparedQueries } from '../../db/prepared.ts';
import { readConnection } from '../../db/read-connection.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import { KnownNames } from './known-names.ts';
import { XrefLinks } from './xref-links.ts';
import { xrefMergeParticipant } from './xref-merges.ts';
import {
  checkIds,
  type KeyResolution,
  type LinkInput,
  type LinkResult,
  type Resolution,
  type Row,
  type Translation,
  toPgArray,
  toView,
  type XrefView,
} from './xref-rows.ts';
import { RESOLVE, RESOLVE_BY_KEY, TRANSLATE } from './xref-statements.ts';

/** Told of every lookup in a map: system, domain, kind and how many ids (the metrics count them). */
export type XrefLookupObserver = (
  system: string,
  domain: string,
  kind: 'id' | 'key' | 'translate',
  ids: number,
  ctx: CallContext,
) => void;

export class XrefService {
  private readonly lookupObservers: XrefLookupObserver[] = [];
  private readonly orm: Orm;
  private readonly prepared: PreparedQueries;
  private readonly links: XrefLinks;
  private readonly names: KnownNames;

  constructor(
    orm: Orm,
    audit: AuditService,
    outbox: OutboxService,
    records: RecordsService,
    systems: SystemsService,
    contracts: ContractsService,
  ) {
    this.orm = orm;
    this.prepared = new PreparedQueries(orm);
    this.links = new XrefLinks(orm, audit, outbox, records, systems);
    this.names = new KnownNames(systems, contracts);
    // the key copied into each link follows a rekey of its record, in the rekey's transaction
    // a merge moves the merged record's links to the survivor (xref-merges.ts)
    records.participateInMerges(xrefMergeParticipant(outbox));
    records.onRekeyed(async (em, change) => {
      await em
        .getConnection()
        .execute(
          'update xref set record_key = ?, updated_at = now() where record_id = ?',
          [change.newKey, change.recordId],
          'all',
          em.getTransactionContext(),
        );
    });
  }

  /** A system and a domain a map is asked for must exist: a typo is NOT_FOUND, never an empty map. */
  async requireMapNames(ctx: CallContext, system: string, domain: string): Promise<void> {
    authorize(ctx.ability, ctx.actor, 'read', 'Xref');
    await Promise.all([
      this.names.requireSystem(ctx, system, 'system'),
      this.names.requireDomain(ctx, domain),
    ]);
  }

  /** Links a batch of a system's ids to records, in one transaction (xref-links.ts). */
  link(
    ctx: CallContext,
    input: { system: string; domain: string; links: LinkInput[] },
    idempotencyKey?: string | null,
  ): Promise<LinkResult> {
    return this.links.link(ctx, input, idempotencyKey);
  }

  /** Retires a link (xref-links.ts). */
  unlink(
    ctx: CallContext,
    input: { system: string; domain: string; externalId: string },
    idempotencyKey?: string | null,
  ): Promise<XrefView> {
    return this.links.unlink(ctx, input, idempotencyKey);
  }

  /** Refuses a caller who may not change this system's cross-references. */
  assertMayLink(ctx: CallContext, system: string): void {
    this.links.assertManage(ctx, system);
  }

  /** Links written in the caller's transaction (imports); see XrefLinks.linkWithin. */
  linkWithin: XrefLinks['linkWithin'] = (...a) => this.links.linkWithin(...a);

  /** The keys of the records a system's ids are linked to now, in the caller's transaction (id → key). */
  async linkedKeysIn(
    em: Em,
    system: string,
    domain: string,
    externalIds: readonly string[],
  ): Promise<Map<string, string>> {
    if (externalIds.length === 0) return new Map();
    const rows = await em.getConnection().execute<{ external_id: string; record_key: string }[]>(
      `select external_id, record_key from xref
        where system_code = ? and domain = ? and state = 'ACTIVE' and external_id = any(?::text[])`,
      [system, domain, toPgArray(externalIds)],
      'all',
      em.getTransactionContext(),
    );
    return new Map(rows.map((r) => [r.external_id, r.record_key]));
  }

  /** A system's live ids of several records, in the caller's transaction (record id → its ids). */
  async linksOfRecordsIn(
    em: Em,
    system: string,
    domain: string,
    recordIds: readonly string[],
  ): Promise<Map<string, { externalId: string; externalKey: string | null }[]>> {
    const byRecord = new Map<string, { externalId: string; externalKey: string | null }[]>();
    if (recordIds.length === 0) return byRecord;
    const links = await em
      .getConnection()
      .execute<{ record_id: string; external_id: string; external_key: string | null }[]>(
        `select record_id, external_id, external_key from xref
          where system_code = ? and domain = ? and state = 'ACTIVE' and record_id = any(?::uuid[])
          order by record_id, external_id`,
        [system, domain, toPgArray(recordIds)],
        'all',
        em.getTransactionContext(),
      );
    for (const l of links)
      byRecord.set(l.record_id, [
        ...(byRecord.get(l.record_id) ?? []),
        { externalId: l.external_id, externalKey: l.external_key },
      ]);
    return byRecord;
  }

  observeLookups(observer: XrefLookupObserver): void {
    this.lookupObservers.push(observer);
  }

  private looked(
    ctx: CallContext,
    system: string,
    domain: string,
    kind: 'id' | 'key' | 'translate',
    ids: number,
  ): void {
    for (const o of this.lookupObservers) o(system, domain, kind, ids, ctx);
  }

  /** Ids to canonical records, in input order (null for unknown ids): one statement. */
  async resolve(
    ctx: CallContext,
    system: string,
    domain: string,
    externalIds: readonly string[],
  ): Promise<Resolution[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Xref');
    checkIds(externalIds, 'externalIds');
    await this.requireMapNames(ctx, system, domain);
    if (externalIds.length === 0) return [];
    const rows = await this.prepared.query<{
      external_id: string;
      record_id: string | null;
      key: string | null;
    }>(RESOLVE, [toPgArray(externalIds), system, domain]);
    this.looked(ctx, system, domain, 'id', externalIds.length);
    return rows.map((r) => ({ externalId: r.external_id, recordId: r.record_id, key: r.key }));
  }

  /** A system's external keys (Odoo xml ids) to records, in input order: one statement. */
  async resolveKeys(
    ctx: CallContext,
    system: string,
    domain: string,
    externalKeys: readonly string[],
  ): Promise<KeyResolution[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Xref');
    checkIds(externalKeys, 'externalKeys');
    await this.requireMapNames(ctx, system, domain);
    if (externalKeys.length === 0) return [];
    const rows = await this.prepared.query<{
      external_key: string;
      external_id: string | null;
      record_id: string | null;
      key: string | null;
      records: string | number;
    }>(RESOLVE_BY_KEY, [toPgArray(externalKeys), system, domain]);
    this.looked(ctx, system, domain, 'key', externalKeys.length);
    return rows.map((r) => {
      const ambiguous = Number(r.records) > 1;
      return {
        externalKey: r.external_key,
        externalId: ambiguous ? null : r.external_id,
        recordId: ambiguous ? null : r.record_id,
        key: ambiguous ? null : r.key,
        ambiguous,
      };
    });
  }

  /** One system's ids to another's for the same records, in input order: one statement. */
  async translate(
    ctx: CallContext,
    domain: string,
    fromSystem: string,
    toSystem: string,
    externalIds: readonly string[],
  ): Promise<Translation[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Xref');
    checkIds(externalIds, 'externalIds');
    await Promise.all([
      this.names.requireSystem(ctx, fromSystem, 'fromSystem'),
      this.names.requireSystem(ctx, toSystem, 'toSystem'),
      this.names.requireDomain(ctx, domain),
    ]);
    if (externalIds.length === 0) return [];
    const rows = await this.prepared.query<{
      external_id: string;
      record_id: string | null;
      target_id: string | null;
      target_key: string | null;
    }>(TRANSLATE, [toPgArray(externalIds), fromSystem, domain, toSystem, domain]);
    this.looked(ctx, fromSystem, domain, 'translate', externalIds.length);
    return rows.map((r) => ({
      externalId: r.external_id,
      recordId: r.record_id,
      targetId: r.target_id,
      targetKey: r.target_key,
    }));
  }

  /** Live links of several records (for DataLoader). */
  async ofRecords(ctx: CallContext, recordIds: readonly string[]): Promise<XrefView[][]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Xref');
    const ids = recordIds.filter((id) => isUuid(id));
    const rows =
      ids.length === 0
        ? []
        : await readConnection(this.orm.em).execute<Row[]>(
            `select system_code, domain, external_id, external_key, record_id, record_key as key, state, synced_at
               from xref
              where record_id in (${ids.map(() => '?').join(',')}) and state = 'ACTIVE'
              order by system_code, external_id`,
            ids,
          );
    return recordIds.map((id) => rows.filter((r) => r.record_id === id).map(toView));
  }

  /**
   * A page of a system's map for a domain, in link order (keyset paging on the row id): up to
   * `first` links after the row `after`, plus one more when there are more.
   */
  async map(
    ctx: CallContext,
    system: string,
    domain: string,
    first: number,
    after?: string,
  ): Promise<(XrefView & { rowId: string })[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'Xref');
    const limit = Math.min(Math.max(first, 1), 5000);
    if (after !== undefined && !/^\d{1,19}$/.test(after))
      throw new CanonError('BAD_USER_INPUT', 'Not a cursor of this map.', { path: ['after'] });
    await this.requireMapNames(ctx, system, domain);
    const afterId = after ?? '0';
    const rows = await readConnection(this.orm.em).execute<(Row & { id: string })[]>(
      `select id::text, system_code, domain, external_id, external_key, record_id, record_key as key, state, synced_at
         from xref
        where system_code = ? and domain = ? and state = 'ACTIVE' and id > ?
        order by id limit ?`,
      [system, domain, afterId, limit + 1],
    );
    return rows.map((r) => ({ ...toView(r), rowId: r.id }));
  }
}
