/**
 * Confluent Schema Registry's operations over Canon's registry: subjects are contracts, Confluent's
 * integer versions are the publication order, global ids are the registry ids given at publication.
 * Registering computes the semver version the change needs and publishes it through the same checks
 * as GraphQL (the contract's mode, the major rule, the caller's rights); deletion maps onto Canon's
 * lifecycle (soft: deprecate, permanent: retire — nothing is erased).
 */
import semver from 'semver';
import { draftOf } from '../../../codegen/drafts.ts';
import { CanonError } from '../../errors.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { COMPATIBILITY_MODES } from '../contracts/compatibility/compatibility.ts';
import type { RegistryVersion } from '../contracts/contract-registry.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import {
  badRequest,
  incompatible,
  invalidCompatibility,
  invalidSchema,
  invalidVersion,
  noSubjectCompatibility,
  operationNotPermitted,
  schemaNotFound,
  subjectNotFound,
  subjectNotSoftDeleted,
  subjectSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
} from './ccompat-errors.ts';
import { referencesOf, resolveReferences, type SchemaReference } from './ccompat-references.ts';
import { knownContractOf, requireContractOf } from './subject-names.ts';

export type VersionSpec = number | 'latest';

export interface SchemaResponse {
  subject: string;
  id: number;
  guid: string;
  version: number;
  schemaType: 'JSON';
  schema: string;
  references?: SchemaReference[];
}

/** Confluent's version path segment: 1 … 2^31-1, or `latest` / `-1`. */
export function parseVersion(text: string): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^\d{1,10}$/.test(text)) throw invalidVersion(text);
  const n = Number(text);
  if (n < 1 || n > 2 ** 31 - 1) throw invalidVersion(text);
  return n;
}

/**
 * How long a registration keeps trying when other registrations take the version it computed: the
 * winner's publication (with its type package) takes a while, so losers wait with a growing pause
 * rather than give up after a fixed count.
 */
const REGISTER_PATIENCE_MS = 15_000;

export class CcompatService {
  private readonly contracts: ContractsService;

  constructor(contracts: ContractsService) {
    this.contracts = contracts;
  }

  async subjects(ctx: CallContext, deleted: boolean, prefix?: string): Promise<string[]> {
    const all = await this.contracts.registry.subjects(ctx, deleted);
    return prefix ? all.filter((s) => s.startsWith(prefix)) : all;
  }

  /** A subject's versions; a subject with none (or only deleted ones, unless asked) is 40401. */
  async versions(ctx: CallContext, subject: string, deleted: boolean): Promise<RegistryVersion[]> {
    const contract = knownContractOf(subject);
    const versions = contract ? await this.contracts.registry.versions(ctx, contract, deleted) : [];
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions;
  }

  async version(
    ctx: CallContext,
    subject: string,
    spec: VersionSpec,
    deleted = false,
  ): Promise<RegistryVersion> {
    const versions = await this.versions(ctx, subject, deleted);
    const found = spec === 'latest' ? versions.at(-1) : versions.find((v) => v.sequence === spec);
    if (!found) throw versionNotFound(spec);
    return found;
  }

  async describe(ctx: CallContext, subject: string, v: RegistryVersion): Promise<SchemaResponse> {
    const references = await referencesOf(ctx, this.contracts, v.schema);
    return {
      subject,
      id: v.registryId,
      guid: v.guid,
      version: v.sequence,
      schemaType: 'JSON',
      schema: JSON.stringify(v.schema),
      ...(references.length > 0 ? { references } : {}),
    };
  }

  async byId(ctx: CallContext, id: number | string): Promise<RegistryVersion> {
    const found = await this.contracts.registry.byId(ctx, id);
    if (!found) throw schemaNotFound(id);
    return found;
  }

