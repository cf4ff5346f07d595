/**
 * Checks a payload must pass to become a revision: its contract (ajv) and its domain's rules —
 * references to live records, keys unique among live records, nothing live refers to a record retired.
 */

import type { Em } from '../../db/orm.ts';
import { CanonError, ValidationError } from '../../errors.ts';
import type { ContractValidator } from '../contracts/contracts.service.ts';
import { recordRowsSql } from './as-of.ts';
import type { ChangeOperation } from './change-request.entity.ts';
import type { Data, DomainRules, Finding, LiveRecord, RuleContext } from './domain-rules.ts';
import type { GoldenRecord } from './golden-record.entity.ts';
import { liveOwnerOfOldKey } from './keys/key-aliases.ts';
import { keyTextFindings } from './keys/key-text.ts';
import { bySeverity, warnedRules } from './rule-severities.ts';

export class RecordValidation {
  /**
   * Contract (ajv) and domain rules; failures refuse the proposal with every finding. Answers the
   * findings of rules the domain has set to WARNING: they do not refuse, they are kept.
   */
  async validate(
    em: Em,
    rules: DomainRules,
    validator: ContractValidator,
    operation: ChangeOperation,
    data: Data,
    previous: Data | null,
    record: GoldenRecord | null,
    /** A record the checks treat as gone (a merge proposal's merged record: its barcode is free). */
    ignoring?: string,
  ): Promise<Finding[]> {
    if (operation === 'RETIRE') {
      const schemaFindings = this.contractFindings(validator, data);
      if (schemaFindings.length > 0) throw this.refusal(rules, validator, schemaFindings, true);
      await this.assertNotReferenced(em, record!);
      return [];
    }
    const result = await this.findings(
      em,
      this.ruleContext(em, ignoring),
      rules,
      validator,
      data,
      previous,
      record?.id ?? null,
      await warnedRules(em, rules.domain),
    );
    if (result.findings.length > 0) throw this.refusal(rules, validator, result.findings, result.contract);
    return result.warnings;
  }

  private refusal(rules: DomainRules, validator: ContractValidator, findings: Finding[], contract: boolean) {
    return contract
      ? new ValidationError(
          'CONTRACT_VALIDATION_FAILED',
          `The ${rules.domain} payload does not satisfy the ${validator.version} contract.`,
          findings.map((f) => ({ ...f, severity: 'ERROR' as const })),
        )
      : new ValidationError(
          findings[0].code,
          findings.map((f) => f.message).join(' '),
          findings.map((f) => ({ ...f, severity: 'ERROR' as const })),
        );
  }

  /** What the contract (ajv, every error) finds in a payload; `code` is the failing keyword. */
  contractFindings(validator: ContractValidator, data: Data): Finding[] {
    return validator.validate(data).map((e) => ({
      code: (e.keyword ?? 'schema') as Finding['code'],
      path: e.path === '/' ? '' : e.path,
      message: e.message,
    }));
  }

