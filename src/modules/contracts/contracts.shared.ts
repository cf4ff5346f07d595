import type { ValidateFunction } from 'ajv/dist/2020.js';
import semver from 'semver';
import type { Draft } from '../../../codegen/drafts.ts';
import type { Em } from '../../db/orm.ts';
import { CanonError, type ErrorDetail, VersionConflictError } from '../../errors.ts';
import { type CallContext, SYSTEM_ACTOR } from '../auth/actor-context.ts';
import type { Replayable } from '../idempotency/idempotency.service.ts';
import {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  type SchemaChange,
  type SchemaComparison,
  type SemverBump,
} from './compatibility/compatibility.ts';
import type { MajorPolicy } from './contract.entity.ts';
import { EVENT_CONTRACT_PREFIX, isEventContract, isValidContractName, parseVersion } from './contract-ids.ts';
import { ContractVersion, type VersionStatus } from './contract-version.entity.ts';

export const compiledValidators = new Map<string, ValidateFunction>();

export interface ContractValidator {
  contractVersionId: string;
  /** e.g. `item@1.1.0` */
  version: string;
  /** The published schema (its `x-canon-*` keywords define a custom domain's key and references). */
  schema: Record<string, unknown>;
  /** Every problem with a JSON pointer path; empty when valid. */
  validate(data: unknown): ErrorDetail[];
}

/** Statuses whose schemas data may have been written under (compatibility is checked against them). */
export const LIVE: VersionStatus[] = ['PUBLISHED', 'DEPRECATED'];

/** Every mutation of the registry may carry the caller's idempotency key. */
export interface Idempotent {
  idempotencyKey?: string | null;
}

export interface RegisterVersionInput extends Idempotent {
  contract: string;
  version: string;
  schema: unknown;
  changelog?: string;
  /** Used when the contract is new. */
  compatibility?: CompatibilityMode;
  description?: string;
  ownerTeam?: string;
  /** Used when the contract is new: the draft of documents without `$schema`. */
  defaultDraft?: Draft;
}

export interface UpdateContractInput extends Idempotent {
  name: string;
  compatibility?: CompatibilityMode;
  description?: string | null;
  ownerTeam?: string | null;
  majorPolicy?: MajorPolicy;
  /** The major new proposals are validated against (STAY); null: the oldest published one. */
  proposalMajor?: number | null;
  defaultDraft?: Draft;
  expectedLockVersion?: number;
}

export interface CompatibilityReport extends SchemaComparison {
  contract: string;
  mode: CompatibilityMode;
  /** True when the mode allows publishing the schema as the next version. */
  compatible: boolean;
  /** The versions the schema was compared with (predecessor, or all live ones for transitive modes). */
  comparedWith: string[];
  /** Changes that break the mode. */
  violations: SchemaChange[];
  /** The lowest version number the schema could be published as. */
  suggestedVersion: string | null;
}

export interface PushResult {
  contract: string;
  version: string;
  /**
   * PUBLISHED: registered and published now; UNCHANGED: already there with this content;
   * DRAFT_REPLACED: a draft of this version with other content, left by an earlier push of the same
   * actor, took this content and was published.
   */
  outcome: 'PUBLISHED' | 'UNCHANGED' | 'DRAFT_REPLACED';
}

/** A contract version as a document: what code generation needs. */
export interface ContractDocument {
  contract: string;
  version: string;
  schema: Record<string, unknown>;
}

/**
 * What a publication hands the publishing module, which builds the type package. Building is slow
 * (code generation), so it happens in `prepare`, before the publication takes the change-order lock
 * every audited write waits on; `onPublished` stores the result inside that lock, in the same
 * transaction: no publication without its package.
 */
export interface PublicationListener<P = unknown> {
  prepare(doc: ContractDocument & { contractVersionId: string }, referenced: ContractDocument[]): Promise<P>;
  onPublished(em: Em, prepared: P, latest: { contract: string; version: string }[]): Promise<void>;
  /** A deprecation or retirement changed the newest published versions (same lock, same transaction). */
  onLatestChanged(em: Em, latest: { contract: string; version: string }[]): Promise<void>;
}

// ---------------------------------------------------------------- pure helpers

export function requireContractName(name: string, ctx?: CallContext): string {
  if (name === 'contracts') {
    throw new CanonError(
      'BAD_USER_INPUT',
      '"contracts" is reserved: it names the package that depends on every contract.',
      { path: ['contract'] },
    );
  }
  if (!isValidContractName(name)) {
    throw new CanonError(
      'BAD_USER_INPUT',
      `"${name}" is not a contract name: use kebab-case words, optionally in dot-separated namespaces (e.g. item, work-center, acme.bom).`,
      { path: ['contract'] },
    );
  }
  if (isEventContract(name) && ctx?.actor?.id !== SYSTEM_ACTOR.id) {
    throw new CanonError(
      'BAD_USER_INPUT',
      `"${name}" is reserved: the ${EVENT_CONTRACT_PREFIX}* contracts describe Canon's own change events and ship with Canon.`,
      { path: ['contract'] },
    );
  }
  return name;
}

export function requireVersion(version: string, path: string[]) {
  const parsed = parseVersion(version);
  if (!parsed)
    throw new CanonError(
      'BAD_USER_INPUT',
      `"${version}" is not a version: use MAJOR.MINOR.PATCH (e.g. 1.2.0).`,
      { path },
    );
  return parsed;
}

export function requireMode(mode: string): CompatibilityMode {
  if (!(COMPATIBILITY_MODES as readonly string[]).includes(mode)) {
    throw new CanonError(
      'BAD_USER_INPUT',
      `Unknown compatibility mode "${mode}"; use one of ${COMPATIBILITY_MODES.join(', ')}.`,
      {
        path: ['compatibility'],
      },
    );
  }
  return mode as CompatibilityMode;
}

/** The answer to a retried registry mutation: the version as it is now. */
export function versionReplay(em: Em): Replayable<ContractVersion> {
  return {
    idOf: (v) => v.id,
    replay: (id) => em.findOneOrFail(ContractVersion, { id }, { populate: ['contract'] }),
  };
}

export function checkLock(actual: number, expected: number | undefined, what: string): void {
  if (expected !== undefined && expected !== actual) {
    throw new VersionConflictError(
      `${what} changed since you read it (lock version ${actual}, you sent ${expected}); reload and retry.`,
      actual,
    );
  }
}

export { bumpBetween, rank } from './semver-bumps.ts';

export function bumped(version: string, bump: SemverBump): string {
  if (bump === 'MAJOR') return semver.inc(version, 'major')!;
  if (bump === 'MINOR') return semver.inc(version, 'minor')!;
  return semver.inc(version, 'patch')!;
}

/**
 * Asked before a draft is published (in a transaction of its own): it may refuse the publication
 * while the version waits for its consumers (IMPACT_PENDING), recording the wait first.
 */
export type PublicationGate = (ctx: CallContext, contract: string, version: string) => Promise<void>;
