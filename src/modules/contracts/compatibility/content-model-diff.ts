/**
 * What lies beyond the declared members of an object or array: `additionalProperties` /
 * `additionalItems` (allowed or not, and under which schema) and `unevaluatedProperties` /
 * `unevaluatedItems`.
 */
import type { ChangeKind } from './change-kinds.ts';
import { constraining, deref, permits } from './node-shapes.ts';
import type { Differ, RawChange } from './raw-change.ts';
import type { SchemaNode, Segment } from './schema-nodes.ts';

export function compareAdditional(
  d: Differ,
  at: Segment[],
  a: SchemaNode | undefined,
  b: SchemaNode | undefined,
  kinds: { ADDED: ChangeKind; REMOVED: ChangeKind; NARROWED: ChangeKind; EXTENDED: ChangeKind },
  out: RawChange[],
): void {
  const aPermits = permits(a);
  const bPermits = permits(b);
  if (aPermits !== bPermits) {
    out.push({ kind: bPermits ? kinds.ADDED : kinds.REMOVED, path: at });
    return;
  }
  const aSchema = constraining(a);
  const bSchema = constraining(b);
  if (!aSchema && bSchema) out.push({ kind: kinds.NARROWED, path: at });
  else if (aSchema && !bSchema) out.push({ kind: kinds.EXTENDED, path: at });
  else if (aSchema && bSchema) d.nested(at, aSchema, bSchema, out);
}

export function compareUnevaluated(
  d: Differ,
  at: Segment[],
  a: SchemaNode | undefined,
  b: SchemaNode | undefined,
  kinds: { ADDED: ChangeKind; REMOVED: ChangeKind; NARROWED: ChangeKind; EXTENDED: ChangeKind },
  out: RawChange[],
): void {
  if (!a && !b) return;
  const aFalse = a !== undefined && deref(a).kind === 'false';
  const bFalse = b !== undefined && deref(b).kind === 'false';
  const aOpen = a === undefined || deref(a).kind === 'empty';
  const bOpen = b === undefined || deref(b).kind === 'empty';
  if (aFalse && !bFalse) out.push({ kind: kinds.ADDED, path: at });
  else if (!aFalse && bFalse) out.push({ kind: kinds.REMOVED, path: at });
  else if (aFalse && bFalse) return;
  else if (aOpen && !bOpen) out.push({ kind: kinds.NARROWED, path: at });
  else if (!aOpen && bOpen) out.push({ kind: kinds.EXTENDED, path: at });
  else if (!aOpen && !bOpen) d.nested(at, a, b, out);
}
