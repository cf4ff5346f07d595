/**
 * Reads a contracts folder laid out as `<name>/<version>.schema.json` (this repository's contracts/,
 * or a contract repository pushed with `canon contracts push <dir>`), and orders the documents so
 * that every referenced contract version comes before the documents that reference it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { CanonError } from '../../errors.ts';
import { contractUri, isValidContractName, parseVersion } from './contract-ids.ts';
import { referencedContracts } from './schema-checks.ts';

export const BUILT_IN_CONTRACTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../contracts');

export interface ContractDocument {
  contract: string;
  version: string;
  schema: Record<string, unknown>;
  file: string;
}

export function readContractsFolder(dir: string): ContractDocument[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CanonError(
      'BAD_USER_INPUT',
      `${dir} is not a folder of contracts (<name>/<version>.schema.json).`,
    );
  }
  const docs: ContractDocument[] = [];
  for (const name of readdirSync(dir).sort()) {
    const folder = join(dir, name);
    if (!statSync(folder).isDirectory() || name.startsWith('.')) continue;
    if (!isValidContractName(name))
      throw new CanonError('BAD_USER_INPUT', `${folder}: "${name}" is not a kebab-case contract name.`);
    for (const file of readdirSync(folder).sort()) {
      const m = /^(.+)\.schema\.json$/.exec(file);
      if (!m) continue;
      const path = join(folder, file);
      if (!parseVersion(m[1]))
        throw new CanonError('BAD_USER_INPUT', `${path}: "${m[1]}" is not a MAJOR.MINOR.PATCH version.`);
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new CanonError('INVALID_SCHEMA', `${path} is not valid JSON: ${(error as Error).message}`);
      }
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
        throw new CanonError('INVALID_SCHEMA', `${path} must hold a JSON Schema object.`);
      }
      docs.push({ contract: name, version: m[1], schema: schema as Record<string, unknown>, file: path });
    }
  }
  return orderByReferences(docs);
}

/** Referenced versions first; otherwise by contract name and ascending version. */
export function orderByReferences<T extends { contract: string; version: string; schema: unknown }>(
  docs: T[],
): T[] {
  const byUri = new Map(docs.map((d) => [contractUri(d.contract, d.version), d]));
  const sorted = [...docs].sort(
    (a, b) => a.contract.localeCompare(b.contract) || semver.compare(a.version, b.version),
  );
  const out: T[] = [];
  const state = new Map<T, 'visiting' | 'done'>();
  const visit = (doc: T): void => {
    const s = state.get(doc);
    if (s === 'done') return;
    if (s === 'visiting')
      throw new CanonError(
        'INVALID_SCHEMA',
        `${doc.contract} ${doc.version} is part of a reference cycle between contracts.`,
      );
    state.set(doc, 'visiting');
    const refs =
      typeof doc.schema === 'object' && doc.schema
        ? referencedContracts(doc.schema as Record<string, unknown>, 'schema')
        : [];
    for (const ref of refs) {
      const target = byUri.get(ref.uri);
      if (target && target !== doc) visit(target);
    }
    // earlier versions of the same contract first
    for (const other of sorted)
      if (other.contract === doc.contract && semver.lt(other.version, doc.version)) visit(other);
    state.set(doc, 'done');
    out.push(doc);
  };
  for (const doc of sorted) visit(doc);
  return out;
}
