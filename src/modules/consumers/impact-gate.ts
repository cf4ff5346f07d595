/**
 * The wait of breaking versions: a publication the contract's policy calls breaking, with active
 * consumers, is refused (IMPACT_PENDING) until the owner of each consumer acknowledges the version or
 * an admin overrides the wait with a reason. The wait, each acknowledgement and the override are
 * audited and announced on the feed (contract.impact.pending, contract.impact.acknowledged).
 */
import { LockMode } from '@mikro-orm/core';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize, can, defineAbilityFor } from '../auth/ability.ts';
import { type CallContext, SYSTEM_ACTOR } from '../auth/actor-context.ts';
import { ALL_CHANGE_KINDS } from '../contracts/compatibility/change-kinds.ts';
import { type OutboxService, originOf } from '../events/outbox.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import { ContractImpact, ImpactAck, ImpactPolicy } from './consumer.entities.ts';
import { type AnalysisDeps, analyseImpact, type ImpactView, policyOf } from './impact-analysis.ts';

export interface GateDeps extends AnalysisDeps {
  audit: AuditService;
  outbox: OutboxService;
}

const bad = (message: string, path: string[]) => new CanonError('BAD_USER_INPUT', message, { path });

export class ImpactGate {
  private readonly deps: GateDeps;

  constructor(deps: GateDeps) {
    this.deps = deps;
  }

  private get orm(): Orm {
    return this.deps.orm;
  }

  /** Before a publication: lets it go on, or records the wait (once) and refuses with IMPACT_PENDING. */
  async hold(ctx: CallContext, contract: string, version: string): Promise<void> {
    const existing = await this.orm.em.fork().findOne(ContractImpact, { contract, version });
    if (existing && existing.state !== 'PENDING') return;
    // nothing to weigh without a wait already started, or a consumer the policy could wait for: a
    // publication (every built-in contract's at first start too) costs two cheap reads, not a diff
    if (!existing && !(await this.mayWait(contract))) return;
    const view = await analyseImpact(this.deps, ctx, contract, version).catch((error) => {
      // an unknown version or contract is the publication's own error to give
      if (error instanceof CanonError && error.code === 'NOT_FOUND') return null;
      throw error;
    });
    if (!view || view.reasons.length === 0) return;
    const blocking = view.consumers.filter((c) => c.blocking);
    if (!existing && blocking.length === 0) return;
    const waitingFor = await this.orm.em.fork().transactional(async (em) => {
      const impact =
        (await em.findOne(ContractImpact, { contract, version }, { lockMode: LockMode.PESSIMISTIC_WRITE })) ??
        (await this.startWait(em, ctx, view, blocking));
      if (impact.state !== 'PENDING') return [];
      const acks = await em.find(ImpactAck, { impactId: impact.id });
      const left = impact.consumers.map((c) => c.system).filter((s) => !acks.some((a) => a.systemCode === s));
      if (left.length === 0) {
        impact.state = 'CLEARED';
        impact.clearedAt = new Date();
        await em.flush();
      }
      return left;
    });
    if (waitingFor.length === 0) return;
    throw new CanonError(
      'IMPACT_PENDING',
      `${contract} ${version} is ${view.reasons.join(', ')} for its consumers and waits until their owners acknowledge it (acknowledgeContractImpact) or an admin overrides the wait: waiting for ${waitingFor.join(', ')}.`,
      {
        path: ['version'],
        details: waitingFor.map((system) => ({
          path: system,
          message: `waiting for ${view.consumers.find((c) => c.system === system)?.owner ?? 'its owner'}`,
        })),
      },
    );
  }

  /** Whether the contract has consumers its policy could wait for: subscribers, or readers when it says so. */
  private async mayWait(contract: string): Promise<boolean> {
    const policy = await policyOf(this.orm, contract);
    if (policy.waitOn.length === 0) return false;
    if (policy.waitForReaders) return true;
    const reader: CallContext = {
      actor: SYSTEM_ACTOR,
      ability: defineAbilityFor(SYSTEM_ACTOR),
      requestId: 'impact',
    };
    return (await this.deps.propagation.subscriptions.list(reader, { domain: contract })).length > 0;
  }

