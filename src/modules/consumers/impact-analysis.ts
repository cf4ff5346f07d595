/**
 * contractImpact: before a version is published, who consumes the contract — subscribed systems,
 * systems whose connectors read the domain, tokens that installed its type package (with the majors
 * they use) — their last activity, and what the version's changes mean for each of them.
 */
import semver from 'semver';
import type { Orm } from '../../db/orm.ts';
import { readConnection } from '../../db/read-connection.ts';
import { notFound } from '../../errors.ts';
import { authorize, defineAbilityFor } from '../auth/ability.ts';
import { type CallContext, SYSTEM_ACTOR } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { PropagationService } from '../propagation/propagation.service.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import { ContractImpact, ImpactAck, ImpactPolicy } from './consumer.entities.ts';
import { enumRemovals } from './enum-removals.ts';

/** Readers count as consumers when they read the domain this recently. */
export const ACTIVE_READER_DAYS = 30;
export const DEFAULT_WAIT_ON = ['MAJOR'];

export const CONSUMER_KINDS = ['SUBSCRIBER', 'READER', 'PACKAGE'] as const;
export type ConsumerKind = (typeof CONSUMER_KINDS)[number];

export interface ConsumerImpact {
  /** The system (null: a token of no system, e.g. a build pipeline's). */
  system: string | null;
  /** The token's name for consumers known by a token only. */
  tokenName: string | null;
  kinds: ConsumerKind[];
  owner: string;
  lastActivity: Date | null;
  /** The majors of the contract it is known to use (from type package downloads). */
  majors: number[];
  /** The package versions it downloaded. */
  packageVersions: string[];
  reads: number;
  /** Whether the version waits for it (an active consumer under the policy). */
  blocking: boolean;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  notes: string[];
}

export interface ImpactView {
  contract: string;
  version: string;
  contractVersionId: string;
  predecessor: string | null;
  /** Why the version waits for its consumers (MAJOR, change kinds the policy names); empty: it does not. */
  reasons: string[];
  changes: { kind: string; path: string; message: string }[];
  consumers: ConsumerImpact[];
  /** NONE: nothing waits (yet); PENDING: the publication waits; CLEARED, OVERRIDDEN: it may go on. */
  state: 'NONE' | 'PENDING' | 'CLEARED' | 'OVERRIDDEN';
  waitingFor: string[];
  overrideReason: string | null;
  policy: { waitOn: string[]; waitForReaders: boolean };
}

interface UsageRow {
  token_id: string;
  actor_name: string | null;
  system_code: string | null;
  kind: 'READ' | 'PACKAGE';
  version: string;
  count: string;
  last_at: Date;
}

export interface AnalysisDeps {
  orm: Orm;
  contracts: ContractsService;
  propagation: PropagationService;
  systems: SystemsService;
  records: RecordsService;
  defaultQueue: string;
}

export async function policyOf(
  orm: Orm,
  contract: string,
): Promise<{ waitOn: string[]; waitForReaders: boolean }> {
  const row = await orm.em.fork().findOne(ImpactPolicy, { contract });
  return { waitOn: row?.waitOn ?? DEFAULT_WAIT_ON, waitForReaders: row?.waitForReaders ?? false };
}

