/** A domain's match rules: read by anyone who reads records, set and removed by admins (audited). */
import { lockNamed } from '../../db/locks.ts';
import type { Em, Orm } from '../../db/orm.ts';
import { CanonError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { authorize } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { idempotentTransaction, type Replayable } from '../idempotency/idempotency.service.ts';
import { MATCH_RULE_KINDS, MatchRule, type MatchRuleKind } from './match.entities.ts';

export interface MatchRuleInput {
  domain: string;
  name: string;
  kind: MatchRuleKind;
  fields: string[];
  agree?: string[];
  normalise?: boolean;
  minSimilarity?: number | null;
  numbersAgree?: boolean;
  score: number;
  suggestAt: number;
  autoMergeAt?: number | null;
  active?: boolean;
  description?: string | null;
}

const POINTER = /^(\/[^/]+)+$/;

/** How long the proposal path keeps a domain's rules (a change on another replica is seen after it). */
const RULES_TTL_MS = 5_000;

function checkRule(input: MatchRuleInput): void {
  const bad = (message: string, path: string) => new CanonError('BAD_USER_INPUT', message, { path: [path] });
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(input.name))
    throw bad('A rule name is kebab-case: letters, digits and dashes, up to 100.', 'name');
  if (!MATCH_RULE_KINDS.includes(input.kind)) throw bad('kind is EXACT or FUZZY.', 'kind');
  if (input.fields.length === 0 || input.fields.length > 10 || !input.fields.every((f) => POINTER.test(f)))
    throw bad('fields: 1 to 10 JSON pointers such as /name.', 'fields');
  if (input.kind === 'FUZZY' && input.fields.length !== 1)
    throw bad('A FUZZY rule compares one text field.', 'fields');
  if ((input.agree ?? []).some((f) => !POINTER.test(f)) || (input.agree ?? []).length > 10)
    throw bad('agree: up to 10 JSON pointers.', 'agree');
  if (input.kind === 'EXACT' && (input.agree ?? []).length > 0)
    throw bad('An EXACT rule compares its fields; agree is for FUZZY rules.', 'agree');
  const unit = (v: number | null | undefined, path: string, required: boolean) => {
    if (v === null || v === undefined) {
      if (required) throw bad(`${path} is a number from 0 to 1.`, path);
      return;
    }
    if (!(Number.isFinite(v) && v > 0 && v <= 1)) throw bad(`${path} is a number above 0, at most 1.`, path);
  };
  unit(input.score, 'score', true);
  unit(input.suggestAt, 'suggestAt', true);
  unit(input.autoMergeAt, 'autoMergeAt', false);
  unit(input.minSimilarity, 'minSimilarity', input.kind === 'FUZZY');
  if (input.autoMergeAt !== null && input.autoMergeAt !== undefined && input.autoMergeAt < input.suggestAt)
    throw bad('autoMergeAt is at least suggestAt.', 'autoMergeAt');
  if ((input.description ?? '').length > 500)
    throw bad('description is at most 500 characters.', 'description');
}

export class MatchRules {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly contracts: ContractsService;

  constructor(orm: Orm, audit: AuditService, contracts: ContractsService) {
    this.orm = orm;
    this.audit = audit;
    this.contracts = contracts;
  }

  /** The active rules of a domain, in the caller's transaction. */
  activeIn(em: Em, domain: string): Promise<MatchRule[]> {
    return em.find(MatchRule, { domain, active: true }, { orderBy: { name: 'asc' } });
  }

  /**
   * The active rules of a domain for the proposal path, kept for a few seconds: every proposal
   * needs them, and they change rarely. A change here is seen at once; one made on another replica
   * within RULES_TTL_MS.
   */
  async activeCached(em: Em, domain: string): Promise<MatchRule[]> {
    const hit = this.cache.get(domain);
    if (hit && hit.until > Date.now()) return hit.rules;
    const rules = await this.activeIn(em, domain);
    this.cache.set(domain, { rules, until: Date.now() + RULES_TTL_MS });
    return rules;
  }

