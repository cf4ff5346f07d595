import semver from 'semver';
import { DEFAULT_DRAFT, type Draft, idKeyword, schemaIdOf } from '../../../codegen/drafts.ts';
import { walkReferences } from '../../../codegen/references.ts';
import type { Em } from '../../db/orm.ts';
import { CanonError, notFound } from '../../errors.ts';
import { canonKeywords } from './canon-keywords.ts';
import { contractUri, withContractIds } from './contract-ids.ts';
import { ContractVersion, type VersionStatus } from './contract-version.entity.ts';
import { type ContractDocument, LIVE } from './contracts.shared.ts';
import {
  assertCompiles,
  assertKnownFormats,
  assertValidJsonSchema,
  referencedContracts,
} from './schema-checks.ts';

export class ContractRows {
  /** A version to change, its row locked until the transaction ends (concurrent writers take turns). */
  async findVersionForWrite(em: Em, contract: string, version: string): Promise<ContractVersion> {
    await em.getConnection().execute(
      `select v.id from contract_version v join contract c on c.id = v.contract_id
        where c.name = ? and v.version = ? for update of v`,
      [contract, version],
      'all',
      em.getTransactionContext(),
    );
    const row = await em.findOne(
      ContractVersion,
      { contract: { name: contract }, version },
      { populate: ['contract'] },
    );
    if (!row) throw notFound(`${contract} ${version}`, ['version']);
    return row;
  }

  /**
   * Validates the document against its draft (`$schema`, else the contract's default draft) and gives
   * it Canon's `$schema` and `$id` (draft-04: `id`).
   */
  prepareSchema(
    name: string,
    version: string,
    input: unknown,
    defaultDraft: Draft = DEFAULT_DRAFT,
  ): Record<string, unknown> {
    const draft = assertValidJsonSchema(input, 'schema', { defaultDraft });
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new CanonError(
        'INVALID_SCHEMA',
        'A contract schema must be a JSON Schema object, not true or false.',
        { path: ['schema'] },
      );
    }
    canonKeywords(input);
    assertKnownFormats(input, 'schema');
    const id = contractUri(name, version);
    const doc = input as Record<string, unknown>;
    const idKey = idKeyword(draft);
    if (doc[idKey] !== undefined && doc[idKey] !== id) {
      throw new CanonError(
        'INVALID_SCHEMA',
        `The schema's ${idKey} must be "${id}" (or left out, and Canon sets it).`,
        { path: ['schema', idKey] },
      );
    }
    return withContractIds(name, version, doc, draft);
  }

  /**
   * Every referenced contract version (transitively) exists and is published (or deprecated), and ajv
   * compiles the whole; returns the referenced documents.
   */
  async assertReferencesResolve(em: Em, schema: Record<string, unknown>): Promise<ContractDocument[]> {
    const found = await walkReferences(
      referencedContracts(schema, 'schema'),
      async (ref): Promise<ContractDocument | undefined> => {
        if (ref.uri === schemaIdOf(schema)) return undefined;
        const row = await em.findOne(ContractVersion, { contract: { name: ref.name }, version: ref.version });
        if (!row || !LIVE.includes(row.status as VersionStatus)) {
          throw new CanonError(
            'REFERENCE_NOT_FOUND',
            `The schema references ${ref.name} ${ref.version}, which is ${row ? row.status.toLowerCase() : 'not registered'}; references must name published contract versions.`,
            { path: ['schema'], details: [{ path: ref.uri, message: 'unresolved contract reference' }] },
          );
        }
        return { contract: ref.name, version: ref.version, schema: row.schema };
      },
      (doc) => referencedContracts(doc.schema, 'schema'),
    );
    const referenced = [...found.values()];
    assertCompiles(
      schema,
      referenced.map((r) => r.schema),
      'schema',
    );
    return referenced;
  }

  /** The newest PUBLISHED version of every contract. */
  async latestOfEach(em: Em): Promise<{ contract: string; version: string }[]> {
    const rows = await em.find(ContractVersion, { status: 'PUBLISHED' }, { populate: ['contract'] });
    const latest = new Map<string, string>();
    for (const r of rows) {
      const name = r.contract.name;
      if (!latest.has(name) || semver.gt(r.version, latest.get(name)!)) latest.set(name, r.version);
    }
    return [...latest]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([contract, version]) => ({ contract, version }));
  }
}
