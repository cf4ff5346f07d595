/**
 * Turns a contract version (and the versions it references) into an npm package: `index.d.ts`,
 * `index.js` (schema + ahead-of-time validator, ESM, no run-time dependencies), `schema.json`,
 * `package.json` and `README.md`, packed into a deterministic tarball. Pure: no database, no network.
 */
import { type ContractDoc, generateDeclarations } from './declarations.ts';
import { schemaIdOf } from './drafts.ts';
import { packageName, rootTypeName } from './names.ts';
import { generateReadme } from './readme.ts';
import { contractRefsIn, walkReferences } from './references.ts';
import { type PackedTarball, packTarball } from './tarball.ts';
import { generateValidatorModule } from './validator.ts';

/** Bump when generated output changes: Canon rebuilds stored packages made by another generator version. */
export const GENERATOR_VERSION = '1.0.0';

export interface GeneratedPackage extends PackedTarball {
  name: string;
  version: string;
  files: Record<string, string>;
  dependencies: Record<string, string>;
}

export interface GenerateOptions {
  /** npm scope, e.g. `@canon`. */
  scope: string;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Every contract version `doc` references, transitively, from `available`. */
export async function referencedDocs(doc: ContractDoc, available: ContractDoc[]): Promise<ContractDoc[]> {
  const found = await walkReferences(
    contractRefsIn(doc.schema),
    (ref) => available.find((a) => a.contract === ref.name && a.version === ref.version),
    (d) => contractRefsIn(d.schema),
  );
  return [...found.values()];
}

export async function generatePackage(
  doc: ContractDoc,
  referenced: ContractDoc[],
  options: GenerateOptions,
): Promise<GeneratedPackage> {
  const name = packageName(options.scope, doc.contract);
  const { dts, dependencies } = await generateDeclarations(doc, referenced, options.scope);
  const type = rootTypeName(doc.contract);
  const manifest = {
    name,
    version: doc.version,
    description: String(doc.schema.description ?? doc.schema.title ?? `${doc.contract} contract`),
    keywords: ['canon', 'contract', doc.contract],
    license: 'UNLICENSED',
    type: 'module',
    main: './index.js',
    types: './index.d.ts',
    exports: {
      '.': { types: './index.d.ts', import: './index.js', default: './index.js' },
      './schema.json': './schema.json',
      './package.json': './package.json',
    },
    sideEffects: false,
    dependencies,
    canon: {
      contract: doc.contract,
      version: doc.version,
      id: schemaIdOf(doc.schema),
      type,
      generator: GENERATOR_VERSION,
    },
  };
  const files: Record<string, string> = {
    'package.json': json(manifest),
    'index.d.ts': dts,
    'index.js': generateValidatorModule(
      doc.contract,
      doc.schema,
      referenced.map((r) => r.schema),
    ),
    'schema.json': json(doc.schema),
    'README.md': generateReadme(doc, options.scope, dependencies),
  };
  return { name, version: doc.version, files, dependencies, ...(await packTarball(files)) };
}

/**
 * `@<scope>/contracts`: one package depending on the newest published version of every contract,
 * so a pipeline can install the whole canonical model at once.
 */
export async function generateContractsPackage(
  version: string,
  latest: { contract: string; version: string }[],
  options: GenerateOptions,
): Promise<GeneratedPackage> {
  const name = packageName(options.scope, 'contracts');
  const dependencies = Object.fromEntries(
    [...latest]
      .sort((a, b) => a.contract.localeCompare(b.contract))
      .map((c) => [packageName(options.scope, c.contract), `^${c.version}`]),
  );
  const manifest = {
    name,
    version,
    description: 'Every Canon contract at its newest published version.',
    keywords: ['canon', 'contract'],
    license: 'UNLICENSED',
    dependencies,
    canon: { generator: GENERATOR_VERSION },
  };
  const readme = [
    `# ${name}`,
    '',
    'Depends on the newest published version of every Canon contract:',
    '',
    ...Object.entries(dependencies).map(([dep, range]) => `- \`${dep}\` ${range}`),
    '',
  ].join('\n');
  const files = { 'package.json': json(manifest), 'README.md': readme };
  return { name, version, files, dependencies, ...(await packTarball(files)) };
}