  private async startWait(
    em: Em,
    ctx: CallContext,
    view: ImpactView,
    blocking: ImpactView['consumers'],
  ): Promise<ContractImpact> {
    const impact = em.create(ContractImpact, {
      contract: view.contract,
      version: view.version,
      contractVersionId: view.contractVersionId,
      reasons: view.reasons,
      consumers: blocking.map((c) => ({ system: c.system!, owner: c.owner })),
      state: 'PENDING',
      requestedBy: ctx.actor?.id ?? null,
      requestedAt: new Date(),
    });
    await em.flush();
    await this.deps.audit.record(em, ctx, {
      action: 'CONTRACT_IMPACT_PENDING',
      subjectType: 'ContractVersion',
      subjectId: view.contractVersionId,
      after: {
        contract: view.contract,
        version: view.version,
        reasons: view.reasons,
        consumers: impact.consumers,
      },
    });
    await this.deps.outbox.append(em, {
      type: 'CONTRACT_IMPACT_PENDING',
      domain: view.contract,
      subjectId: view.contractVersionId,
      payload: {
        contract: view.contract,
        version: view.version,
        reasons: view.reasons,
        consumers: impact.consumers.map((c) => ({ ...c, acknowledged: false })),
      },
      origin: originOf(ctx),
    });
    return impact;
  }