  /**
   * Everything that keeps a payload (create or update) from becoming a revision, without throwing:
   * the contract's errors (`contract: true`, then nothing else is checked), or the domain rules'
   * findings — references, checks, key taken or reserved. `ctx` answers the lookups (a bulk write
   * passes one that also sees the rows it accepted before this one). Findings of the `warned` rules
   * come apart as `warnings`: they do not keep the payload out.
   */
  async findings(
    em: Em,
    ctx: RuleContext,
    rules: DomainRules,
    validator: ContractValidator,
    data: Data,
    previous: Data | null,
    recordId: string | null,
    warned: ReadonlySet<string> = new Set(),
  ): Promise<{ contract: boolean; findings: Finding[]; warnings: Finding[] }> {
    const schemaFindings = this.contractFindings(validator, data);
    if (schemaFindings.length > 0) return { contract: true, findings: schemaFindings, warnings: [] };
    const findings: Finding[] = keyTextFindings(data, rules.keyFields);
    for (const ref of rules.references(data)) {
      const target = await ctx.findLive(ref.domain, ref.key, ref.scope);
      if (!target) {
        const renamed = await (ctx.reservedAlias
          ? ctx.reservedAlias(ref.domain, ref.key, ref.scope ?? '', null)
          : liveOwnerOfOldKey(em, ref.domain, ref.key, ref.scope ?? '', null));
        findings.push({
          code: 'REFERENCE_NOT_FOUND',
          path: ref.field,
          message: renamed
            ? `${ref.domain} ${ref.key} was renamed to ${renamed.currentKey}; refer to it by its new key.`
            : `No live ${ref.domain} record has the key ${ref.key}${ref.scope ? ` on site ${ref.scope}` : ''}.`,
        });
      }
    }
    findings.push(...(await rules.check(ctx, data, previous, recordId)));
    const key = rules.keyOf(data);
    if (key === '')
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        path: '',
        message: `The ${rules.domain} record has no business key: its contract declares none (x-canon-key) and the payload has no code.`,
      });
    const scope = rules.siteScoped ? (rules.siteOf(data) ?? '') : '';
    const taken = await ctx.findLive(rules.domain, key, scope);
    if (taken && taken.id !== recordId) {
      findings.push({
        code: 'DUPLICATE_KEY',
        path: '',
        message: `A live ${rules.domain} record already has the key ${key}${scope ? ` on site ${scope}` : ''}.`,
      });
    } else if (!taken) {
      // a live record's old key stays its alias: another record taking it would make lookups ambiguous
      const renamed = await (ctx.reservedAlias
        ? ctx.reservedAlias(rules.domain, key, scope, recordId)
        : liveOwnerOfOldKey(em, rules.domain, key, scope, recordId));
      if (renamed) {
        findings.push({
          code: 'DUPLICATE_KEY',
          path: '',
          message: `${key} was the key of the ${rules.domain} record now called ${renamed.currentKey}; it stays reserved as that record's alias.`,
        });
      }
    }
    const { blocking, warnings } = bySeverity(findings, warned);
    return { contract: false, findings: blocking, warnings };
  }

  async assertNotReferenced(em: Em, record: GoldenRecord): Promise<void> {
    const rows = await em.getConnection().execute<{ key: string; domain: string; field: string }[]>(
      `select g.key, g.domain, r.field from record_reference r join golden_record g on g.id = r.from_record
        where r.to_record = ? and g.status = 'ACTIVE' order by g.domain, g.key limit 20`,
      [record.id],
      'all',
      em.getTransactionContext(),
    );
    if (rows.length > 0) {
      throw new CanonError(
        'REFERENCED_BY_LIVE_RECORDS',
        `${record.domain} ${record.key} is still used by ${rows.length === 20 ? 'at least 20' : rows.length} live record(s).`,
        {
          details: rows.map((r) => ({ path: r.field, message: `${r.domain} ${r.key}` })),
        },
      );
    }
  }

  ruleContext(em: Em, ignoring?: string): RuleContext {
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    // the id is a uuid the caller checked: inlined, so the statements keep their parameters
    const ignored = ignoring && /^[0-9a-f-]{36}$/i.test(ignoring) ? ` and g.id <> '${ignoring}'` : '';
    const live = (k: string) =>
      `exists (select 1 from golden_record g where g.id = ${k}.record_id and g.status = 'ACTIVE'${ignored})`;
    const toLive = (r: { record_id: string; key: string; data: unknown }): LiveRecord => ({
      id: r.record_id,
      key: r.key,
      data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Data,
    });
    // live: the record's own status (a retirement recorded for later already frees its key), with a
    // revision in effect now. "now" is read at each lookup, not the transaction's start: a bulk write checks each row against
    // the ones it wrote before it in the same transaction
    return {
      em,
      findLive: async (domain, key, scope) => {
        const q = recordRowsSql(new Date(), (_r, k) => ({
          sql: `${k}.domain = ? and ${k}.key = ? and ${live(k)}${scope === undefined ? '' : ` and ${k}.key_scope = ?`}`,
          params: scope === undefined ? [domain, key] : [domain, key, scope],
        }));
        const rows = await conn.execute<{ record_id: string; key: string; data: unknown }[]>(
          `${q.sql} limit 1`,
          q.params,
          'all',
          tx,
        );
        return rows[0]?.data ? toLive(rows[0]) : null;
      },
      findLiveMatching: async (domain, match, excludeId) => {
        const matches: readonly Data[] = Array.isArray(match) ? match : [match];
        if (matches.length === 0) return [];
        const q = recordRowsSql(new Date(), (r, k) => ({
          sql: `${k}.domain = ? and ${live(k)} and (${matches.map(() => `${r}.data @> ?::jsonb`).join(' or ')})${excludeId ? ` and ${k}.record_id <> ?` : ''}`,
          params: [domain, ...matches.map((m) => JSON.stringify(m)), ...(excludeId ? [excludeId] : [])],
        }));
        const rows = await conn.execute<{ record_id: string; key: string; data: unknown }[]>(
          `${q.sql} limit ${20 * matches.length}`,
          q.params,
          'all',
          tx,
        );
        return rows.map(toLive);
      },
    };
  }
}
