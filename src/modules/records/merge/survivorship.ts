/**
 * Survivorship: the payload a survivor gets when another record merges into it, field by field —
 * what the steward chose (take the survivor's, the merged record's, or a value), else the domain's
 * rule for the field, else the default chain: the value of the field's system of record, then the
 * most complete value, then the survivor's. Pure: the caller reads records, rules and owners.
 */
import { isDeepStrictEqual } from 'node:util';
import { CanonError } from '../../../errors.ts';
import type { FieldSource } from '../change-request.entity.ts';
import type { Data } from '../domain-rules.ts';

export const SURVIVORSHIP_RULES = ['SURVIVOR', 'MOST_COMPLETE', 'MOST_RECENT', 'SOURCE_RANKING'] as const;
export type SurvivorshipRule = (typeof SURVIVORSHIP_RULES)[number];

export interface FieldChoice {
  /** A top-level field as a JSON pointer: `/name`. */
  path: string;
  source: FieldSource;
  /** The value when source is VALUE (null removes the field). */
  value?: unknown;
}

export interface MergeSide {
  data: Data;
  /** When its current revision took effect (MOST_RECENT). */
  changedAt: Date;
  /** The system whose proposal wrote its current revision (SOURCE_RANKING); null: a person. */
  sourceSystem: string | null;
}

/** A system of record of the domain: the whole record (fields null) or the fields named. */
export interface FieldOwner {
  system: string;
  fields: string[] | null;
}

export interface SurvivorshipInput {
  survivor: MergeSide;
  merged: MergeSide;
  choices: readonly FieldChoice[];
  /** The business key's fields: always the survivor's (a merge never rekeys the survivor). */
  keyFields: readonly string[];
  /** Rules set for fields of the domain (`/name` → MOST_RECENT). */
  rules: ReadonlyMap<string, SurvivorshipRule>;
  owners: readonly FieldOwner[];
}

export interface SurvivedField {
  path: string;
  source: FieldSource;
  /** CHOSEN, KEY, or the rule that decided. */
  rule: string;
}

const topLevel = (path: string): string | null => {
  const m = /^\/([^/]+)$/.exec(path);
  return m ? m[1].replace(/~1/g, '/').replace(/~0/g, '~') : null;
};

const pointer = (field: string): string => `/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Empty for completeness: absent, null, blank text, an empty list or object. */
export function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** How many non-empty leaves a value has (a richer object is more complete). */
function completeness(v: unknown): number {
  if (isEmptyValue(v)) return 0;
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + completeness(x), 0);
  if (typeof v === 'object')
    return Object.values(v as object).reduce<number>((n, x) => n + completeness(x), 0);
  return 1;
}

/** Checks the steward's choices: top-level fields, each once, never a key field from the merged record. */
export function checkChoices(choices: readonly FieldChoice[], keyFields: readonly string[]): void {
  const seen = new Set<string>();
  choices.forEach((c, i) => {
    const field = topLevel(c.path);
    if (field === null)
      throw new CanonError('BAD_USER_INPUT', `${c.path} is not a top-level field pointer such as /name.`, {
        path: ['fieldChoices', String(i), 'path'],
      });
    if (seen.has(c.path))
      throw new CanonError('BAD_USER_INPUT', `${c.path} is chosen twice.`, {
        path: ['fieldChoices', String(i), 'path'],
      });
    seen.add(c.path);
    if (c.source !== 'VALUE' && c.value !== undefined && c.value !== null)
      throw new CanonError('BAD_USER_INPUT', 'A value is given only with source VALUE.', {
        path: ['fieldChoices', String(i), 'value'],
      });
    if (keyFields.includes(c.path) && c.source !== 'SURVIVOR')
      throw new CanonError(
        'BAD_USER_INPUT',
        `${c.path} is part of the business key: the survivor keeps its own (merge the other way round to keep the other key).`,
        { path: ['fieldChoices', String(i), 'source'] },
      );
  });
}

function decideByRule(
  rule: SurvivorshipRule,
  path: string,
  s: unknown,
  m: unknown,
  input: SurvivorshipInput,
): FieldSource | null {
  switch (rule) {
    case 'SURVIVOR':
      return 'SURVIVOR';
    case 'MOST_COMPLETE': {
      const cs = completeness(s);
      const cm = completeness(m);
      return cs === cm ? null : cs > cm ? 'SURVIVOR' : 'MERGED';
    }
    case 'MOST_RECENT': {
      const ts = input.survivor.changedAt.getTime();
      const tm = input.merged.changedAt.getTime();
      return ts === tm ? null : ts > tm ? 'SURVIVOR' : 'MERGED';
    }
    case 'SOURCE_RANKING': {
      const owners = new Set(
        input.owners.filter((o) => o.fields === null || o.fields.includes(path)).map((o) => o.system),
      );
      const sOwns = input.survivor.sourceSystem !== null && owners.has(input.survivor.sourceSystem);
      const mOwns = input.merged.sourceSystem !== null && owners.has(input.merged.sourceSystem);
      // only decisive when one side came from the field's system of record and the other did not
      return sOwns === mOwns ? null : sOwns ? 'SURVIVOR' : 'MERGED';
    }
  }
}

const DEFAULT_CHAIN: readonly SurvivorshipRule[] = ['SOURCE_RANKING', 'MOST_COMPLETE', 'SURVIVOR'];

/** The survivor's merged payload and where each field came from. */
export function survive(input: SurvivorshipInput): { data: Data; fields: SurvivedField[] } {
  checkChoices(input.choices, input.keyFields);
  const chosen = new Map(input.choices.map((c) => [c.path, c]));
  const names = [...new Set([...Object.keys(input.survivor.data), ...Object.keys(input.merged.data)])].sort();
  const data: Data = {};
  const fields: SurvivedField[] = [];
  for (const c of input.choices) {
    const field = topLevel(c.path)!;
    if (!names.includes(field)) names.push(field);
  }
  for (const name of names) {
    const path = pointer(name);
    const s = input.survivor.data[name];
    const m = input.merged.data[name];
    const choice = chosen.get(path);
    let source: FieldSource;
    let rule: string;
    if (choice) {
      source = choice.source;
      rule = 'CHOSEN';
    } else if (input.keyFields.includes(path)) {
      source = 'SURVIVOR';
      rule = 'KEY';
    } else if (isDeepStrictEqual(s, m)) {
      source = 'SURVIVOR';
      rule = 'EQUAL';
    } else {
      const set = input.rules.get(path);
      const chain = set ? [set, ...DEFAULT_CHAIN] : DEFAULT_CHAIN;
      let decided: FieldSource | null = null;
      rule = 'SURVIVOR';
      for (const r of chain) {
        decided = decideByRule(r, path, s, m, input);
        if (decided) {
          rule = r;
          break;
        }
      }
      source = decided ?? 'SURVIVOR';
    }
    const value = source === 'VALUE' ? choice?.value : source === 'MERGED' ? m : s;
    if (value !== undefined && value !== null) data[name] = value;
    else if (source === 'SURVIVOR' && s === null) data[name] = null;
    fields.push({ path, source, rule });
  }
  return { data, fields };
}
