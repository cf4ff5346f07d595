/**
 * Public face of the compatibility checker: compares two schema documents in both directions,
 * explains every change, derives the semver bump the change needs, and decides whether a contract's
 * compatibility mode allows it.
 */

import type { Draft } from '../../../../codegen/drafts.ts';
import { type ChangeKind, changeKindInfo } from './change-kinds.ts';
import { isCompatible, pointer, type RawChange, SchemaDiffer } from './schema-diff.ts';
import { type ExternalResolver, type Raw, SchemaDocument } from './schema-model.ts';

export type SemverBump = 'NONE' | 'PATCH' | 'MINOR' | 'MAJOR';

export const COMPATIBILITY_MODES = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

export interface SchemaChange {
  kind: ChangeKind;
  /** JSON pointer into the schema, written `#/properties/…`. */
  path: string;
  message: string;
  /** Whether this change alone keeps data valid under the old schema valid under the new one. */
  compatible: boolean;
}

export interface SchemaComparison {
  backwardCompatible: boolean;
  forwardCompatible: boolean;
  requiredBump: SemverBump;
  /** Changes from → to. */
  changes: SchemaChange[];
  /** Changes to → from: what decides forward compatibility (data written under the new schema read with the old). */
  forwardChanges: SchemaChange[];
}

export interface CompareOptions {
  /** Resolves absolute `$ref` targets (Canon contract ids) from the registry. */
  external?: ExternalResolver;
  /** The draft of each document when its `$schema` does not say (default: 2020-12). */
  drafts?: [Draft, Draft];
}

export function explain(change: RawChange): SchemaChange {
  const info = changeKindInfo(change.kind);
  const path = pointer(change.path);
  return { kind: change.kind, path, message: info.sentence.replace('{at}', path), compatible: info.backward };
}

export function compareSchemas(from: Raw, to: Raw, options: CompareOptions = {}): SchemaComparison {
  const [df, dt] = options.drafts ?? [undefined, undefined];
  // each document is read once, in its own draft, and compared both ways
  const a = new SchemaDocument(from, { external: options.external, draft: df }).rootNode();
  const b = new SchemaDocument(to, { external: options.external, draft: dt }).rootNode();
  const backward = new SchemaDiffer().diffRoots(a, b);
  const forward = new SchemaDiffer().diffRoots(b, a);
  return {
    backwardCompatible: isCompatible(backward),
    forwardCompatible: isCompatible(forward),
    requiredBump: requiredBump(backward, forward),
    changes: backward.map(explain),
    forwardChanges: forward.map(explain),
  };
}

/**
 * MAJOR when data valid under the old schema may be rejected by the new one; PATCH when only
 * annotations changed; MINOR for every other (compatible) change; NONE when nothing changed.
 */
export function requiredBump(backward: readonly RawChange[], forward: readonly RawChange[]): SemverBump {
  if (backward.length === 0 && forward.length === 0) return 'NONE';
  if (!isCompatible(backward)) return 'MAJOR';
  const annotationOnly = [...backward, ...forward].every((c) => changeKindInfo(c.kind).annotation);
  return annotationOnly ? 'PATCH' : 'MINOR';
}

export function isTransitive(mode: CompatibilityMode): boolean {
  return mode.endsWith('_TRANSITIVE');
}

/** The changes that break `mode` for one earlier version (empty when the mode is satisfied). */
export function violations(mode: CompatibilityMode, comparison: SchemaComparison): SchemaChange[] {
  const base = mode.replace('_TRANSITIVE', '');
  const out: SchemaChange[] = [];
  if (base === 'BACKWARD' || base === 'FULL') out.push(...comparison.changes.filter((c) => !c.compatible));
  if (base === 'FORWARD' || base === 'FULL') {
    out.push(
      ...comparison.forwardChanges
        .filter((c) => !c.compatible)
        .map((c) => ({ ...c, message: `Forward: ${c.message}` })),
    );
  }
  return out;
}

const BUMP_ORDER: SemverBump[] = ['NONE', 'PATCH', 'MINOR', 'MAJOR'];

export function maxBump(a: SemverBump, b: SemverBump): SemverBump {
  return BUMP_ORDER.indexOf(a) >= BUMP_ORDER.indexOf(b) ? a : b;
}
