/**
 * The rules' lookups of a bulk write: the batch's own keys answered from the records read (and
 * locked) up front, rows accepted earlier in the batch seen by the rows after them, other lookups
 * memoised for the batch.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Em } from '../../db/orm.ts';
import type { Existing } from './bulk-apply.ts';
import type { Data, LiveRecord, RuleContext } from './domain-rules.ts';
import { type AliasHit, liveOwnerOfOldKey } from './keys/key-aliases.ts';
import type { RecordValidation } from './record-validation.ts';

/**
 * The rules' lookups for a batch: records accepted earlier in the batch first (a parent location in
 * the rows above its children), then the database; live-record lookups memoised for the batch.
 */
export function overlayContext(
  validation: RecordValidation,
  em: Em,
  ownDomain: string,
  existing: Map<string, Existing>,
  aliases: AliasHit[],
  batchKeys: Set<string>,
): {
  context: RuleContext;
  accept: (domain: string, key: string, scope: string, id: string, data: Data) => void;
} {
  const base = validation.ruleContext(em);
  // the batch's own keys were all read (and locked) up front: a key of the domain not among them
  // has no live record, with no query per row
  const byKey = new Map<string, Existing[]>();
  for (const e of existing.values()) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  const fromPreload = (key: string, scope?: string): LiveRecord | null => {
    const e = (byKey.get(key) ?? []).find((x) => scope === undefined || x.key_scope === scope);
    return e ? { id: e.record_id, key: e.key, data: e.data } : null;
  };
  const accepted = new Map<string, LiveRecord>();
  const memo = new Map<string, Promise<LiveRecord | null>>();
  const id = (domain: string, key: string, scope?: string) => `${domain}\u0000${key}\u0000${scope ?? '*'}`;
  return {
    context: {
      em,
      findLive: (domain, key, scope) => {
        const own =
          accepted.get(id(domain, key, scope)) ??
          (scope === undefined ? undefined : accepted.get(id(domain, key)));
        if (own) return Promise.resolve(own);
        if (domain === ownDomain && batchKeys.has(key)) return Promise.resolve(fromPreload(key, scope));
        const k = id(domain, key, scope);
        let hit = memo.get(k);
        if (!hit) {
          hit = base.findLive(domain, key, scope);
          memo.set(k, hit);
        }
        return hit;
      },
      reservedAlias: async (domain, key, scope, excludeId) => {
        if (domain !== ownDomain || !batchKeys.has(key))
          return base.reservedAlias
            ? base.reservedAlias(domain, key, scope, excludeId)
            : liveOwnerOfOldKey(em, domain, key, scope, excludeId);
        return (
          aliases.find(
            (h) =>
              h.alias === key && h.keyScope === scope && h.status === 'ACTIVE' && h.recordId !== excludeId,
          ) ?? null
        );
      },
      findLiveMatching: async (domain, match, excludeId) => {
        const found = (await base.findLiveMatching(domain, match, excludeId)).filter(
          (r) => ![...accepted.values()].some((a) => a.id === r.id),
        );
        for (const [k, r] of accepted) {
          const matches: readonly Data[] = Array.isArray(match) ? match : [match];
          if (
            k.startsWith(`${domain}\u0000`) &&
            r.id !== excludeId &&
            matches.some((m) => contains(r.data, m))
          )
            found.push(r);
        }
        return found;
      },
    },
    accept: (domain, key, scope, recordId, data) => {
      const record = { id: recordId, key, data };
      accepted.set(id(domain, key, scope), record);
      accepted.set(id(domain, key), record);
      memo.delete(id(domain, key, scope));
      memo.delete(id(domain, key));
    },
  };
}

export function valueAt(data: Data, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (at, part) =>
        at && typeof at === 'object' ? (at as Data)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined,
      data,
    );
}

/** jsonb containment (`@>`) of plain JSON values, as PostgreSQL defines it for objects and scalars. */
function contains(value: unknown, match: unknown): boolean {
  if (match === null || typeof match !== 'object') return isDeepStrictEqual(value, match);
  if (Array.isArray(match))
    return Array.isArray(value) && match.every((m) => value.some((v) => contains(v, m)));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.entries(match).every(([k, m]) => contains((value as Data)[k], m));
}
