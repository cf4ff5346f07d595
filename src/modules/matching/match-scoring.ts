/**
 * How a pair of payloads scores under a domain's rules, apart from the text similarity itself (which
 * pg_trgm computes in the database): normalised equality for EXACT rules, the agreement and number
 * checks of FUZZY rules, and the reasons a steward reads.
 */
import { isDeepStrictEqual } from 'node:util';
import type { MatchReason, MatchRule } from './match.entities.ts';

export type Payload = Record<string, unknown>;

/** Letters and digits only, case-folded — the same as the database's canon_match_norm. */
export function normaliseText(v: string): string {
  return v.replace(/[^\p{L}\p{N}]+/gu, '').toUpperCase();
}

/** A JSON pointer's value (top level and nested objects). */
export function valueAt(data: Payload, pointer: string): unknown {
  let v: unknown = data;
  for (const part of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

const isBlank = (v: unknown) =>
  v === undefined ||
  v === null ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.length === 0);

/** The comparable form of a value under an EXACT rule; null when absent (an absent value never matches). */
export function exactForm(v: unknown, normalise: boolean): string | null {
  if (isBlank(v)) return null;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  const form = normalise ? normaliseText(text) : text;
  return form === '' ? null : form;
}

/** The numbers in a text, in order: `M8x40 type 3617` → 8,40,3617. */
export function numbersOf(text: string): string {
  return (text.match(/\d+(?:[.,]\d+)?/g) ?? [])
    .map((n) => n.replace(',', '.').replace(/^0+(?=\d)/, ''))
    .join(' ');
}

/** The EXACT rule's reason for two payloads, or null when they do not match under it. */
export function exactReason(rule: MatchRule, a: Payload, b: Payload): MatchReason | null {
  const fields = rule.fields.map((path) => ({ path, left: valueAt(a, path), right: valueAt(b, path) }));
  for (const f of fields) {
    const l = exactForm(f.left, rule.normalise);
    if (l === null || l !== exactForm(f.right, rule.normalise)) return null;
  }
  return {
    rule: rule.name,
    kind: 'EXACT',
    score: rule.score,
    fields,
    message: `Same ${rule.fields.join(' and ')}${rule.normalise ? ' (letters and digits, any case)' : ''}.`,
  };
}

/** Whether a FUZZY rule's agreement checks pass (similarity aside): agree fields and numbers. */
export function fuzzyAgrees(rule: MatchRule, a: Payload, b: Payload): boolean {
  for (const path of rule.agree) {
    const l = valueAt(a, path);
    const r = valueAt(b, path);
    if (isBlank(l) || isBlank(r)) continue; // a missing value is no disagreement
    if (!isDeepStrictEqual(l, r)) return false;
  }
  if (rule.numbersAgree) {
    const ta = valueAt(a, rule.fields[0]);
    const tb = valueAt(b, rule.fields[0]);
    if (typeof ta === 'string' && typeof tb === 'string' && numbersOf(ta) !== numbersOf(tb)) return false;
  }
  return true;
}

/** The FUZZY rule's reason for a pair whose text similarity (pg_trgm) is known. */
export function fuzzyReason(rule: MatchRule, a: Payload, b: Payload, similarity: number): MatchReason | null {
  if (similarity < (rule.minSimilarity ?? 0) || !fuzzyAgrees(rule, a, b)) return null;
  const score = Math.round(similarity * rule.score * 10_000) / 10_000;
  const path = rule.fields[0];
  return {
    rule: rule.name,
    kind: 'FUZZY',
    score,
    fields: [path, ...rule.agree].map((p) => ({ path: p, left: valueAt(a, p), right: valueAt(b, p) })),
    message: `${path} ${Math.round(similarity * 100)} % similar${rule.agree.length > 0 ? `; same ${rule.agree.join(', ')}` : ''}${rule.numbersAgree ? '; same numbers' : ''}.`,
  };
}

/** The best reason that reaches its rule's suggestion threshold, and every reason found (best first). */
export function verdict(
  rules: readonly MatchRule[],
  reasons: readonly MatchReason[],
): { score: number; rule: string; reasons: MatchReason[]; autoMerge: boolean } | null {
  const byName = new Map(rules.map((r) => [r.name, r]));
  const sorted = [...reasons].sort((x, y) => y.score - x.score || x.rule.localeCompare(y.rule));
  const best = sorted.find((r) => r.score >= (byName.get(r.rule)?.suggestAt ?? Number.POSITIVE_INFINITY));
  if (!best) return null;
  const rule = byName.get(best.rule)!;
  return {
    score: best.score,
    rule: best.rule,
    reasons: sorted,
    autoMerge: rule.autoMergeAt !== null && rule.autoMergeAt !== undefined && best.score >= rule.autoMergeAt,
  };
}
