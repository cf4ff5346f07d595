/**
 * What people and connectors do with exceptions: connectors report failures on their inbound side;
 * stewards acknowledge, assign, comment, resolve (or won't fix), reopen, and release quarantined
 * records. Every change is audited and checks the exception's lock version: of two stewards acting
 * at once, one wins and the other gets VERSION_CONFLICT.
 */
import { LockMode } from '@mikro-orm/core';
import { validate as isUuid } from 'uuid';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { type OutboxService, originOf } from '../events/outbox.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import {
  ExceptionComment,
  type ExceptionState,
  IntegrationException,
  LIVE_EXCEPTION_STATES,
  Quarantine,
} from './exception.entities.ts';
import { AUDIT, bad, changeDetails, checkChange, type ExceptionChange } from './exception-changes.ts';
import { endQuarantines, excerptOf, fileExceptions } from './exception-intake.ts';
import type { ExceptionOwners } from './exception-owners.ts';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
/** At most this many exceptions per bulk action. */
export const MAX_BULK_EXCEPTIONS = 500;

export interface ReportInput {
  system?: string | null;
  domain: string;
  recordId?: string | null;
  revision?: number | null;
  externalId?: string | null;
  code: string;
  message: string;
  payload?: unknown;
  blocking?: boolean | null;
}

interface ActionDeps {
  orm: Orm;
  audit: AuditService;
  owners: ExceptionOwners;
  outbox: OutboxService;
  systems: SystemsService;
  contracts: ContractsService;
  records: RecordsService;
}

export class ExceptionActions {
  private readonly deps: ActionDeps;

  constructor(deps: ActionDeps) {
    this.deps = deps;
  }

  /** A connector's failure on its inbound side (Odoo refused a lot whose item it lacks). */
  async report(
    ctx: CallContext,
    input: ReportInput,
    idempotencyKey?: string | null,
  ): Promise<IntegrationException> {
    const system = input.system ?? ctx.actor?.systemCode ?? null;
    if (!ctx.actor) throw new CanonError('UNAUTHENTICATED', 'A valid API token is required.');
    if (!system) throw bad('Name the system whose failure this is.', ['system']);
    authorize(ctx.ability, ctx.actor, 'report', 'IntegrationException', { systemCode: system });
    if (!CODE.test(input.code)) throw bad('A code is letters, digits and "_.:-", at most 100.', ['code']);
    if (!input.message?.trim() || input.message.length > 2000)
      throw bad('A message of 1 to 2,000 characters says what went wrong.', ['message']);
    if (input.recordId && !isUuid(input.recordId))
      throw bad(`"${input.recordId}" is not a record id.`, ['recordId']);
    if (
      input.externalId !== undefined &&
      input.externalId !== null &&
      (!input.externalId.trim() || input.externalId.length > 300)
    )
      throw bad('An external id is 1 to 300 characters.', ['externalId']);
    if (!input.recordId && !input.externalId)
      throw bad("Say what failed: the record, or the system's own id of it.", ['recordId']);
    return idempotentTransaction(
      this.deps.orm,
      ctx,
      idempotencyKey,
      'reportException',
      input,
      replayOf,
      async (em) => {
        const active = await this.deps.systems.activeIn(em, system);
        if (active === null) throw notFound(`The system ${system}`, ['system']);
        await this.deps.contracts.validatorFor(em, input.domain);
        let site: string | null = null;
        if (input.recordId) {
          const [record] = await this.deps.records.identities(em, [input.recordId]);
          if (!record || record.domain !== input.domain)
            throw notFound(`The ${input.domain} record ${input.recordId}`, ['recordId']);
          site = record.site;
        }
        const [filed] = await fileExceptions(em, this.deps, ctx, [
          {
            source: 'CONNECTOR',
            systemCode: system,
            domain: input.domain,
            site,
            recordId: input.recordId ?? null,
            revision: input.revision ?? null,
            changeRequestId: null,
            sequence: null,
            externalId: input.externalId ?? null,
            code: input.code,
            message: input.message.trim(),
            payloadExcerpt: excerptOf(input.payload),
            blocking: input.blocking === true,
          },
        ]);
        if (filed.created)
          await this.deps.audit.record(em, ctx, {
            action: 'EXCEPTION_REPORTED',
            subjectType: 'IntegrationException',
            subjectId: filed.id,
            after: { system, domain: input.domain, recordId: input.recordId ?? null, code: input.code },
          });
        return em.findOneOrFail(IntegrationException, { id: filed.id }, { refresh: true });
      },
    );
  }