  /** A consumer's owner (its connector, a steward or an admin) acknowledges a waiting version. */
  async acknowledge(
    ctx: CallContext,
    input: { contract: string; version: string; system: string; note?: string | null },
    idempotencyKey?: string | null,
  ): Promise<ContractImpact> {
    if (!ctx.actor) throw new CanonError('UNAUTHENTICATED', 'A valid API token is required.');
    const mayAct =
      can(ctx.ability, 'approve', 'ChangeRequest') ||
      can(ctx.ability, 'acknowledge', 'System', { code: input.system });
    if (!mayAct)
      throw new CanonError(
        'FORBIDDEN',
        ctx.actor.role === 'connector'
          ? `A connector of ${ctx.actor.systemCode} acknowledges only for its own system, not ${input.system}.`
          : `Your role (${ctx.actor.role}) may not acknowledge contract changes.`,
        { path: ['system'] },
      );
    if (input.note && input.note.length > 2000) throw bad('A note is at most 2,000 characters.', ['note']);
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'acknowledgeContractImpact',
      input,
      this.replay,
      async (em) => {
        const impact = await this.pendingFor(em, input.contract, input.version);
        const consumer = impact.consumers.find((c) => c.system === input.system);
        if (!consumer)
          throw notFound(`${input.system} among the consumers ${input.contract} ${input.version} waits for`, [
            'system',
          ]);
        if (await em.findOne(ImpactAck, { impactId: impact.id, systemCode: input.system })) return impact;
        em.create(ImpactAck, {
          impactId: impact.id,
          systemCode: input.system,
          owner: consumer.owner,
          acknowledgedBy: ctx.actor?.id ?? null,
          acknowledgedByName: ctx.actor?.name ?? null,
          acknowledgedAt: new Date(),
          note: input.note?.trim() || null,
        });
        await em.flush();
        const acks = await em.find(ImpactAck, { impactId: impact.id });
        const waitingFor = impact.consumers
          .map((c) => c.system)
          .filter((s) => !acks.some((a) => a.systemCode === s));
        if (waitingFor.length === 0) {
          impact.state = 'CLEARED';
          impact.clearedAt = new Date();
        }
        await em.flush();
        await this.announce(em, ctx, impact, {
          system: input.system,
          override: false,
          reason: null,
          waitingFor,
        });
        return impact;
      },
    );
  }

  /** An admin ends the wait with a reason (audited); also before any wait started. */
  async override(
    ctx: CallContext,
    input: { contract: string; version: string; reason: string },
    idempotencyKey?: string | null,
  ): Promise<ContractImpact> {
    authorize(ctx.ability, ctx.actor, 'publishBreaking', 'ContractVersion');
    if (!input.reason?.trim() || input.reason.length > 2000)
      throw bad('Say why the consumers need not acknowledge (1 to 2,000 characters).', ['reason']);
    // analysed before the transaction (the embedded database has one connection)
    const view = await analyseImpact(this.deps, ctx, input.contract, input.version);
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'overrideContractImpact',
      input,
      this.replay,
      async (em) => {
        let impact = await em.findOne(
          ContractImpact,
          { contract: input.contract, version: input.version },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (impact && impact.state !== 'PENDING') return impact;
        if (!impact) {
          impact = em.create(ContractImpact, {
            contract: input.contract,
            version: input.version,
            contractVersionId: view.contractVersionId,
            reasons: view.reasons,
            consumers: view.consumers
              .filter((c) => c.blocking)
              .map((c) => ({ system: c.system!, owner: c.owner })),
            state: 'OVERRIDDEN',
            requestedBy: ctx.actor?.id ?? null,
            requestedAt: new Date(),
          });
        }
        impact.state = 'OVERRIDDEN';
        impact.overrideReason = input.reason.trim();
        impact.overriddenBy = ctx.actor?.id ?? null;
        impact.clearedAt = new Date();
        await em.flush();
        const acks = await em.find(ImpactAck, { impactId: impact.id });
        await this.announce(em, ctx, impact, {
          system: null,
          override: true,
          reason: impact.overrideReason,
          waitingFor: impact.consumers
            .map((c) => c.system)
            .filter((s) => !acks.some((a) => a.systemCode === s)),
        });
        return impact;
      },
    );
  }

  /** Sets what makes a contract's publications wait (admins). */
  async setPolicy(
    ctx: CallContext,
    input: { contract: string; waitOn: string[]; waitForReaders?: boolean | null },
    idempotencyKey?: string | null,
  ): Promise<ImpactPolicy> {
    authorize(ctx.ability, ctx.actor, 'update', 'Contract');
    const known = new Set<string>(['MAJOR', ...ALL_CHANGE_KINDS]);
    const unknown = input.waitOn.find((k) => !known.has(k));
    if (unknown) throw bad(`${unknown} is neither MAJOR nor a change kind (docs/contracts.md).`, ['waitOn']);
    const replay = (em: Em): Replayable<ImpactPolicy> => ({
      idOf: (p) => p.contract,
      replay: (contract) => em.findOneOrFail(ImpactPolicy, { contract }),
    });
    // read before the transaction: the embedded database has one connection, which a transaction holds
    if (!(await this.deps.contracts.getContract(ctx, input.contract)))
      throw notFound(`The contract ${input.contract}`, ['contract']);
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'setContractImpactPolicy',
      input,
      replay,
      async (em) => {
        const waitOn = [...new Set(input.waitOn)].sort();
        const waitForReaders = input.waitForReaders ?? false;
        const existing = await em.findOne(
          ImpactPolicy,
          { contract: input.contract },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (
          existing &&
          JSON.stringify(existing.waitOn) === JSON.stringify(waitOn) &&
          existing.waitForReaders === waitForReaders
        )
          return existing;
        const before = existing ? { waitOn: existing.waitOn, waitForReaders: existing.waitForReaders } : null;
        const policy =
          existing ?? em.create(ImpactPolicy, { contract: input.contract, waitOn, waitForReaders });
        policy.waitOn = waitOn;
        policy.waitForReaders = waitForReaders;
        policy.updatedAt = new Date();
        policy.updatedBy = ctx.actor?.id ?? null;
        await em.flush();
        await this.deps.audit.record(em, ctx, {
          action: 'CONTRACT_IMPACT_POLICY_SET',
          subjectType: 'Contract',
          subjectId: input.contract,
          before,
          after: { waitOn, waitForReaders },
        });
        return policy;
      },
    );
  }

  private async pendingFor(em: Em, contract: string, version: string): Promise<ContractImpact> {
    const impact = await em.findOne(
      ContractImpact,
      { contract, version },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!impact) throw notFound(`A wait of ${contract} ${version} for its consumers`, ['version']);
    return impact;
  }

  private async announce(
    em: Em,
    ctx: CallContext,
    impact: ContractImpact,
    what: { system: string | null; override: boolean; reason: string | null; waitingFor: string[] },
  ): Promise<void> {
    await this.deps.audit.record(em, ctx, {
      action: what.override ? 'CONTRACT_IMPACT_OVERRIDDEN' : 'CONTRACT_IMPACT_ACKNOWLEDGED',
      subjectType: 'ContractVersion',
      subjectId: impact.contractVersionId,
      after: { contract: impact.contract, version: impact.version, ...what, state: impact.state },
    });
    await this.deps.outbox.append(em, {
      type: 'CONTRACT_IMPACT_ACKNOWLEDGED',
      domain: impact.contract,
      subjectId: impact.contractVersionId,
      payload: { contract: impact.contract, version: impact.version, ...what },
      origin: originOf(ctx),
    });
  }

  private readonly replay = (em: Em): Replayable<ContractImpact> => ({
    idOf: (i) => i.id,
    replay: (id) => em.findOneOrFail(ContractImpact, { id }),
  });
}
