/**
 * Writing a system's map: batch link (idempotent; relinking an id to another record is a conflict,
 * never an overwrite) and unlink (an unlinked id answers its retired link), each in one transaction
 * with its audit event and outbox events.
 */
import { subject as casl } from '@casl/ability';
import { validate as isUuid } from 'uuid';
import { executeBound } from '../../db/bound-statements.ts';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { type OutboxService, originOf } from '../events/outbox.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import { lockAgainstMerges } from './xref-merges.ts';
import {
  checkIds,
  type LinkInput,
  type LinkResult,
  type Row,
  toPgArray,
  toView,
  type XrefView,
} from './xref-rows.ts';

export class XrefLinks {
  private readonly orm: Orm;
  private readonly records: RecordsService;
  private readonly audit: AuditService;
  private readonly outbox: OutboxService;
  private readonly systems: SystemsService;

  constructor(
    orm: Orm,
    audit: AuditService,
    outbox: OutboxService,
    records: RecordsService,
    systems: SystemsService,
  ) {
    this.orm = orm;
    this.records = records;
    this.audit = audit;
    this.outbox = outbox;
    this.systems = systems;
  }

  assertManage(ctx: CallContext, system: string): void {
    if (!ctx.actor) throw new CanonError('UNAUTHENTICATED', 'A valid API token is required.');
    if (!ctx.ability.can('manage', casl('Xref', { systemCode: system }) as never)) {
      throw new CanonError(
        'FORBIDDEN',
        ctx.actor.role === 'connector'
          ? `A connector of ${ctx.actor.systemCode} manages only its own system's ids.`
          : `Your role (${ctx.actor.role}) may not change cross-references.`,
      );
    }
  }

