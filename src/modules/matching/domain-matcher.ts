/**
 * Matching a whole domain at once. The live records are read in pages (only the fields the rules
 * use); EXACT rules group them by their normalised values; FUZZY rules compare only records that
 * share one of their two rarest words (blocking: a word used by more than BLOCK_MAX records says
 * little), drop pairs whose agree fields or numbers differ, and ask pg_trgm for the similarity of the
 * rest in batches. Memory grows with the domain (the fields read), not with the pairs compared.
 */
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import type { MatchReason, MatchRule } from './match.entities.ts';
import {
  exactForm,
  exactReason,
  fuzzyAgrees,
  fuzzyReason,
  type Payload,
  valueAt,
  verdict,
} from './match-scoring.ts';

const PAGE = 10_000;
/** A value or word shared by more records than this is no evidence of a duplicate. */
export const BLOCK_MAX = 50;
/** Words per record used for blocking. */
const BLOCK_WORDS = 2;
/** Pairs per similarity statement. */
const SIMILARITY_BATCH = 5_000;

export interface FoundPair {
  a: string;
  b: string;
  score: number;
  rule: string;
  reasons: MatchReason[];
  autoMerge: boolean;
}

export interface MatchProgress {
  phase: 'READING' | 'EXACT' | 'FUZZY';
  records: number;
  comparisons: number;
  compared: number;
}

interface Rec {
  id: string;
  data: Payload;
}

const pairKey = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

/** The words of a text as pg_trgm splits it (letters and digits), lower case, two characters or more. */
export function wordsOf(text: string): string[] {
  return [...new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u))].filter((w) => w.length >= 2);
}

export async function matchDomain(
  em: Em,
  domain: string,
  rules: readonly MatchRule[],
  onProgress: (p: MatchProgress) => Promise<void>,
): Promise<{ records: number; pairs: FoundPair[] }> {
  const fields = [...new Set(rules.flatMap((r) => [...r.fields, ...r.agree]).map((p) => p.split('/')[1]))];
  const records = await readRecords(em, domain, fields, (n) =>
    onProgress({ phase: 'READING', records: n, comparisons: 0, compared: 0 }),
  );
  const reasons = new Map<string, MatchReason[]>();
  const add = (x: string, y: string, reason: MatchReason) => {
    const [a, b] = pairKey(x, y);
    const k = `${a}|${b}`;
    reasons.set(k, [...(reasons.get(k) ?? []), reason]);
  };
  const byId = new Map(records.map((r) => [r.id, r]));

  await onProgress({ phase: 'EXACT', records: records.length, comparisons: 0, compared: 0 });
  for (const rule of rules.filter((r) => r.kind === 'EXACT')) {
    const groups = new Map<string, string[]>();
    for (const r of records) {
      const forms = rule.fields.map((f) => exactForm(valueAt(r.data, f), rule.normalise));
      if (forms.some((f) => f === null)) continue;
      const k = JSON.stringify(forms);
      const group = groups.get(k);
      if (group) group.push(r.id);
      else groups.set(k, [r.id]);
    }
    for (const ids of groups.values()) {
      if (ids.length < 2 || ids.length > BLOCK_MAX) continue;
      for (let i = 0; i < ids.length; i++)
        for (let j = i + 1; j < ids.length; j++) {
          const reason = exactReason(rule, byId.get(ids[i])!.data, byId.get(ids[j])!.data);
          if (reason) add(ids[i], ids[j], reason);
        }
    }
  }

  const fuzzy = rules.filter((r) => r.kind === 'FUZZY');
  const work: { rule: MatchRule; a: Rec; b: Rec }[] = [];
  for (const rule of fuzzy) {
    for (const [a, b] of blockedPairs(records, rule.fields[0])) {
      if (fuzzyAgrees(rule, a.data, b.data)) work.push({ rule, a, b });
    }
  }
  let compared = 0;
  await onProgress({ phase: 'FUZZY', records: records.length, comparisons: work.length, compared });
  for (let i = 0; i < work.length; i += SIMILARITY_BATCH) {
    const batch = work.slice(i, i + SIMILARITY_BATCH);
    const sims = await similarities(
      em,
      batch.map((w) => String(valueAt(w.a.data, w.rule.fields[0]))),
      batch.map((w) => String(valueAt(w.b.data, w.rule.fields[0]))),
    );
    batch.forEach((w, n) => {
      const reason = fuzzyReason(w.rule, w.a.data, w.b.data, sims[n]);
      if (reason) add(w.a.id, w.b.id, reason);
    });
    compared += batch.length;
    await onProgress({ phase: 'FUZZY', records: records.length, comparisons: work.length, compared });
  }

  const pairs: FoundPair[] = [];
  for (const [k, rs] of reasons) {
    const v = verdict(rules, rs);
    if (!v) continue;
    const [a, b] = k.split('|');
    pairs.push({ a, b, ...v });
  }
  return { records: records.length, pairs };
}