  /** One change to one exception, under its lock version. */
  async change(
    ctx: CallContext,
    id: string,
    change: ExceptionChange,
    lockVersion?: number | null,
    idempotencyKey?: string | null,
  ): Promise<IntegrationException> {
    authorize(ctx.ability, ctx.actor, 'update', 'IntegrationException');
    checkChange(change);
    return idempotentTransaction(
      this.deps.orm,
      ctx,
      idempotencyKey,
      'changeException',
      { id, change, lockVersion },
      replayOf,
      (em) => this.changeIn(em, ctx, id, change, lockVersion ?? undefined),
    );
  }

  /** The same change to many exceptions in one transaction: all or none (each under its version). */
  async changeMany(
    ctx: CallContext,
    items: readonly { id: string; lockVersion?: number | null }[],
    change: ExceptionChange,
    idempotencyKey?: string | null,
  ): Promise<IntegrationException[]> {
    authorize(ctx.ability, ctx.actor, 'update', 'IntegrationException');
    checkChange(change);
    if (items.length === 0 || items.length > MAX_BULK_EXCEPTIONS)
      throw bad(`Between 1 and ${MAX_BULK_EXCEPTIONS} exceptions per bulk action.`, ['ids']);
    const replay = (em: Em): Replayable<IntegrationException[]> => ({
      idOf: () => 'bulk',
      replay: async () =>
        em.find(IntegrationException, { id: { $in: items.map((i) => i.id).filter((x) => isUuid(x)) } }),
    });
    return idempotentTransaction(
      this.deps.orm,
      ctx,
      idempotencyKey,
      'changeExceptions',
      { items, change },
      replay,
      async (em) => {
        const out: IntegrationException[] = [];
        // in id order, so two bulk actions over overlapping sets lock in the same order
        const ordered = [...items]
          .map((item, index) => ({ ...item, index }))
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        for (const item of ordered) {
          try {
            out[item.index] = await this.changeIn(em, ctx, item.id, change, item.lockVersion ?? undefined);
          } catch (error) {
            if (error instanceof CanonError)
              throw new CanonError(error.code, `Exception ${item.id}: ${error.message}`, {
                path: ['ids', String(item.index)],
              });
            throw error;
          }
        }
        return out;
      },
    );
  }

