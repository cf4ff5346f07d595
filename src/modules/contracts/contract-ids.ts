/**
 * Canon's ids for contract versions, used as `$id` and as `$ref` targets between contracts:
 * `urn:canon:contract:<name>:<version>`. A URN, so nothing ever tries to fetch it; Canon resolves it
 * from its own registry.
 */
import semver from 'semver';
import { DEFAULT_DRAFT, DRAFT_URIS, type Draft, draftOf, idKeyword } from '../../../codegen/drafts.ts';

/** Kebab-case words, optionally in dot-separated namespaces: `item`, `work-center`, `acme.bom`. */
export const CONTRACT_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*(\.[a-z][a-z0-9]*(-[a-z0-9]+)*)*$/;
const URN = /^urn:canon:contract:([a-z][a-z0-9.-]*):(\d+\.\d+\.\d+)$/;

/** The namespace of the contracts of Canon's own change events (`event.record.changed` …): Canon's alone. */
export const EVENT_CONTRACT_PREFIX = 'event.';

export const isEventContract = (name: string): boolean => name.startsWith(EVENT_CONTRACT_PREFIX);

export const contractUri = (name: string, version: string): string => `urn:canon:contract:${name}:${version}`;

export function parseContractUri(uri: string): { name: string; version: string } | undefined {
  const m = URN.exec(uri);
  return m ? { name: m[1], version: m[2] } : undefined;
}

export function isValidContractName(name: string): boolean {
  return name.length <= 100 && CONTRACT_NAME_PATTERN.test(name);
}

/** Plain MAJOR.MINOR.PATCH: contract versions carry no pre-release or build tags. */
export function parseVersion(version: string): { major: number; minor: number; patch: number } | undefined {
  if (!/^\d+\.\d+\.\d+$/.test(version) || !semver.valid(version)) return undefined;
  const v = semver.parse(version)!;
  return { major: v.major, minor: v.minor, patch: v.patch };
}

/**
 * The document as Canon stores it: `$schema` (the draft's URI as ajv knows it) and its id (`$id`, draft-04's
 * `id`) first, then the author's keywords in their order.
 */
export function withContractIds(
  name: string,
  version: string,
  doc: Record<string, unknown>,
  defaultDraft: Draft = DEFAULT_DRAFT,
): Record<string, unknown> {
  const draft = draftOf(doc, defaultDraft) ?? defaultDraft;
  const { $schema: declared, ...rest } = doc;
  // the author's spelling stays when it differs only by the empty fragment (ajv reads both, and
  // documents stored so keep their fingerprint); any other spelling becomes the canonical one
  const canonical = DRAFT_URIS[draft];
  const $schema =
    typeof declared === 'string' && declared.replace(/#$/, '') === canonical.replace(/#$/, '')
      ? declared
      : canonical;
  return { $schema, [idKeyword(draft)]: contractUri(name, version), ...rest };
}
