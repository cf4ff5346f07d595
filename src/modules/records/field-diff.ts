/**
 * Field-level diff between two payloads, as stewards read it: one entry per changed leaf (objects are
 * descended, arrays compared whole), with a JSON pointer and the values before and after.
 */
import canonicalize from 'canonicalize';

export interface FieldChange {
  path: string;
  op: 'add' | 'remove' | 'replace';
  before: unknown;
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const escapePointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

export function fieldDiff(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => {
      const at = `${path}/${escapePointer(k)}`;
      if (!(k in before)) return [{ path: at, op: 'add' as const, before: null, after: after[k] }];
      if (!(k in after)) return [{ path: at, op: 'remove' as const, before: before[k], after: null }];
      return fieldDiff(before[k], after[k], at);
    });
  }
  if (canonicalize(before) === canonicalize(after)) return [];
  return [{ path: path || '/', op: 'replace', before: before ?? null, after: after ?? null }];
}
