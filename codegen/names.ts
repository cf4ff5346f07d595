/** Names in generated packages: npm package names and TypeScript identifiers. */

/**
 * `work-center` → `WorkCenter`, `iso9001-cert` → `Iso9001Cert`, `gauge-c8a9` → `GaugeC8A9`: a letter
 * after digits is upper-cased too, as json-schema-to-typescript names the types it declares (the
 * declarations refer to them by this name).
 */
export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')
    .replace(/(\d)([a-z])/g, (_m, digit: string, letter: string) => digit + letter.toUpperCase());
}

/** An npm scope: `@` and a lowercase, URL-safe name (npm's rules; at most 214 characters with the name). */
export const NPM_SCOPE = /^@[a-z0-9][a-z0-9._-]*$/;

export function isNpmScope(scope: string): boolean {
  return NPM_SCOPE.test(scope) && scope.length <= 100;
}

export function packageName(scope: string, contract: string): string {
  return `${scope}/${contract}`;
}

/** The tarball file name npm expects: `<name without scope>-<version>.tgz`. */
export function tarballFileName(contract: string, version: string): string {
  return `${contract}-${version}.tgz`;
}

/** The exported TypeScript name of a contract's root type. */
export function rootTypeName(contract: string): string {
  return pascalCase(contract);
}
