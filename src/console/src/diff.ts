/** A field-level diff in the browser, shaped like the API's FieldChange (leaves by JSON pointer). */
import type { FieldChangeRow } from './components/FieldDiff.tsx';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const escapePointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChangeRow[] {
  if (isObject(before) && isObject(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().flatMap((k) => {
      const at = `${path}/${escapePointer(k)}`;
      if (!(k in before)) return [{ path: at, op: 'ADD', before: null, after: after[k] }];
      if (!(k in after)) return [{ path: at, op: 'REMOVE', before: before[k], after: null }];
      return fieldChanges(before[k], after[k], at);
    });
  }
  return JSON.stringify(before) === JSON.stringify(after)
    ? []
    : [{ path: path || '/', op: 'REPLACE', before, after }];
}