  /** Links a batch of a system's ids to records, in one transaction; returns what was linked. */
  async link(
    ctx: CallContext,
    input: { system: string; domain: string; links: LinkInput[] },
    idempotencyKey?: string | null,
  ): Promise<LinkResult> {
    this.assertManage(ctx, input.system);
    checkIds(
      input.links.map((l) => l.externalId),
      'links',
    );
    const seen = new Map<string, string>();
    for (const [i, l] of input.links.entries()) {
      if (!isUuid(l.recordId))
        throw new CanonError('BAD_USER_INPUT', `"${l.recordId}" is not a record id.`, {
          path: ['links', String(i), 'recordId'],
        });
      if (typeof l.externalKey === 'string' && l.externalKey.length > 300)
        throw new CanonError('BAD_USER_INPUT', 'An external key is at most 300 characters.', {
          path: ['links', String(i), 'externalKey'],
        });
      if (seen.has(l.externalId) && seen.get(l.externalId) !== l.recordId) {
        throw new CanonError('DUPLICATE_KEY', `The batch links ${l.externalId} to two records.`, {
          path: ['links', String(i), 'externalId'],
        });
      }
      seen.set(l.externalId, l.recordId);
    }
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'linkXrefs',
      input,
      this.linkReplay(input),
      (em) => this.linkWithin(em, ctx, input),
    );
  }

  /**
   * The links of a batch written in the caller's transaction (linkXrefs, and imports linking the ids
   * of the rows they wrote); the caller has checked the input's shape. `preauthorized`: the links were
   * authorised earlier by whoever asked for them (an import's ids, linked when a steward's approval
   * creates their records), not by the caller now. `withoutAnswer`: the links are not read back
   * (imports need only the counts).
   */
  async linkWithin(
    em: Em,
    ctx: CallContext,
    input: { system: string; domain: string; links: LinkInput[] },
    options: { preauthorized?: boolean; withoutAnswer?: boolean } = {},
  ): Promise<LinkResult> {
    if (!options.preauthorized) this.assertManage(ctx, input.system);
    const seen = new Map(input.links.map((l) => [l.externalId, l.recordId]));
    const _conn = em.getConnection();
    const _tx = em.getTransactionContext();
    const active = await this.systems.activeIn(em, input.system);
    if (active === null)
      throw new CanonError('NOT_FOUND', `The system ${input.system} is not registered.`, {
        path: ['system'],
      });
    if (!active)
      throw new CanonError('INVALID_STATE', `The system ${input.system} is deactivated.`, {
        path: ['system'],
      });
    const recordIds = [...new Set(input.links.map((l) => l.recordId))];
    // a merge of this domain commits before (its records are then MERGED) or after (it moves these links)
    await lockAgainstMerges(em, input.domain);
    const records = await this.records.identities(em, recordIds);
    const missing = input.links.filter(
      (l) => !records.some((r) => r.id === l.recordId && r.domain === input.domain && r.status === 'ACTIVE'),
    );
    if (missing.length > 0) {
      throw new CanonError(
        'REFERENCE_NOT_FOUND',
        `${missing.length} link(s) name no live ${input.domain} record.`,
        {
          path: ['links'],
          details: missing.slice(0, 50).map((l) => ({
            path: l.externalId,
            message: `record ${l.recordId} is not a live ${input.domain} record`,
          })),
        },
      );
    }
    // serialise link batches of one (system, domain) so concurrent batches cannot both claim an id
    await executeBound<unknown>(em, 'select pg_advisory_xact_lock(hashtext(?))', [
      `xref:${input.system}:${input.domain}`,
    ]);
    const ids = [...seen.keys()];
    const existing = await executeBound<{
      external_id: string;
      record_id: string;
      external_key: string | null;
    }>(
      em,
      `select external_id, record_id, external_key from xref
      where system_code = ? and domain = ? and state = 'ACTIVE' and external_id = any(?::text[])`,
      [input.system, input.domain, toPgArray(ids)],
    );
    const conflicts = existing.filter((e) => seen.get(e.external_id) !== e.record_id);
    if (conflicts.length > 0) {
      throw new CanonError(
        'DUPLICATE_KEY',
        `${conflicts.length} id(s) are already linked to other records; unlink them first.`,
        {
          path: ['links'],
          details: conflicts
            .slice(0, 50)
            .map((c) => ({ path: c.external_id, message: `linked to ${c.record_id}` })),
        },
      );
    }
    // sort the batch into new links and new xml ids for live links, then write each set at once
    const known = new Map(existing.map((e) => [e.external_id, e.external_key]));
    const fresh = new Map<string, { recordId: string; externalKey: string | null }>();
    const rekeyed = new Map<string, string | null>();
    let linked = 0;
    let unchanged = 0;
    for (const l of input.links) {
      const pending = fresh.get(l.externalId);
      // the external key the id has at this point of the batch; undefined: not linked yet
      let current: string | null | undefined;
      if (pending) current = pending.externalKey;
      else if (rekeyed.has(l.externalId)) current = rekeyed.get(l.externalId) ?? null;
      else if (known.has(l.externalId)) current = known.get(l.externalId) ?? null;
      if (current === undefined) {
        fresh.set(l.externalId, { recordId: l.recordId, externalKey: l.externalKey ?? null });
        linked++;
      } else if (l.externalKey !== undefined && (l.externalKey ?? null) !== current) {
        if (pending) pending.externalKey = l.externalKey ?? null;
        else rekeyed.set(l.externalId, l.externalKey ?? null);
        linked++;
      } else unchanged++;
    }
    await this.assertExternalKeysUnique(em, input, existing, fresh, rekeyed);
    if (rekeyed.size > 0) {
      await executeBound<unknown>(
        em,
        `update xref x set external_key = u.k, synced_at = now(), updated_at = now()
         from unnest(?::text[], ?::text[]) as u(id, k)
        where x.system_code = ? and x.domain = ? and x.state = 'ACTIVE' and x.external_id = u.id`,
        [toPgArray([...rekeyed.keys()]), toPgArray([...rekeyed.values()]), input.system, input.domain],
      );
    }
    if (fresh.size > 0) {
      const links = [...fresh.entries()];
      const keyOf = new Map(records.map((r) => [r.id, r.key]));
      await executeBound<unknown>(
        em,
        `insert into xref (system_code, domain, external_id, external_key, record_id, record_key, state, synced_at, created_at, updated_at)
       select ?, ?, u.id, u.k, u.r::uuid, u.rk, 'ACTIVE', now(), now(), now()
         from unnest(?::text[], ?::text[], ?::text[], ?::text[]) with ordinality as u(id, k, r, rk, ord)
        order by u.ord`,
        [
          input.system,
          input.domain,
          toPgArray(links.map(([id]) => id)),
          toPgArray(links.map(([, l]) => l.externalKey)),
          toPgArray(links.map(([, l]) => l.recordId)),
          toPgArray(links.map(([, l]) => keyOf.get(l.recordId) ?? null)),
        ],
      );
      await this.outbox.appendMany(
        em,
        links.map(([externalId, l]) => ({
          type: 'XREF_LINKED' as const,
          domain: input.domain,
          subjectId: l.recordId,
          payload: { system: input.system, externalId, externalKey: l.externalKey, recordId: l.recordId },
          origin: originOf(ctx),
        })),
      );
    }
    if (linked > 0) {
      await this.audit.record(em, ctx, {
        action: 'XREFS_LINKED',
        subjectType: 'XrefMap',
        subjectId: `${input.system}/${input.domain}`,
        after: { linked, unchanged, sample: input.links.slice(0, 20) },
      });
    }
    if (options.withoutAnswer) return { linked, unchanged, xrefs: [] };
    const rows = await executeBound<Row>(
      em,
      `select system_code, domain, external_id, external_key, record_id, record_key as key, state, synced_at
       from xref
      where system_code = ? and domain = ? and state = 'ACTIVE' and external_id = any(?::text[])`,
      [input.system, input.domain, toPgArray(ids)],
    );
    return { linked, unchanged, xrefs: rows.map(toView) };
  }

  /**
   * A retried batch answers with the links as they are now: linking is idempotent by content, so the
   * replay is the same batch again, which changes nothing and counts every link as unchanged.
   */
  private linkReplay(input: { system: string; domain: string; links: LinkInput[] }) {
    return (em: Em): Replayable<LinkResult> => ({
      idOf: () => `${input.system}/${input.domain}`,
      replay: async () => {
        const rows = await em.getConnection().execute<Row[]>(
          `select system_code, domain, external_id, external_key, record_id, record_key as key, state, synced_at
             from xref where system_code = ? and domain = ? and state = 'ACTIVE' and external_id = any(?::text[])`,
          [input.system, input.domain, toPgArray(input.links.map((l) => l.externalId))],
          'all',
          em.getTransactionContext(),
        );
        const byId = new Map(rows.map((r) => [r.external_id, r]));
        const xrefs = input.links.flatMap((l) => {
          const r = byId.get(l.externalId);
          return r ? [toView(r)] : [];
        });
        return { linked: 0, unchanged: xrefs.length, xrefs };
      },
    });
  }

  /**
   * A second id names one record (Odoo's xml ids are unique per database): live links of a system and
   * domain that share an externalKey all point at the same record — within the batch and with the
   * links already there. (Several ids of one record may carry it.)
   */
  private async assertExternalKeysUnique(
    em: Em,
    input: { system: string; domain: string },
    existing: { external_id: string; record_id: string; external_key: string | null }[],
    fresh: Map<string, { recordId: string; externalKey: string | null }>,
    rekeyed: Map<string, string | null>,
  ): Promise<void> {
    // the key and record of each id of the batch once it is written
    const final = new Map(
      existing.map((e) => [e.external_id, { key: e.external_key, recordId: e.record_id }]),
    );
    for (const [id, k] of rekeyed) final.set(id, { key: k, recordId: final.get(id)!.recordId });
    for (const [id, l] of fresh) final.set(id, { key: l.externalKey, recordId: l.recordId });
    const wanted = [...new Set([...final.values()].map((f) => f.key))].filter((k): k is string => k !== null);
    if (wanted.length === 0) return;
    const taken = await em
      .getConnection()
      .execute<{ external_id: string; external_key: string; record_id: string }[]>(
        `select external_id, external_key, record_id from xref
        where system_code = ? and domain = ? and state = 'ACTIVE' and external_key = any(?::text[])`,
        [input.system, input.domain, toPgArray(wanted)],
        'all',
        em.getTransactionContext(),
      );
    const details: { path: string; message: string }[] = [];
    for (const key of wanted) {
      const records = new Set([...final.values()].filter((f) => f.key === key).map((f) => f.recordId));
      for (const row of taken)
        if (row.external_key === key && !final.has(row.external_id)) records.add(row.record_id);
      if (records.size > 1)
        details.push({ path: key, message: `externalKey ${key} would name ${records.size} records` });
    }
    if (details.length > 0)
      throw new CanonError(
        'DUPLICATE_KEY',
        `${details.length} externalKey(s) would name more than one ${input.domain} record of ${input.system}; an external key names one record.`,
        { path: ['links'], details: details.slice(0, 50) },
      );
  }

  async unlink(
    ctx: CallContext,
    input: { system: string; domain: string; externalId: string },
    idempotencyKey?: string | null,
  ): Promise<XrefView> {
    this.assertManage(ctx, input.system);
    const replay = (em: Em): Replayable<XrefView> => ({
      idOf: () => input.externalId,
      replay: async () => {
        const rows = await em.getConnection().execute<Row[]>(
          `select system_code, domain, external_id, external_key, record_id, record_key as key, state, synced_at
             from xref where system_code = ? and domain = ? and external_id = ?
            order by updated_at desc limit 1`,
          [input.system, input.domain, input.externalId],
          'all',
          em.getTransactionContext(),
        );
        if (!rows[0]) throw notFound('The link', ['externalId']);
        return toView(rows[0]);
      },
    });
    return idempotentTransaction(this.orm, ctx, idempotencyKey, 'unlinkXref', input, replay, async (em) => {
      const conn = em.getConnection();
      const tx = em.getTransactionContext();
      const rows = await conn.execute<Row[]>(
        `update xref set state = 'RETIRED', updated_at = now()
          where system_code = ? and domain = ? and external_id = ? and state = 'ACTIVE'
          returning system_code, domain, external_id, external_key, record_id, record_key as key, state, synced_at`,
        [input.system, input.domain, input.externalId],
        'all',
        tx,
      );
      if (!rows[0]) {
        // unlinking what is already unlinked succeeds (a retried unlink); never linked is NOT_FOUND
        const retired = await conn.execute<Row[]>(
          `select system_code, domain, external_id, external_key, record_id, record_key as key, state, synced_at
             from xref where system_code = ? and domain = ? and external_id = ? and state = 'RETIRED'
            order by updated_at desc limit 1`,
          [input.system, input.domain, input.externalId],
          'all',
          tx,
        );
        if (retired[0]) return toView(retired[0]);
        throw new CanonError(
          'NOT_FOUND',
          `${input.system} has no link for ${input.domain} ${input.externalId}.`,
          { path: ['externalId'] },
        );
      }
      await this.audit.record(em, ctx, {
        action: 'XREF_UNLINKED',
        subjectType: 'XrefMap',
        subjectId: `${input.system}/${input.domain}`,
        before: { externalId: input.externalId, recordId: rows[0].record_id },
      });
      await this.outbox.append(em, {
        type: 'XREF_UNLINKED',
        domain: input.domain,
        subjectId: rows[0].record_id,
        payload: { system: input.system, externalId: input.externalId, recordId: rows[0].record_id },
        origin: originOf(ctx),
      });
      return toView(rows[0]);
    });
  }
}