async function readRecords(
  em: Em,
  domain: string,
  fields: string[],
  progress: (n: number) => Promise<void>,
): Promise<Rec[]> {
  const out: Rec[] = [];
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await em.getConnection().execute<{ record_id: string; d: unknown }[]>(
      `select c.record_id, (select coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
                              from jsonb_each(c.data) e where e.key = any(?::text[])) as d
         from record_current c
        where c.domain = ? and c.status = 'ACTIVE' and c.record_id > ?
        order by c.record_id limit ${PAGE}`,
      [toPgArray(fields), domain, after],
    );
    for (const r of rows)
      out.push({ id: r.record_id, data: (typeof r.d === 'string' ? JSON.parse(r.d) : r.d) as Payload });
    await progress(out.length);
    if (rows.length < PAGE) return out;
    after = rows[rows.length - 1].record_id;
  }
}

/** Pairs of records sharing one of their BLOCK_WORDS rarest words (each pair once). */
function blockedPairs(records: readonly Rec[], pointer: string): [Rec, Rec][] {
  const words = new Map<Rec, string[]>();
  const freq = new Map<string, number>();
  for (const r of records) {
    const text = valueAt(r.data, pointer);
    if (typeof text !== 'string') continue;
    const ws = wordsOf(text);
    words.set(r, ws);
    for (const w of ws) freq.set(w, (freq.get(w) ?? 0) + 1);
  }
  const blocks = new Map<string, Rec[]>();
  for (const [r, ws] of words) {
    const rare = ws
      .filter((w) => {
        const n = freq.get(w)!;
        return n >= 2 && n <= BLOCK_MAX;
      })
      .sort((x, y) => freq.get(x)! - freq.get(y)! || (x < y ? -1 : 1))
      .slice(0, BLOCK_WORDS);
    for (const w of rare) {
      const block = blocks.get(w);
      if (block) block.push(r);
      else blocks.set(w, [r]);
    }
  }
  const seen = new Set<string>();
  const out: [Rec, Rec][] = [];
  for (const members of blocks.values()) {
    for (let i = 0; i < members.length; i++)
      for (let j = i + 1; j < members.length; j++) {
        const [a, b] = members[i].id < members[j].id ? [members[i], members[j]] : [members[j], members[i]];
        const k = `${a.id}|${b.id}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push([a, b]);
      }
  }
  return out;
}

/** pg_trgm's similarity of each pair of texts, in order. */
async function similarities(em: Em, left: string[], right: string[]): Promise<number[]> {
  if (left.length === 0) return [];
  const rows = await em
    .getConnection()
    .execute<{ s: number }[]>(
      'select similarity(u.x, u.y) as s from unnest(?::text[], ?::text[]) with ordinality as u(x, y, i) order by u.i',
      [toPgArray(left), toPgArray(right)],
    );
  return rows.map((r) => Number(r.s));
}
