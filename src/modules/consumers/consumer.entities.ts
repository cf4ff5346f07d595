import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';

export const USAGE_KINDS = ['READ', 'PACKAGE'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

/**
 * Who uses a domain's contract: reads of its records, maps and feed (READ) and downloads of its
 * generated type package (PACKAGE, per version), per token and day. Counted in memory on the hot
 * paths and flushed every few seconds (usage-counter.ts).
 */
export const ContractUsageEntity = defineEntity({
  name: 'ContractUsage',
  tableName: 'contract_usage',
  properties: {
    tokenId: p.string().length(100).primary(),
    domain: p.string().length(100).primary(),
    kind: p.enum(USAGE_KINDS).primary(),
    /** The package version downloaded ('' for reads). */
    version: p.string().length(50).primary(),
    day: p.date().primary(),
    actorName: p.string().length(200).nullable(),
    systemCode: p.string().length(100).nullable(),
    count: p.bigint('number'),
    lastAt: p.datetime(),
  },
  indexes: [{ name: 'contract_usage_domain_day', properties: ['domain', 'day'] }],
});
export class ContractUsage extends ContractUsageEntity.class {}
ContractUsageEntity.setClass(ContractUsage);

/** What makes a publication of a contract wait for its consumers (per contract; default: a new major). */
export const ImpactPolicyEntity = defineEntity({
  name: 'ImpactPolicy',
  tableName: 'contract_impact_policy',
  properties: {
    contract: p.string().length(100).primary(),
    /** MAJOR, and change kinds (ENUM_ARRAY_NARROWED, TYPE_CHANGED, …) that make a publication wait. */
    waitOn: p.json<string[]>(),
    /** Also wait for systems whose connectors read the domain in the last 30 days (not only subscribers). */
    waitForReaders: p.boolean().default(false),
    updatedAt: p.datetime().onCreate(() => new Date()),
    updatedBy: p.uuid().nullable(),
    lockVersion: p.integer().version(),
  },
});
export class ImpactPolicy extends ImpactPolicyEntity.class {}
ImpactPolicyEntity.setClass(ImpactPolicy);

export const IMPACT_STATES = ['PENDING', 'CLEARED', 'OVERRIDDEN'] as const;
export type ImpactState = (typeof IMPACT_STATES)[number];

/** A breaking version waiting for its consumers' owners (or cleared, or overridden by an admin). */
export const ContractImpactEntity = defineEntity({
  name: 'ContractImpact',
  tableName: 'contract_impact',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    contract: p.string().length(100),
    version: p.string().length(50),
    contractVersionId: p.uuid(),
    reasons: p.json<string[]>(),
    /** The consumers it waits for, as they were when the publication was first asked: system and owner. */
    consumers: p.json<{ system: string; owner: string }[]>(),
    state: p.enum(IMPACT_STATES),
    requestedBy: p.uuid().nullable(),
    requestedAt: p.datetime(),
    clearedAt: p.datetime().nullable(),
    overrideReason: p.string().length(2000).nullable(),
    overriddenBy: p.uuid().nullable(),
    lockVersion: p.integer().version(),
  },
  uniques: [{ name: 'contract_impact_version', properties: ['contract', 'version'] }],
});
export class ContractImpact extends ContractImpactEntity.class {}
ContractImpactEntity.setClass(ContractImpact);

/** A consumer's owner acknowledged a waiting version. */
export const ImpactAckEntity = defineEntity({
  name: 'ImpactAck',
  tableName: 'contract_impact_ack',
  properties: {
    impactId: p.uuid().primary(),
    systemCode: p.string().length(100).primary(),
    owner: p.string().length(200),
    acknowledgedBy: p.uuid().nullable(),
    acknowledgedByName: p.string().length(200).nullable(),
    acknowledgedAt: p.datetime(),
    note: p.string().length(2000).nullable(),
  },
});
export class ImpactAck extends ImpactAckEntity.class {}
ImpactAckEntity.setClass(ImpactAck);