export async function analyseImpact(
  deps: AnalysisDeps,
  ctx: CallContext,
  contractName: string,
  version: string,
): Promise<ImpactView> {
  // whoever may read the contract sees its impact, also of drafts and with the consumers' systems: a
  // consumer (a connector, a build pipeline) must see what waits for it, though it may not read drafts,
  // subscriptions or records itself
  authorize(ctx.ability, ctx.actor, 'read', 'Contract');
  const reader: CallContext = { ...ctx, actor: SYSTEM_ACTOR, ability: defineAbilityFor(SYSTEM_ACTOR) };
  const row = await deps.contracts.getVersion(reader, contractName, version);
  if (!row) throw notFound(`${contractName} ${version}`, ['version']);
  const contract = await deps.contracts.getContract(reader, contractName);
  if (!contract) throw notFound(`The contract ${contractName}`, ['contract']);
  const [versions] = await deps.contracts.versionsOf(reader, [contract.id]);
  const predecessor = versions
    .filter((v) => v.status !== 'DRAFT' && v.status !== 'RETIRED' && semver.lt(v.version, version))
    .sort((a, b) => semver.compare(b.version, a.version))[0];
  const policy = await policyOf(deps.orm, contractName);
  const changes = predecessor
    ? (await deps.contracts.checkAgainstVersion(reader, contractName, row.schema, predecessor.version))
        .changes
    : [];
  const newMajor = Boolean(predecessor && row.major > predecessor.major);
  const reasons = [
    ...(newMajor && policy.waitOn.includes('MAJOR') ? ['MAJOR'] : []),
    ...[...new Set(changes.map((c) => c.kind as string))].filter((k) => policy.waitOn.includes(k)),
  ];
  const removals = predecessor ? enumRemovals(predecessor.schema, row.schema) : [];
  const stillUsed = await Promise.all(
    removals.map(async (r) => ({
      ...r,
      records: await deps.records.countWithValues(reader, contractName, r.pointer, r.values),
    })),
  );

  const subscribers = [
    ...new Set(
      (await deps.propagation.subscriptions.list(reader, { domain: contractName })).map((s) => s.systemCode),
    ),
  ];
  const since = new Date(Date.now() - ACTIVE_READER_DAYS * 86_400_000).toISOString().slice(0, 10);
  const usage = await readConnection(deps.orm.em).execute<UsageRow[]>(
    `select token_id, actor_name, system_code, kind, version, sum(count)::text as count, max(last_at) as last_at
       from contract_usage where domain = ? and (kind = 'PACKAGE' or day >= ?::date)
      group by token_id, actor_name, system_code, kind, version`,
    [contractName, since],
  );
  const systemCodes = [
    ...new Set([...subscribers, ...usage.flatMap((u) => (u.system_code ? [u.system_code] : []))]),
  ];
  const systems = systemCodes.length > 0 ? await deps.systems.byCodes(systemCodes, reader) : [];
  const teamOf = new Map(
    systems.flatMap((s) => (s instanceof Error ? [] : [[s.code, s.team ?? null] as const])),
  );
  const status = systemCodes.length > 0 ? await deps.propagation.reads.syncStatus(reader, systemCodes) : [];
  const impact = await deps.orm.em.fork().findOne(ContractImpact, { contract: contractName, version });
  const acks = impact ? await deps.orm.em.fork().find(ImpactAck, { impactId: impact.id }) : [];

  const byConsumer = new Map<string, ConsumerImpact>();
  const consumerOf = (system: string | null, tokenId: string, tokenName: string | null) => {
    const key = system ?? `token:${tokenId}`;
    let c = byConsumer.get(key);
    if (!c) {
      const ack = system ? acks.find((a) => a.systemCode === system) : undefined;
      c = {
        system,
        tokenName: system ? null : tokenName,
        kinds: [],
        owner: (system && teamOf.get(system)) || deps.defaultQueue,
        lastActivity: null,
        majors: [],
        packageVersions: [],
        reads: 0,
        blocking: false,
        acknowledged: Boolean(ack),
        acknowledgedBy: ack?.acknowledgedByName ?? null,
        acknowledgedAt: ack?.acknowledgedAt ?? null,
        notes: [],
      };
      byConsumer.set(key, c);
    }
    return c;
  };
  const touch = (c: ConsumerImpact, at: Date | null) => {
    if (at && (!c.lastActivity || at > c.lastActivity)) c.lastActivity = new Date(at);
  };
  for (const system of subscribers) {
    const c = consumerOf(system, '', null);
    c.kinds.push('SUBSCRIBER');
    touch(c, status.find((s) => s.system === system)?.lastAcknowledgedAt ?? null);
  }
  for (const u of usage) {
    const c = consumerOf(u.system_code, u.token_id, u.actor_name);
    const kind: ConsumerKind = u.kind === 'PACKAGE' ? 'PACKAGE' : 'READER';
    if (!c.kinds.includes(kind)) c.kinds.push(kind);
    touch(c, u.last_at);
    if (u.kind === 'READ') c.reads += Number(u.count);
    else if (semver.valid(u.version)) {
      if (!c.packageVersions.includes(u.version)) c.packageVersions.push(u.version);
      const major = semver.major(u.version);
      if (!c.majors.includes(major)) c.majors.push(major);
    }
  }
  const consumers = [...byConsumer.values()].sort((a, b) =>
    (a.system ?? `~${a.tokenName}`).localeCompare(b.system ?? `~${b.tokenName}`),
  );
  for (const c of consumers) {
    c.majors.sort((a, b) => a - b);
    c.blocking =
      reasons.length > 0 &&
      c.system !== null &&
      (c.kinds.includes('SUBSCRIBER') || (policy.waitForReaders && c.kinds.includes('READER')));
    if (newMajor) {
      const pinned = c.majors.filter((m) => m < row.major);
      if (pinned.length > 0 && !c.majors.includes(row.major))
        c.notes.push(
          `Uses ${pinned.map((m) => `^${m}`).join(', ')} of the type package: it keeps ${pinned.at(-1)}.x until it upgrades to ${row.major}.x (the ${pinned.at(-1)}.x line stays readable until retired).`,
        );
      else if (c.majors.length === 0)
        c.notes.push(
          `No type package download is known: check it reads ${contractName} ${row.major}.x before acknowledging.`,
        );
    }
    if (c.kinds.includes('SUBSCRIBER') || c.kinds.includes('READER'))
      for (const r of stillUsed)
        if (r.records > 0)
          c.notes.push(
            `${r.records} live record(s) still hold ${r.values.join(', ')} at ${r.pointer}, which ${version} no longer accepts.`,
          );
  }
  const blockingSystems = consumers.filter((c) => c.blocking).map((c) => c.system!);
  const waitingFor =
    impact?.state === 'PENDING'
      ? impact.consumers.map((c) => c.system).filter((s) => !acks.some((a) => a.systemCode === s))
      : impact
        ? []
        : blockingSystems.filter((s) => !acks.some((a) => a.systemCode === s));
  return {
    contract: contractName,
    version,
    contractVersionId: row.id,
    predecessor: predecessor?.version ?? null,
    reasons,
    changes: changes.map((c) => ({ kind: c.kind, path: c.path, message: c.message })),
    consumers,
    state: impact?.state ?? 'NONE',
    waitingFor,
    overrideReason: impact?.overrideReason ?? null,
    policy,
  };
}
