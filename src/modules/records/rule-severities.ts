/**
 * Rule severities per domain: each domain rule that may be relaxed is BLOCKING (the default: a payload
 * that breaks it is refused) or WARNING (the payload goes in, the finding is kept on the change
 * request and on the record's revision, and `records(filter: { hasFindings: true })` is the stewards'
 * work list). Rules whose breach would corrupt what Canon computes — unit arithmetic, the location
 * tree, cost timelines, keys and references — always block and are not listed.
 */
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { idempotentTransaction } from '../idempotency/idempotency.service.ts';
import type { Finding } from './domain-rules.ts';
import { RuleSeverity } from './rule-severity.entity.ts';

export const SEVERITIES = ['BLOCKING', 'WARNING'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The rules an administrator may make warnings, by domain, with what each checks. */
export const RELAXABLE_RULES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  item: {
    'item.gtin-check-digit': 'A barcode is a GTIN (8, 12, 13 or 14 digits) with a valid check digit.',
    'item.barcode-unique': 'No two live items share a barcode.',
    'item.stocked-goods-only': 'Only goods can be stocked.',
  },
  location: {
    'location.view-usage': 'A view location only groups others: it is neither a scrap nor a return location.',
  },
  lot: {
    'lot.item-tracked': 'A lot belongs to an item tracked by lots or serial numbers.',
    'lot.date-order': 'A lot’s dates come in order (manufactured, removal/best before, expiry).',
    'lot.quality-transition': 'A lot’s quality status changes only along the allowed transitions.',
  },
  uom: {
    'uom.rec20': 'A unit’s code is a UN/ECE Recommendation 20 code of its dimension.',
  },
};

export interface RuleSeverityView {
  domain: string;
  rule: string;
  description: string;
  severity: Severity;
}

/** The rules of a domain set to WARNING (one small read per validation). */
export async function warnedRules(em: Em, domain: string): Promise<ReadonlySet<string>> {
  if (!RELAXABLE_RULES[domain]) return new Set();
  const rows = await em.find(RuleSeverity, { domain, severity: 'WARNING' }, { fields: ['rule'] });
  return new Set(rows.map((r) => r.rule));
}

/** Findings split by severity: the blocking ones, and those of rules set to WARNING. */
export function bySeverity(
  findings: readonly Finding[],
  warned: ReadonlySet<string>,
): { blocking: Finding[]; warnings: Finding[] } {
  const warnings = findings.filter((f) => f.rule !== undefined && warned.has(f.rule));
  return { blocking: findings.filter((f) => !warnings.includes(f)), warnings };
}

export class RuleSeverities {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly contracts: ContractsService;

  constructor(orm: Orm, audit: AuditService, contracts: ContractsService) {
    this.orm = orm;
    this.audit = audit;
    this.contracts = contracts;
  }

  /** Every relaxable rule (of one domain, or all) with its severity now. */
  async list(ctx: CallContext, domain?: string): Promise<RuleSeverityView[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const rows = await this.orm.em.fork().find(RuleSeverity, domain ? { domain } : {});
    const set = new Map(rows.map((r) => [`${r.domain}\u0000${r.rule}`, r.severity as Severity]));
    return Object.entries(RELAXABLE_RULES)
      .filter(([d]) => !domain || d === domain)
      .flatMap(([d, rules]) =>
        Object.entries(rules).map(([rule, description]) => ({
          domain: d,
          rule,
          description,
          severity: set.get(`${d}\u0000${rule}`) ?? 'BLOCKING',
        })),
      );
  }

  async set(
    ctx: CallContext,
    input: { domain: string; rule: string; severity: Severity },
    idempotencyKey?: string | null,
  ): Promise<RuleSeverityView> {
    authorize(ctx.ability, ctx.actor, 'manage', 'ApprovalPolicy');
    const description = RELAXABLE_RULES[input.domain]?.[input.rule];
    if (!description) {
      const known = Object.keys(RELAXABLE_RULES[input.domain] ?? {});
      throw new CanonError(
        'BAD_USER_INPUT',
        known.length > 0
          ? `${input.rule} is not a rule of ${input.domain} that can be relaxed; these can: ${known.join(', ')}.`
          : `The ${input.domain} domain has no rule that can be relaxed.`,
        { path: ['rule'] },
      );
    }
    if (!SEVERITIES.includes(input.severity))
      throw new CanonError('BAD_USER_INPUT', 'severity is BLOCKING or WARNING.', { path: ['severity'] });
    const view = { ...input, description };
    const replay = () => ({ idOf: () => input.rule, replay: async () => view });
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'setRuleSeverity',
      input,
      replay,
      async (em) => {
        await this.contracts.validatorFor(em, input.domain); // the domain must have a published contract
        // the row exists (BLOCKING, as no row means) and is locked: concurrent setters take turns
        const conn = em.getConnection();
        const tx = em.getTransactionContext();
        await conn.execute(
          `insert into rule_severity (domain, rule, severity, updated_at) values (?, ?, 'BLOCKING', now())
           on conflict do nothing`,
          [input.domain, input.rule],
          'all',
          tx,
        );
        const [current] = await conn.execute<{ severity: Severity }[]>(
          'select severity from rule_severity where domain = ? and rule = ? for update',
          [input.domain, input.rule],
          'all',
          tx,
        );
        const before = current.severity;
        // setting the severity it already has changes nothing and is not audited again
        if (before === input.severity) return view;
        await conn.execute(
          'update rule_severity set severity = ?, updated_by = ?, updated_at = now() where domain = ? and rule = ?',
          [input.severity, ctx.actor?.id ?? null, input.domain, input.rule],
          'all',
          tx,
        );
        await this.audit.record(em, ctx, {
          action: 'RULE_SEVERITY_SET',
          subjectType: 'RuleSeverity',
          subjectId: `${input.domain}/${input.rule}`,
          before: { severity: before },
          after: { severity: input.severity },
        });
        return view;
      },
    );
  }
}
