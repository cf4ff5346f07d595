/** One change the diff engine found: its kind and where (path segments below the compared schemas). */
import { type ChangeKind, changeKindInfo } from './change-kinds.ts';
import type { SchemaNode, Segment } from './schema-nodes.ts';

export interface RawChange {
  kind: ChangeKind;
  path: Segment[];
}

export function isCompatible(changes: readonly RawChange[]): boolean {
  return changes.every((c) => changeKindInfo(c.kind).backward);
}

/** Renders path segments as a JSON pointer with a leading `#` (RFC 6901 escaping). */
export function pointer(path: readonly Segment[]): string {
  return `#/${path.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** What the keyword-family comparisons need from the engine: nested comparisons with cycle detection. */
export interface Differ {
  compare(a: SchemaNode | undefined, b: SchemaNode | undefined): RawChange[];
  /** Compares under a path prefix and appends the rebased changes; returns the unprefixed ones. */
  nested(
    prefix: Segment[],
    a: SchemaNode | undefined,
    b: SchemaNode | undefined,
    out: RawChange[],
  ): RawChange[];
}
