/**
 * `canon codegen --out DIR`: writes the packages of a set of contract versions to a folder, offline —
 * each as `<out>/<contract>/<version>/` (the files) and `<out>/<contract>-<version>.tgz` (the same bytes
 * the registry serves), plus the `contracts` meta package.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import type { ContractDoc } from './declarations.ts';
import {
  type GeneratedPackage,
  generateContractsPackage,
  generatePackage,
  referencedDocs,
} from './generate.ts';
import { tarballFileName } from './names.ts';
import { contractRefsIn, walkReferences } from './references.ts';

/** A `$ref` to a contract version that is neither among the documents nor among those to resolve from. */
export class MissingContractError extends Error {}

/**
 * Writes the packages of `docs`; references resolve among them and then among `resolveFrom` (the
 * built-in contracts, for a folder that refers to them without holding them), whose packages are
 * not written.
 */
export async function writePackages(
  docs: ContractDoc[],
  outDir: string,
  scope: string,
  resolveFrom: ContractDoc[] = [],
): Promise<GeneratedPackage[]> {
  const available = [
    ...docs,
    ...resolveFrom.filter((r) => !docs.some((d) => d.contract === r.contract && d.version === r.version)),
  ];
  for (const doc of docs) {
    const missing: string[] = [];
    await walkReferences(
      contractRefsIn(doc.schema),
      (ref) => {
        const found = available.find((a) => a.contract === ref.name && a.version === ref.version);
        if (!found) missing.push(`${ref.name} ${ref.version} (${ref.uri})`);
        return found;
      },
      (d) => contractRefsIn(d.schema),
    );
    if (missing.length > 0)
      throw new MissingContractError(
        `${doc.contract} ${doc.version} refers to ${missing.join(', ')}, which is neither in the contracts folder nor a built-in contract; add it to the folder.`,
      );
  }
  const written: GeneratedPackage[] = [];
  for (const doc of docs) {
    const pkg = await generatePackage(doc, await referencedDocs(doc, available), { scope });
    const dir = join(outDir, doc.contract, doc.version);
    for (const [path, content] of Object.entries(pkg.files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    writeFileSync(join(outDir, tarballFileName(doc.contract, doc.version)), pkg.tgz);
    written.push(pkg);
  }
  const latest = new Map<string, string>();
  for (const d of docs)
    if (!latest.has(d.contract) || semver.gt(d.version, latest.get(d.contract)!))
      latest.set(d.contract, d.version);
  // offline, the meta package is versioned by how many contract versions it spans
  const meta = await generateContractsPackage(
    `1.${docs.length}.0`,
    [...latest].map(([contract, version]) => ({ contract, version })),
    { scope },
  );
  const metaDir = join(outDir, 'contracts', meta.version);
  mkdirSync(metaDir, { recursive: true });
  for (const [path, content] of Object.entries(meta.files)) writeFileSync(join(metaDir, path), content);
  writeFileSync(join(outDir, tarballFileName('contracts', meta.version)), meta.tgz);
  written.push(meta);
  return written;
}
