import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { Contract } from './contract.entity.ts';

export const VERSION_STATUSES = ['DRAFT', 'PUBLISHED', 'DEPRECATED', 'RETIRED'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/**
 * One version of a contract. A DRAFT may be edited; from PUBLISHED on, `schema` never changes.
 * `fingerprint` is the SHA-256 of the canonical schema (without its `$id`): one content, one version.
 */
export const ContractVersionEntity = defineEntity({
  name: 'ContractVersion',
  tableName: 'contract_version',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    contract: () => p.manyToOne(Contract),
    version: p.string().length(50),
    major: p.integer(),
    minor: p.integer(),
    patch: p.integer(),
    /** `json`, not `jsonb`: the document keeps its authors' key order, which generated types follow. */
    schema: p.json<Record<string, unknown>>().columnType('json'),
    fingerprint: p.string().length(64),
    status: p.enum(VERSION_STATUSES).default('DRAFT'),
    changelog: p.text().nullable(),
    /** The bump this version needed over its predecessor and the changes found, computed at publication. */
    requiredBump: p.string().length(10).nullable(),
    changes: p.json<unknown[]>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    createdBy: p.uuid().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    publishedAt: p.datetime().nullable(),
    publishedBy: p.uuid().nullable(),
    deprecatedAt: p.datetime().nullable(),
    deprecatedBy: p.uuid().nullable(),
    deprecationReason: p.text().nullable(),
    retiredAt: p.datetime().nullable(),
    retiredBy: p.uuid().nullable(),
    /**
     * Given at publication, never changed: the registry-wide integer id (Confluent's global schema
     * id) and the version's place in its contract's publication order (Confluent's version number).
     */
    registryId: p.integer().nullable().unique(),
    registrySequence: p.integer().nullable(),
    lockVersion: p.integer().version(),
  },
  uniques: [
    { properties: ['contract', 'version'], name: 'contract_version_contract_version_unique' },
    { properties: ['contract', 'fingerprint'], name: 'contract_version_contract_fingerprint_unique' },
    {
      properties: ['contract', 'registrySequence'],
      name: 'contract_version_contract_registry_sequence_unique',
    },
  ],
  indexes: [{ properties: ['contract', 'status'] }],
});
export class ContractVersion extends ContractVersionEntity.class {}
ContractVersionEntity.setClass(ContractVersion);
