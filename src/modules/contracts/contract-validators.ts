import ajvFormats from 'ajv-formats';
import { ajvFor, DEFAULT_DRAFT, draftOf, schemaIdOf } from '../../../codegen/drafts.ts';
import type { Em } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import { Contract } from './contract.entity.ts';
import { isEventContract } from './contract-ids.ts';
import type { ContractRows } from './contract-rows.ts';
import { ContractVersion } from './contract-version.entity.ts';

import { type ContractValidator, compiledValidators } from './contracts.shared.ts';
import { ajvErrorDetails } from './schema-checks.ts';

export class ContractValidators {
  private readonly rows: ContractRows;

  constructor(rows: ContractRows) {
    this.rows = rows;
  }

  /**
   * The major line proposals that name none are validated against (the contract's major policy):
   * undefined means the newest published major.
   */
  async proposalMajor(em: Em, domain: string): Promise<number | undefined> {
    const contract = await em.findOne(Contract, { name: domain });
    if (!contract || contract.majorPolicy === 'FOLLOW_LATEST') return undefined;
    if (contract.proposalMajor !== null && contract.proposalMajor !== undefined)
      return contract.proposalMajor;
    const [oldest] = await em.find(
      ContractVersion,
      { contract, status: 'PUBLISHED' },
      { orderBy: { major: 'asc' }, limit: 1 },
    );
    return oldest?.major;
  }

  /**
   * The validator of a domain's newest published contract version (within `major` when given), with
   * the version it belongs to. Compiled validators are cached by version id: a published schema never
   * changes, so the cache needs no invalidation (and replicas agree).
   */
  async validatorFor(em: Em, domain: string, major?: number): Promise<ContractValidator> {
    if (isEventContract(domain)) {
      throw new CanonError(
        'NOT_FOUND',
        `"${domain}" describes one of Canon's change events, not a domain of golden records.`,
        { path: ['domain'] },
      );
    }
    if (major === undefined) major = await this.proposalMajor(em, domain);
    const rows = await em.find(
      ContractVersion,
      { contract: { name: domain }, status: 'PUBLISHED', ...(major === undefined ? {} : { major }) },
      { populate: ['contract'], orderBy: { major: 'desc', minor: 'desc', patch: 'desc' }, limit: 1 },
    );
    const row = rows[0];
    if (!row) {
      throw new CanonError(
        'NOT_FOUND',
        major === undefined
          ? `No published contract for the domain "${domain}".`
          : `No published ${major}.x version of the ${domain} contract.`,
        { path: ['domain'] },
      );
    }
    let validate = compiledValidators.get(row.id);
    if (!validate) {
      const referenced = await this.rows.assertReferencesResolve(em, row.schema);
      // the ajv class of the contract's draft (references were checked to be loadable by it)
      const ajv = ajvFor(draftOf(row.schema) ?? DEFAULT_DRAFT, { allErrors: true, strict: false });
      ajvFormats.default(ajv);
      for (const doc of referenced) {
        const id = schemaIdOf(doc.schema);
        if (id && !ajv.getSchema(id)) ajv.addSchema(doc.schema);
      }
      validate = ajv.compile(row.schema);
      compiledValidators.set(row.id, validate);
    }
    const fn = validate;
    return {
      contractVersionId: row.id,
      version: `${domain}@${row.version}`,
      schema: row.schema as Record<string, unknown>,
      validate: (data) => (fn(data) ? [] : ajvErrorDetails(fn.errors)),
    };
  }
}
