/**
 * The references to other records that a proposal adds or removes: the domain rules' references of
 * the payload before (the proposal's diff undone on the proposed payload) against those after.
 */
import type { ChangeRequest } from './change-request.entity.ts';
import type { Data, ReferenceSpec } from './domain-rules.ts';
import type { FieldChange } from './field-diff.ts';
import { rulesFor } from './rules-registry.ts';

export interface ReferenceChange {
  op: 'ADDED' | 'REMOVED';
  field: string;
  domain: string;
  key: string;
  site: string | null;
}

const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** Sets (or deletes, for `undefined`) the value at a JSON pointer, creating objects on the way. */
function setAt(target: Data, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1).map(unescapePointer);
  let node: Data = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Data;
  }
  const last = parts.at(-1);
  if (last === undefined) return;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** The payload a diff was computed from, rebuilt from the payload it led to. */
export function payloadBefore(proposed: Data, diff: readonly FieldChange[]): Data | null {
  if (diff.some((c) => c.path === '/')) return null;
  const before = structuredClone(proposed);
  for (const change of diff) setAt(before, change.path, change.op === 'add' ? undefined : change.before);
  return before;
}

const identity = (r: ReferenceSpec) => `${r.field}\u0000${r.domain}\u0000${r.key}\u0000${r.scope ?? ''}`;

export function referenceChanges(cr: Pick<ChangeRequest, 'domain' | 'proposed' | 'diff' | 'operation'>) {
  const rules = rulesFor(cr.domain);
  const after = rules.references(cr.proposed);
  const previous = cr.operation === 'CREATE' ? null : payloadBefore(cr.proposed, cr.diff as FieldChange[]);
  const before = previous ? rules.references(previous) : [];
  const afterIds = new Set(after.map(identity));
  const beforeIds = new Set(before.map(identity));
  const toChange = (op: ReferenceChange['op']) => (r: ReferenceSpec) => ({
    op,
    field: r.field,
    domain: r.domain,
    key: r.key,
    site: r.scope || null,
  });
  return [
    ...before.filter((r) => !afterIds.has(identity(r))).map(toChange('REMOVED')),
    ...after.filter((r) => !beforeIds.has(identity(r))).map(toChange('ADDED')),
  ];
}