  /** The schema a request body carries, parsed, its references resolved; JSON only. */
  async schemaOf(ctx: CallContext, body: unknown): Promise<unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest(
        'The request body must be a JSON object such as {"schemaType":"JSON","schema":"{…}"}.',
      );
    const { schema, schemaType, references } = body as Record<string, unknown>;
    // as in Confluent, a request without schemaType is an Avro schema
    const type = schemaType ?? 'AVRO';
    if (type !== 'JSON')
      throw invalidSchema(
        `Invalid schema type ${String(type)}: Canon's registry holds JSON Schema documents only; send "schemaType": "JSON".`,
      );
    if (typeof schema !== 'string')
      throw invalidSchema('Invalid schema: "schema" must be the schema as a JSON string.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(schema);
    } catch (error) {
      throw invalidSchema(`Invalid schema: not JSON (${(error as Error).message}).`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw invalidSchema('Invalid schema: a contract is a JSON Schema object.');
    return withoutForeignId(await resolveReferences(ctx, this.contracts, parsed, references));
  }

  /** POST /subjects/{s}/versions: the id of the same content if it is registered, else a new version. */
  async register(ctx: CallContext, subject: string, body: unknown): Promise<RegistryVersion> {
    const contract = requireContractOf(subject);
    const schema = await this.schemaOf(ctx, body);
    const deadline = Date.now() + REGISTER_PATIENCE_MS;
    for (let attempt = 1; ; attempt++) {
      const same = await this.sameContent(ctx, contract, schema);
      if (same) return same;
      const version = await this.nextVersion(ctx, subject, contract, schema);
      try {
        return await this.publishNew(ctx, contract, version, schema);
      } catch (error) {
        // the same content as a draft: another registration of this schema is publishing it now —
        // wait for it, then answer its version (sameContent)
        const racedTwin =
          error instanceof CanonError &&
          error.code === 'DUPLICATE_SCHEMA' &&
          error.details?.[0]?.message === 'DRAFT' &&
          Date.now() < deadline;
        if (racedTwin) {
          await new Promise((done) => setTimeout(done, Math.min(250, 20 * attempt) + Math.random() * 50));
          continue;
        }
        // the same content as a retired version: Canon keeps one version per content, for good; as a
        // draft that stayed a draft (not a registration in flight): publish or delete that draft
        if (error instanceof CanonError && error.code === 'DUPLICATE_SCHEMA')
          throw operationNotPermitted(
            error.details?.[0]?.message === 'DRAFT'
              ? `${error.message} That version is an unpublished draft: publish it, or delete the draft and register again.`
              : `${error.message} That version was deleted permanently (retired), and Canon never publishes retired content again: register a changed schema.`,
          );
        const raced =
          error instanceof CanonError && ['VERSION_CONFLICT', 'VERSION_TOO_LOW'].includes(error.code);
        if (!raced || Date.now() >= deadline) throw error;
        // the other registration is publishing its version now: give it a moment, then recompute
        await new Promise((done) => setTimeout(done, Math.min(250, 20 * attempt) + Math.random() * 50));
      }
    }
  }

  /**
   * The version a new schema gets: `1.0.0` for a new contract; the bump its changes need over the
   * live predecessor (409 when the contract's mode refuses it); the next major above every version
   * when all earlier ones are retired (permanently deleted here).
   */
  private async nextVersion(
    ctx: CallContext,
    subject: string,
    contract: string,
    schema: unknown,
  ): Promise<string> {
    const existing = await this.contracts.getContract(ctx, contract);
    if (!existing) return '1.0.0';
    const report = await this.contracts.checkCompatibility(ctx, contract, schema);
    if (!report.compatible)
      throw incompatible(
        `Schema being registered is incompatible with an earlier schema for subject "${subject}" (${report.mode}): ${report.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`,
      );
    if (report.suggestedVersion) return report.suggestedVersion;
    const [all] = await this.contracts.versionsOf(ctx, [existing.id]);
    const highest = all.map((v) => v.version).sort(semver.rcompare)[0];
    return highest ? `${semver.major(highest) + 1}.0.0` : '1.0.0';
  }

  private async sameContent(
    ctx: CallContext,
    contract: string,
    schema: unknown,
  ): Promise<RegistryVersion | null> {
    return this.contracts.registry.sameContent(ctx, contract, schema);
  }

  /** Registers and publishes `version`; a draft this call made is removed again when publishing fails. */
  private async publishNew(
    ctx: CallContext,
    contract: string,
    version: string,
    schema: unknown,
  ): Promise<RegistryVersion> {
    const before = await this.contracts.getVersion(ctx, contract, version);
    await this.contracts.registerVersion(ctx, {
      contract,
      version,
      schema,
      changelog: 'Registered through the Confluent-compatible API.',
    });
    try {
      const row = await this.contracts.publish(ctx, { contract, version });
      return (await this.contracts.registry.byId(ctx, row.registryId!))!;
    } catch (error) {
      if (!before) await this.contracts.deleteDraft(ctx, contract, version).catch(() => undefined);
      throw error;
    }
  }

  /** POST /subjects/{s}: the version of the subject with this content (40403 when none). */
  async lookup(ctx: CallContext, subject: string, body: unknown): Promise<RegistryVersion> {
    const contract = knownContractOf(subject);
    const schema = await this.schemaOf(ctx, body);
    if (!contract || !(await this.contracts.getContract(ctx, contract))) throw subjectNotFound(subject);
    const same = await this.sameContent(ctx, contract, schema);
    if (!same) throw schemaNotFound();
    return same;
  }

  /** POST /compatibility/subjects/{s}/versions[/{v}]: against one version, or as the mode says. */
  async compatibility(
    ctx: CallContext,
    subject: string,
    spec: VersionSpec | undefined,
    body: unknown,
  ): Promise<{ is_compatible: boolean; messages: string[] }> {
    const schema = await this.schemaOf(ctx, body);
    const contract = knownContractOf(subject);
    if (!contract) throw subjectNotFound(subject);
    const report =
      spec === undefined
        ? await this.contracts.checkCompatibility(ctx, contract, schema)
        : await this.contracts.checkAgainstVersion(
            ctx,
            contract,
            schema,
            (await this.version(ctx, subject, spec)).version,
          );
    return {
      is_compatible: report.compatible,
      messages: report.violations.map((v) => `${v.kind} at ${v.path}: ${v.message}`),
    };
  }

  async globalCompatibility(ctx: CallContext): Promise<string> {
    return this.contracts.registry.defaultCompatibility(ctx);
  }

  async setGlobalCompatibility(ctx: CallContext, body: unknown): Promise<string> {
    return (await this.contracts.registry.setDefaultCompatibility(ctx, requestedMode(body)))
      .defaultCompatibility;
  }

  async subjectCompatibility(ctx: CallContext, subject: string, defaultToGlobal: boolean): Promise<string> {
    const contract = knownContractOf(subject);
    const found = contract ? await this.contracts.getContract(ctx, contract) : null;
    if (found) return found.compatibility;
    if (defaultToGlobal) return this.globalCompatibility(ctx);
    throw noSubjectCompatibility(subject);
  }

  /** PUT /config/{s}: the contract's mode (the contract must exist: register a schema first). */
  async setSubjectCompatibility(ctx: CallContext, subject: string, body: unknown): Promise<string> {
    const mode = requestedMode(body);
    const contract = knownContractOf(subject);
    if (!contract || !(await this.contracts.getContract(ctx, contract))) throw subjectNotFound(subject);
    const updated = await this.contracts.updateContract(ctx, {
      name: contract,
      compatibility: mode as never,
    });
    return updated.compatibility;
  }

  /** DELETE /config/{s}: back to the registry default; answers the mode it had. */
  async resetSubjectCompatibility(ctx: CallContext, subject: string): Promise<string> {
    const before = await this.subjectCompatibility(ctx, subject, false);
    const global = await this.globalCompatibility(ctx);
    await this.contracts.updateContract(ctx, {
      name: knownContractOf(subject)!,
      compatibility: global as never,
    });
    return before;
  }

  /** DELETE /subjects/{s}/versions/{v}: soft deprecates, permanent retires a deprecated version. */
  async deleteVersion(
    ctx: CallContext,
    subject: string,
    spec: VersionSpec,
    permanent: boolean,
  ): Promise<number> {
    const v = await this.version(ctx, subject, spec, permanent);
    const contract = v.contract;
    if (!permanent) {
      await this.contracts.deprecate(ctx, {
        contract,
        version: v.version,
        reason: 'Deleted (soft) through the Confluent-compatible API.',
      });
    } else {
      if (v.status === 'PUBLISHED') throw versionNotSoftDeleted(subject, v.sequence);
      await this.contracts.retire(ctx, { contract, version: v.version });
    }
    return v.sequence;
  }

  /** DELETE /subjects/{s}: every version, soft (deprecate) or permanent (retire the deprecated). */
  async deleteSubject(ctx: CallContext, subject: string, permanent: boolean): Promise<number[]> {
    const all = await this.versions(ctx, subject, true);
    const live = all.filter((v) => v.status === 'PUBLISHED');
    if (!permanent) {
      if (live.length === 0) throw subjectSoftDeleted(subject);
      for (const v of live)
        await this.contracts.deprecate(ctx, {
          contract: v.contract,
          version: v.version,
          reason: 'Subject deleted (soft) through the Confluent-compatible API.',
        });
      return live.map((v) => v.sequence);
    }
    if (live.length > 0) throw subjectNotSoftDeleted(subject);
    for (const v of all) await this.contracts.retire(ctx, { contract: v.contract, version: v.version });
    return all.map((v) => v.sequence);
  }
}

/** The `compatibility` of a config body (Confluent clients send upper case; lower case is accepted). */
function requestedMode(body: unknown): string {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).compatibility : undefined;
  const mode = typeof value === 'string' ? value.toUpperCase() : undefined;
  if (!mode || !(COMPATIBILITY_MODES as readonly string[]).includes(mode)) throw invalidCompatibility(value);
  return mode;
}

/**
 * A root `$id` (draft-04 `id`) other than a Canon contract URN is dropped: Canon names every version
 * itself (`urn:canon:contract:<name>:<version>`), and a document read back keeps that name.
 */
function withoutForeignId(schema: unknown): unknown {
  const doc = { ...(schema as Record<string, unknown>) };
  const key = draftOf(doc) === 'draft-04' ? 'id' : '$id';
  const id = doc[key];
  if (typeof id === 'string' && !id.startsWith('urn:canon:contract:') && !id.startsWith('#')) delete doc[key];
  return doc;
}
