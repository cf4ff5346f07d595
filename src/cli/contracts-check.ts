/**
 * `canon contracts check <dir>`: what a push of the folder would do, without changing anything — for
 * CI. Each version is compared with what the registry has (through GraphQL, on a running Canon or the
 * database): unchanged, new, compatible with the bump it carries, or refused (incompatible under the
 * contract's mode, a version lower than its changes need, a published version with other content).
 */
import { relative } from 'node:path';
import semver from 'semver';
import { withContractIds } from '../modules/contracts/contract-ids.ts';
import type { ContractDocument } from '../modules/contracts/contracts-folder.ts';
import { schemaFingerprint } from '../modules/contracts/fingerprint.ts';
import { bumpBetween, rank, type SemverBump } from '../modules/contracts/semver-bumps.ts';
import { ERROR_FIELDS, payloadOf, type Transport } from './transport.ts';

type Bump = SemverBump;

export interface CheckChange {
  kind: string;
  path: string;
  message: string;
  compatible: boolean;
}

export interface CheckResult {
  contract: string;
  version: string;
  file: string;
  /** ok: a push would publish it (or leave it, when unchanged); failed: a push would be refused. */
  status: 'UNCHANGED' | 'NEW_CONTRACT' | 'OK' | 'FAILED';
  code?: string;
  message: string;
  requiredBump?: Bump;
  suggestedVersion?: string | null;
  changes: CheckChange[];
}

const CHANGE = 'kind path message compatible';

async function checkOne(t: Transport, doc: ContractDocument, file: string): Promise<CheckResult> {
  const base = { contract: doc.contract, version: doc.version, file, changes: [] as CheckChange[] };
  const known = await t.call(
    `query($name: String!, $version: SemVer!) { contract(name: $name) {
       compatibility version(version: $version) { status fingerprint }
       versions(first: 100) { edges { node { version status } } } } }`,
    { name: doc.contract, version: doc.version },
  );
  const contract = known.contract as {
    compatibility: string;
    version: { status: string; fingerprint: string } | null;
    versions: { edges: { node: { version: string; status: string } }[] };
  } | null;
  if (!contract) return { ...base, status: 'NEW_CONTRACT', message: 'new contract: its first version' };
  const mine = schemaFingerprint(withContractIds(doc.contract, doc.version, doc.schema));
  const existing = contract.version;
  if (existing && existing.status !== 'DRAFT') {
    return existing.fingerprint === mine
      ? {
          ...base,
          status: 'UNCHANGED',
          message: `already ${existing.status.toLowerCase()} with this content`,
        }
      : {
          ...base,
          status: 'FAILED',
          code: 'VERSION_CONFLICT',
          message: `${doc.version} is ${existing.status.toLowerCase()} with other content; a published schema never changes: give the change a new version.`,
        };
  }
  const live = contract.versions.edges
    .map((e) => e.node)
    .filter((v) => v.status !== 'DRAFT' && v.status !== 'RETIRED');
  const newer = live.find(
    (v) => semver.major(v.version) === semver.major(doc.version) && semver.gte(v.version, doc.version),
  );
  if (newer)
    return {
      ...base,
      status: 'FAILED',
      code: 'VERSION_TOO_LOW',
      message: `${newer.version} is already published; a new ${semver.major(doc.version)}.x version must be higher.`,
    };
  const data = await t.call(
    `query($contract: String!, $schema: JSON!, $version: SemVer) {
       checkCompatibility(contract: $contract, schema: $schema, version: $version) {
         ... on CompatibilityReport { compatible mode requiredBump suggestedVersion comparedWith
           changes { ${CHANGE} } violations { ${CHANGE} } }
         ${ERROR_FIELDS} } }`,
    { contract: doc.contract, schema: doc.schema, version: doc.version },
  );
  const report = payloadOf<{
    compatible: boolean;
    mode: string;
    requiredBump: Bump;
    suggestedVersion: string | null;
    comparedWith: string[];
    changes: CheckChange[];
    violations: CheckChange[];
  }>(data.checkCompatibility, `The contract ${doc.contract}`);
  const predecessor = report.comparedWith[report.comparedWith.length - 1];
  const found = {
    ...base,
    requiredBump: report.requiredBump,
    suggestedVersion: report.suggestedVersion,
    changes: report.changes,
  };
  if (!report.compatible)
    return {
      ...found,
      status: 'FAILED',
      code: 'INCOMPATIBLE_SCHEMA',
      message: `not ${report.mode} compatible with ${report.comparedWith.join(', ')}: ${report.violations.length} breaking change(s)`,
      changes: report.violations,
    };
  if (predecessor && rank(bumpBetween(predecessor, doc.version)) < rank(report.requiredBump))
    return {
      ...found,
      status: 'FAILED',
      code: 'VERSION_TOO_LOW',
      message: `its changes need a ${report.requiredBump} bump from ${predecessor} (at least ${report.suggestedVersion}), not ${doc.version}`,
    };
  return {
    ...found,
    status: 'OK',
    message: predecessor
      ? `${report.requiredBump.toLowerCase()} change from ${predecessor}, ${report.mode} compatible`
      : 'first version of its major line',
  };
}

export async function checkFolder(t: Transport, docs: ContractDocument[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const doc of docs) results.push(await checkOne(t, doc, relative(process.cwd(), doc.file)));
  return results;
}

/** GitHub Actions workflow commands: one annotation on the file of each refused version. */
export function githubAnnotations(results: CheckResult[]): string[] {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return results
    .filter((r) => r.status === 'FAILED')
    .map(
      (r) =>
        `::error file=${prop(r.file)},title=${prop(`${r.code} ${r.contract}@${r.version}`)}::${esc(
          [r.message, ...r.changes.map((c) => `${c.path}: ${c.message}`)].join('\n'),
        )}`,
    );
}

export function printCheck(results: CheckResult[]): void {
  for (const r of results) {
    const mark = r.status === 'FAILED' ? `FAIL ${r.code}` : r.status === 'UNCHANGED' ? 'unchanged' : 'ok';
    console.log(`${r.contract}@${r.version}: ${mark}: ${r.message}`);
    for (const c of r.changes) console.log(`  ${c.compatible ? ' ' : '!'} ${c.kind} ${c.path}: ${c.message}`);
  }
  const failed = results.filter((r) => r.status === 'FAILED').length;
  console.log(
    failed
      ? `${failed} of ${results.length} version(s) would be refused`
      : `${results.length} version(s) checked: a push would be accepted`,
  );
}
