/**
 * Possible duplicates of one payload (a proposal as it arrives), from the domain's active rules:
 * EXACT rules by index lookups (the normalised key, jsonb containment), FUZZY rules by pg_trgm's `%`
 * on the trigram index of the text — a few statements per proposal, whatever the domain's size.
 */
import type { Em } from '../../db/orm.ts';
import type { DuplicateSuggestion } from '../records/records.service.ts';
import type { MatchReason, MatchRule } from './match.entities.ts';
import { exactForm, exactReason, fuzzyReason, type Payload, valueAt, verdict } from './match-scoring.ts';

/** Candidates one rule may return; the best are kept. */
const PER_RULE = 20;
/** Suggestions kept on a change request. */
const KEPT = 10;

interface Row {
  record_id: string;
  key: string;
  data: unknown;
  sim?: number;
}

/** `data->'name'`-style text of a pointer: the form the trigram index is built on for top-level fields. */
function textOf(pointer: string): { sql: string; params: unknown[] } {
  const parts = pointer.split('/').slice(1);
  if (parts.length === 1) return { sql: `(c.data->>'${parts[0].replace(/'/g, "''")}')`, params: [] };
  return {
    sql: '(c.data #>> ?::text[])',
    params: [`{${parts.map((p) => `"${p.replace(/"/g, '\\"')}"`).join(',')}}`],
  };
}

export class ProposalMatcher {
  private readonly keyFieldsOf: (em: Em, domain: string) => Promise<string[]>;
  private readonly rulesOf: (em: Em, domain: string) => Promise<MatchRule[]>;

  constructor(deps: {
    keyFieldsOf: (em: Em, domain: string) => Promise<string[]>;
    rulesOf: (em: Em, domain: string) => Promise<MatchRule[]>;
  }) {
    this.keyFieldsOf = deps.keyFieldsOf;
    this.rulesOf = deps.rulesOf;
  }

  async find(em: Em, domain: string, data: Payload, recordId: string | null): Promise<DuplicateSuggestion[]> {
    const rules = await this.rulesOf(em, domain);
    if (rules.length === 0) return [];
    const keyFields = await this.keyFieldsOf(em, domain);
    const found = new Map<string, { key: string; data: Payload; reasons: MatchReason[] }>();
    for (const rule of rules) {
      const rows =
        rule.kind === 'EXACT'
          ? await this.exactRows(em, rule, data, keyFields)
          : await this.fuzzyRows(em, rule, data);
      for (const row of rows) {
        if (row.record_id === recordId) continue;
        const other = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Payload;
        const reason =
          rule.kind === 'EXACT'
            ? exactReason(rule, data, other)
            : fuzzyReason(rule, data, other, Number(row.sim ?? 0));
        if (!reason) continue;
        const hit = found.get(row.record_id) ?? { key: row.key, data: other, reasons: [] };
        hit.reasons.push(reason);
        found.set(row.record_id, hit);
      }
    }
    const out: DuplicateSuggestion[] = [];
    for (const [id, hit] of found) {
      const v = verdict(rules, hit.reasons);
      if (v) out.push({ recordId: id, key: hit.key, score: v.score, rule: v.rule, reasons: v.reasons });
    }
    return out.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key)).slice(0, KEPT);
  }

  private async exactRows(em: Em, rule: MatchRule, data: Payload, keyFields: string[]): Promise<Row[]> {
    const conds: string[] = [];
    const params: unknown[] = [];
    for (const path of rule.fields) {
      const form = exactForm(valueAt(data, path), rule.normalise);
      if (form === null) return [];
      const value = valueAt(data, path);
      if (rule.normalise && keyFields.length === 1 && keyFields[0] === path) {
        conds.push('canon_match_norm(c.key) = ?'); // the expression index record_current_match_key
        params.push(form);
      } else if (rule.normalise && typeof value === 'string') {
        const t = textOf(path);
        conds.push(`canon_match_norm(${t.sql}) = ?`);
        params.push(...t.params, form);
      } else {
        // containment: the payload index (jsonb_path_ops)
        const parts = path.split('/').slice(1);
        const doc = parts.reduceRight<unknown>((inner, part) => ({ [part]: inner }), value);
        conds.push('c.data @> ?::jsonb');
        params.push(JSON.stringify(doc));
      }
    }
    return em.getConnection().execute<Row[]>(
      `select c.record_id, c.key, c.data from record_current c
        where c.domain = ? and c.status = 'ACTIVE' and ${conds.join(' and ')} limit ${PER_RULE}`,
      [rule.domain, ...params],
      'all',
      em.getTransactionContext(),
    );
  }

  private async fuzzyRows(em: Em, rule: MatchRule, data: Payload): Promise<Row[]> {
    const text = valueAt(data, rule.fields[0]);
    if (typeof text !== 'string' || text.trim() === '') return [];
    const t = textOf(rule.fields[0]);
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    // `%` uses the trigram index and this threshold (local to the proposal's transaction)
    await conn.execute(
      `select set_config('pg_trgm.similarity_threshold', ?, true)`,
      [String(rule.minSimilarity ?? 0.3)],
      'all',
      tx,
    );
    return conn.execute<Row[]>(
      `select c.record_id, c.key, c.data, similarity(${t.sql}, ?) as sim from record_current c
        where c.domain = ? and c.status = 'ACTIVE' and ${t.sql} % ? order by sim desc, c.record_id limit ${PER_RULE}`,
      [...t.params, text, rule.domain, ...t.params, text],
      'all',
      tx,
    );
  }
}