  private readonly cache = new Map<string, { rules: MatchRule[]; until: number }>();

  async list(ctx: CallContext, domain?: string): Promise<MatchRule[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    return this.orm.em
      .fork()
      .find(MatchRule, domain ? { domain } : {}, { orderBy: { domain: 'asc', name: 'asc' } });
  }

  /** Creates or replaces the rule (domain, name); `lockVersion` given: VERSION_CONFLICT when it moved. */
  async set(
    ctx: CallContext,
    input: MatchRuleInput,
    lockVersion?: number,
    idempotencyKey?: string,
  ): Promise<MatchRule> {
    authorize(ctx.ability, ctx.actor, 'manage', 'GoldenRecord');
    checkRule(input);
    // setters and removers of one rule take turns (two creating it at once would collide on its name)
    const replay = (em: Em): Replayable<MatchRule> => ({
      idOf: (r) => r.id,
      replay: (id) => em.findOneOrFail(MatchRule, { id }),
    });
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'setMatchRule',
      { input, lockVersion },
      replay,
      async (em) => {
        await this.contracts.validatorFor(em, input.domain); // NOT_FOUND for an unknown domain
        await lockNamed(em, `match-rule:${input.domain}/${input.name}`);
        let rule = await em.findOne(MatchRule, { domain: input.domain, name: input.name });
        const before = rule ? { ...ruleFields(rule) } : null;
        if (rule && lockVersion !== undefined && rule.lockVersion !== lockVersion)
          throw new CanonError(
            'VERSION_CONFLICT',
            `The rule ${input.name} changed since (version ${rule.lockVersion}, not ${lockVersion}).`,
            { path: ['lockVersion'] },
          );
        const values = {
          kind: input.kind,
          fields: input.fields,
          agree: input.agree ?? [],
          normalise: input.normalise ?? true,
          minSimilarity: input.kind === 'FUZZY' ? (input.minSimilarity ?? null) : null,
          numbersAgree: input.numbersAgree ?? false,
          score: input.score,
          suggestAt: input.suggestAt,
          autoMergeAt: input.autoMergeAt ?? null,
          active: input.active ?? true,
          description: input.description ?? null,
          updatedAt: new Date(),
          updatedBy: ctx.actor?.id ?? null,
        };
        if (rule) Object.assign(rule, values);
        else rule = em.create(MatchRule, { domain: input.domain, name: input.name, ...values });
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'MATCH_RULE_SET',
          subjectType: 'MatchRule',
          subjectId: `${input.domain}/${input.name}`,
          before,
          after: ruleFields(rule),
        });
        this.cache.delete(input.domain);
        return rule;
      },
    );
  }

  async remove(ctx: CallContext, domain: string, name: string, idempotencyKey?: string): Promise<boolean> {
    authorize(ctx.ability, ctx.actor, 'manage', 'GoldenRecord');
    const replay = (): Replayable<boolean> => ({ idOf: () => `${domain}/${name}`, replay: async () => true });
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'removeMatchRule',
      { domain, name },
      replay,
      async (em) => {
        await lockNamed(em, `match-rule:${domain}/${name}`);
        const rule = await em.findOne(MatchRule, { domain, name });
        if (!rule)
          throw new CanonError('NOT_FOUND', `${domain} has no match rule ${name}.`, { path: ['name'] });
        const before = ruleFields(rule);
        em.remove(rule);
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'MATCH_RULE_REMOVED',
          subjectType: 'MatchRule',
          subjectId: `${domain}/${name}`,
          before,
        });
        this.cache.delete(domain);
        return true;
      },
    );
  }
}

const ruleFields = (r: MatchRule) => ({
  kind: r.kind,
  fields: r.fields,
  agree: r.agree,
  normalise: r.normalise,
  minSimilarity: r.minSimilarity ?? null,
  numbersAgree: r.numbersAgree,
  score: r.score,
  suggestAt: r.suggestAt,
  autoMergeAt: r.autoMergeAt ?? null,
  active: r.active,
});
