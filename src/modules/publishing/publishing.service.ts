/**
 * Generated type packages (DESIGN §9): built with codegen/ when a contract version is published,
 * inside that publication's transaction, stored as exact tarballs with their integrity, and served
 * over the npm registry protocol. Packages made by an older generator version are rebuilt at start.
 */
import type { ContractDoc } from '../../../codegen/declarations.ts';
import {
  GENERATOR_VERSION,
  type GeneratedPackage,
  generateContractsPackage,
  generatePackage,
} from '../../../codegen/generate.ts';
import { nextMetaVersion } from '../../../codegen/meta-version.ts';
import { packageName } from '../../../codegen/names.ts';
import type { Em, Orm } from '../../db/orm.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { PackageVersion } from './package-version.entity.ts';

export interface PublishedDoc extends ContractDoc {
  contractVersionId: string;
}

/** A package built for a publication, waiting to be stored in its transaction. */
export interface PreparedPackage {
  doc: PublishedDoc;
  pkg: GeneratedPackage;
}

/** What the registry needs to know of a contract version's state (from the contracts service). */
export interface VersionState {
  status: string;
  deprecationReason: string | null;
  publishedAt: Date | null;
}

export class PublishingService {
  private readonly orm: Orm;
  readonly scope: string;

  constructor(orm: Orm, scope: string) {
    this.orm = orm;
    this.scope = scope;
  }

  /** Builds the package of a version being published: code generation, before any lock is taken. */
  async prepare(doc: PublishedDoc, referenced: ContractDoc[]): Promise<PreparedPackage> {
    return { doc, pkg: await generatePackage(doc, referenced, { scope: this.scope }) };
  }

  /**
   * Stores a prepared package and a new `contracts` meta package over the latest versions, in the
   * publication's transaction (under its change-order lock: the meta package's version follows the
   * one before it, so two publications must not number it at once; it is small and quick to build).
   */
  async onPublished(
    em: Em,
    prepared: PreparedPackage,
    latest: { contract: string; version: string }[],
  ): Promise<void> {
    await this.store(em, prepared.pkg, prepared.doc);
    await this.storeMetaPackage(em, latest);
  }

  private async store(em: Em, pkg: GeneratedPackage, doc?: PublishedDoc): Promise<PackageVersion> {
    const manifest = JSON.parse(pkg.files['package.json']) as Record<string, unknown>;
    const existing = await em.findOne(PackageVersion, { name: pkg.name, version: pkg.version });
    const fields = {
      tarball: pkg.tgz,
      integrity: pkg.integrity,
      shasum: pkg.shasum,
      manifest,
      generator: GENERATOR_VERSION,
      size: pkg.tgz.length,
    };
    if (existing) {
      em.assign(existing, fields);
      await em.flush();
      return existing;
    }
    const row = em.create(PackageVersion, {
      name: pkg.name,
      version: pkg.version,
      contract: doc?.contract ?? null,
      contractVersionId: doc?.contractVersionId ?? null,
      ...fields,
    });
    await em.flush();
    return row;
  }

  /**
   * A new `contracts` meta package when its members changed (a publication, a deprecation or a
   * retirement moved the newest published version of a contract), versioned by the largest change
   * among them (codegen/meta-version.ts). Called under the change-order lock: numbers never collide.
   */
  onLatestChanged = (em: Em, latest: { contract: string; version: string }[]) =>
    this.storeMetaPackage(em, latest);

  async storeMetaPackage(em: Em, latest: { contract: string; version: string }[]): Promise<void> {
    const name = packageName(this.scope, 'contracts');
    const [previous] = await em.find(PackageVersion, { name }, { orderBy: { createdAt: 'desc' }, limit: 1 });
    const members = Object.fromEntries(latest.map((l) => [packageName(this.scope, l.contract), l.version]));
    const version = nextMetaVersion(
      previous
        ? {
            version: previous.version,
            dependencies: (previous.manifest.dependencies ?? {}) as Record<string, string>,
          }
        : null,
      members,
    );
    if (!version) return;
    await this.store(em, await generateContractsPackage(version, latest, { scope: this.scope }));
  }

  /**
   * Builds missing packages and rebuilds those made by another generator version (at start). The
   * contracts service hands over every non-draft version with what it references.
   */
  async backfill(
    docs: { doc: PublishedDoc; referenced: ContractDoc[] }[],
    latest: { contract: string; version: string }[],
  ): Promise<number> {
    let built = 0;
    await this.orm.em.fork().transactional(async (em) => {
      for (const { doc, referenced } of docs) {
        const row = await em.findOne(PackageVersion, {
          name: packageName(this.scope, doc.contract),
          version: doc.version,
        });
        if (row && row.generator === GENERATOR_VERSION) continue;
        await this.store(em, await generatePackage(doc, referenced, { scope: this.scope }), doc);
        built++;
      }
      if (latest.length > 0) await this.storeMetaPackage(em, latest);
    });
    return built;
  }

  /** Every version of a package, oldest first (without tarball bytes). */
  async versions(ctx: CallContext, name: string): Promise<PackageVersion[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    return this.orm.em.fork().find(PackageVersion, { name }, { orderBy: { createdAt: 'asc' } });
  }

  /** Told of every tarball served (downloads per token and version). */
  private readonly downloadObservers: ((ctx: CallContext, contract: string, version: string) => void)[] = [];

  observeDownloads(observer: (ctx: CallContext, contract: string, version: string) => void): void {
    this.downloadObservers.push(observer);
  }

  async tarball(ctx: CallContext, name: string, version: string): Promise<PackageVersion | null> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const row = await this.orm.em
      .fork()
      .findOne(PackageVersion, { name, version }, { populate: ['tarball'] });
    if (row?.contract) for (const o of this.downloadObservers) o(ctx, row.contract, row.version);
    return row;
  }

  /** The package versions of several contracts in one query (for DataLoader), oldest first. */
  async versionsOfContracts(ctx: CallContext, contracts: readonly string[]): Promise<PackageVersion[][]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await this.orm.em
      .fork()
      .find(PackageVersion, { contract: { $in: [...contracts] } }, { orderBy: { createdAt: 'asc' } });
    return contracts.map((c) => rows.filter((r) => r.contract === c));
  }

  /** Packages of several contract versions in one query (for DataLoader). */
  async byContractVersionIds(ctx: CallContext, ids: readonly string[]): Promise<(PackageVersion | null)[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'ContractVersion');
    const rows = await this.orm.em.fork().find(PackageVersion, { contractVersionId: { $in: [...ids] } });
    return ids.map((id) => rows.find((r) => r.contractVersionId === id) ?? null);
  }
}
