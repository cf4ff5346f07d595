import semver from 'semver';
import { DEFAULT_DRAFT, type Draft } from '../../../codegen/drafts.ts';
import { walkReferences } from '../../../codegen/references.ts';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError, notFound } from '../../errors.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import {
  type CompatibilityMode,
  compareSchemas,
  isTransitive,
  type SchemaChange,
  type SchemaComparison,
  violations,
} from './compatibility/compatibility.ts';
import { type Raw, UnresolvedReferenceError } from './compatibility/schema-model.ts';
import { Contract } from './contract.entity.ts';
import { ContractVersion } from './contract-version.entity.ts';
import { bumped, type CompatibilityReport, LIVE, requireVersion } from './contracts.shared.ts';
import { assertValidJsonSchema, referencedContracts } from './schema-checks.ts';

export class ContractComparisons {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  /** schemaDiff: a pure comparison of two documents (contract refs resolved from the registry). */
  async schemaDiff(
    ctx: CallContext,
    from: unknown,
    to: unknown,
    defaultDraft?: Draft,
  ): Promise<SchemaComparison> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const drafts: [Draft, Draft] = [
      comparedDraft(from, 'from', defaultDraft),
      comparedDraft(to, 'to', defaultDraft),
    ];
    const em = this.orm.em.fork();
    const resolver = await this.resolverFor(em, [from, to], ['from', 'to']);
    return this.compare(from, to, resolver, 'to', drafts);
  }

  /**
   * checkCompatibility: would `schema` be accepted as the next version of `contract` under its mode?
   * Answers with every change, the violations, the bump it needs and the version it could carry.
   */
  async checkCompatibility(
    ctx: CallContext,
    contractName: string,
    schema: unknown,
    version?: string,
  ): Promise<CompatibilityReport> {
    const { em, contract, draft } = await this.candidate(ctx, contractName, schema);
    const target = version ? requireVersion(version, ['version']) : undefined;
    const live = await this.liveVersions(em, contract);
    const baseline = target ? live.filter((v) => semver.lt(v.version, version!)) : live;
    const resolver = await this.resolverFor(em, [schema, ...baseline.map((v) => v.schema)], ['schema']);
    return this.evaluate(contract, baseline, schema as Raw, resolver, draft);
  }

  /**
   * Would `schema` be compatible with one live version (Confluent's
   * `/compatibility/subjects/{s}/versions/{v}`)? The contract's mode decides, against that version only.
   */
  async checkAgainstVersion(
    ctx: CallContext,
    contractName: string,
    schema: unknown,
    version: string,
  ): Promise<CompatibilityReport> {
    const { em, contract, draft } = await this.candidate(ctx, contractName, schema);
    const against = (await this.liveVersions(em, contract)).filter((v) => v.version === version);
    if (against.length === 0) throw notFound(`${contractName} ${version}`, ['version']);
    const resolver = await this.resolverFor(em, [schema, against[0].schema], ['schema']);
    return this.evaluate(contract, against, schema as Raw, resolver, draft);
  }

  /** The contract a candidate schema is checked for, and the schema's draft (read in its default). */
  private async candidate(
    ctx: CallContext,
    contractName: string,
    schema: unknown,
  ): Promise<{ em: Em; contract: Contract; draft: Draft }> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const em = this.orm.em.fork();
    const contract = await em.findOne(Contract, { name: contractName });
    if (!contract) throw notFound(`The contract "${contractName}"`, ['contract']);
    return {
      em,
      contract,
      draft: assertValidJsonSchema(schema, 'schema', { defaultDraft: contract.defaultDraft }),
    };
  }

  evaluate(
    contract: Contract,
    baseline: ContractVersion[],
    schema: Raw,
    resolver: (uri: string) => Raw | undefined,
    draft?: Draft,
  ): CompatibilityReport {
    const mode = contract.compatibility as CompatibilityMode;
    const predecessor = baseline[baseline.length - 1];
    const comparedTo = predecessor ? (isTransitive(mode) ? baseline : [predecessor]) : [];
    const comparison: SchemaComparison = predecessor
      ? this.compare(predecessor.schema, schema, resolver, 'schema', [DEFAULT_DRAFT, draft ?? DEFAULT_DRAFT])
      : {
          backwardCompatible: true,
          forwardCompatible: true,
          requiredBump: 'NONE',
          changes: [],
          forwardChanges: [],
        };
    const found: SchemaChange[] = [];
    for (const earlier of comparedTo) {
      const c =
        earlier === predecessor
          ? comparison
          : this.compare(earlier.schema, schema, resolver, 'schema', [DEFAULT_DRAFT, draft ?? DEFAULT_DRAFT]);
      for (const v of violations(mode, c)) {
        found.push(
          earlier === predecessor ? v : { ...v, message: `Against ${earlier.version}: ${v.message}` },
        );
      }
    }
    // a backward-incompatible change needs a new major, which only mode NONE allows without allowBreaking
    if (mode !== 'NONE' && comparison.requiredBump === 'MAJOR' && found.length === 0) {
      found.push(...comparison.changes.filter((c) => !c.compatible));
    }
    return {
      ...comparison,
      contract: contract.name,
      mode,
      compatible: found.length === 0,
      comparedWith: comparedTo.map((v) => v.version),
      violations: found,
      suggestedVersion: predecessor ? bumped(predecessor.version, comparison.requiredBump) : null,
    };
  }

  compare(
    from: unknown,
    to: unknown,
    resolver: (uri: string) => Raw | undefined,
    field: string,
    drafts?: [Draft, Draft],
  ): SchemaComparison {
    try {
      return compareSchemas(from as Raw, to as Raw, { external: resolver, drafts });
    } catch (error) {
      if (error instanceof UnresolvedReferenceError) {
        throw new CanonError('REFERENCE_NOT_FOUND', error.message, {
          path: [field],
          details: [{ path: error.ref, message: error.message }],
        });
      }
      throw error;
    }
  }

  /** Loads every contract version the documents reference (transitively) and returns a sync resolver. */
  async resolverFor(em: Em, docs: unknown[], fields: string[]): Promise<(uri: string) => Raw | undefined> {
    const roots = docs.flatMap((d, i) =>
      typeof d === 'object' && d !== null
        ? referencedContracts(d as Record<string, unknown>, fields[i] ?? fields[0])
        : [],
    );
    const loaded = await walkReferences(
      roots,
      async (ref) =>
        // a missing one is reported as REFERENCE_NOT_FOUND when the diff reaches it
        (
          await em.findOne(ContractVersion, {
            contract: { name: ref.name },
            version: ref.version,
            status: { $ne: 'DRAFT' },
          })
        )?.schema as Raw | undefined,
      (schema) => referencedContracts(schema as Record<string, unknown>, fields[0]),
    );
    return (uri) => loaded.get(uri);
  }

  async liveVersions(em: Em, contract: Contract): Promise<ContractVersion[]> {
    const rows = await em.find(ContractVersion, { contract, status: { $in: LIVE } });
    return rows.sort((a, b) => semver.compare(a.version, b.version));
  }
}

/**
 * The draft a compared document is read in: its `$schema`, else `defaultDraft`; with neither, 2020-12,
 * or draft-07 when only draft-07's meta-schema accepts the document (array-form `items` …).
 */
function comparedDraft(doc: unknown, field: string, defaultDraft: Draft | undefined): Draft {
  const declares = typeof doc === 'object' && doc !== null && '$schema' in doc;
  if (defaultDraft !== undefined || declares) return assertValidJsonSchema(doc, field, { defaultDraft });
  try {
    return assertValidJsonSchema(doc, field);
  } catch (error) {
    try {
      return assertValidJsonSchema(doc, field, { defaultDraft: 'draft-07' });
    } catch {
      throw error;
    }
  }
}