  private async changeIn(
    em: Em,
    ctx: CallContext,
    id: string,
    change: ExceptionChange,
    lockVersion: number | undefined,
  ): Promise<IntegrationException> {
    const x = isUuid(id)
      ? await em.findOne(
          IntegrationException,
          { id },
          { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
        )
      : null;
    if (!x) throw notFound('The exception', ['id']);
    if (lockVersion !== undefined && x.lockVersion !== lockVersion)
      throw new CanonError(
        'VERSION_CONFLICT',
        `The exception changed since you read it (now ${x.state}, version ${x.lockVersion}); reload it.`,
        { path: ['lockVersion'] },
      );
    const live = LIVE_EXCEPTION_STATES.includes(x.state);
    const before = { state: x.state, assignee: x.assignee ?? null };
    const now = new Date();
    switch (change.kind) {
      case 'ACKNOWLEDGE':
        if (x.state === 'ACKNOWLEDGED') return x;
        if (!live) throw closed(x);
        x.state = 'ACKNOWLEDGED';
        x.acknowledgedAt = now;
        if (!x.assignee) x.assignee = ctx.actor?.name ?? null;
        break;
      case 'ASSIGN':
        if (!live) throw closed(x);
        if ((x.assignee ?? null) === change.assignee) return x;
        x.assignee = change.assignee;
        break;
      case 'COMMENT':
        em.create(ExceptionComment, {
          exceptionId: x.id,
          authorId: ctx.actor?.id ?? null,
          authorName: ctx.actor?.name ?? null,
          text: change.text,
          link: change.link ?? null,
        });
        break;
      case 'RESOLVE':
        if (!live) throw closed(x);
        x.state = change.state;
        x.resolvedAt = now;
        x.resolvedBy = ctx.actor?.id ?? null;
        x.resolution = change.note;
        x.liveKey = null;
        break;
      case 'REOPEN': {
        if (live)
          throw new CanonError('INVALID_STATE', `The exception is ${x.state}, not closed.`, { path: ['id'] });
        const key =
          `${x.systemCode}|${x.recordId ?? (x.externalId ? `${x.domain ?? ''}:${x.externalId}` : '-')}|${x.code}`.slice(
            0,
            500,
          );
        const other = await em.findOne(IntegrationException, { liveKey: key });
        if (other)
          throw new CanonError(
            'INVALID_STATE',
            `Exception ${other.id} is live for the same system, record and code.`,
            {
              path: ['id'],
            },
          );
        x.state = 'OPEN';
        x.resolvedAt = null;
        x.resolvedBy = null;
        x.resolution = null;
        x.liveKey = key;
        break;
      }
    }
    await em.flush();
    // a comment moves the exception's version too: whoever acts next has seen it
    if (change.kind === 'COMMENT')
      await em
        .getConnection()
        .execute(
          'update integration_exception set lock_version = lock_version + 1 where id = ?',
          [x.id],
          'all',
          em.getTransactionContext(),
        );
    if (change.kind === 'RESOLVE' && x.blocking && x.recordId)
      await endQuarantines(em, this.deps, ctx, [x.recordId]);
    await this.deps.audit.record(em, ctx, {
      action: AUDIT[change.kind],
      subjectType: 'IntegrationException',
      subjectId: x.id,
      before,
      after: { state: x.state, assignee: x.assignee ?? null, ...changeDetails(change) },
    });
    return change.kind === 'COMMENT'
      ? em.findOneOrFail(IntegrationException, { id: x.id }, { refresh: true })
      : x;
  }

  /** A steward lets a quarantined record through while its exception stays open (audited). */
  async release(
    ctx: CallContext,
    recordId: string,
    note: string,
    lockVersion?: number | null,
    idempotencyKey?: string | null,
  ): Promise<Quarantine> {
    authorize(ctx.ability, ctx.actor, 'release', 'IntegrationException');
    if (!note?.trim() || note.length > 2000)
      throw bad('Say why the record may go through (1 to 2,000 characters).', ['note']);
    const replay = (em: Em): Replayable<Quarantine> => ({
      idOf: (q) => q.recordId,
      replay: (rid) => em.findOneOrFail(Quarantine, { recordId: rid }),
    });
    return idempotentTransaction(
      this.deps.orm,
      ctx,
      idempotencyKey,
      'releaseQuarantine',
      { recordId, note, lockVersion },
      replay,
      async (em) => {
        const q = isUuid(recordId)
          ? await em.findOne(
              Quarantine,
              { recordId },
              { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
            )
          : null;
        if (!q) throw notFound('A quarantine of the record', ['recordId']);
        if (lockVersion !== undefined && lockVersion !== null && q.lockVersion !== lockVersion)
          throw new CanonError('VERSION_CONFLICT', 'The quarantine changed since you read it; reload it.', {
            path: ['lockVersion'],
          });
        if (q.releasedAt) return q;
        q.releasedAt = new Date();
        q.releasedBy = ctx.actor?.id ?? null;
        q.releaseNote = note.trim();
        await em.flush();
        await this.deps.outbox.append(em, {
          type: 'RECORD_RELEASED',
          domain: q.domain ?? undefined,
          subjectId: recordId,
          payload: { exceptionId: q.exceptionId, reason: 'RELEASED', note: q.releaseNote },
          origin: originOf(ctx),
        });
        await this.deps.audit.record(em, ctx, {
          action: 'QUARANTINE_RELEASED',
          subjectType: 'GoldenRecord',
          subjectId: recordId,
          after: { exceptionId: q.exceptionId, note: q.releaseNote },
        });
        return q;
      },
    );
  }
}

const replayOf = (em: Em): Replayable<IntegrationException> => ({
  idOf: (x) => x.id,
  replay: (id) => em.findOneOrFail(IntegrationException, { id }),
});

const closed = (x: IntegrationException) =>
  new CanonError(
    'VERSION_CONFLICT',
    `The exception was ${x.state.toLowerCase().replace('_', ' ')} meanwhile (${x.resolution ?? 'no note'}); reload it.`,
    {
      path: ['id'],
    },
  );

export type { ExceptionChange, ExceptionState };
