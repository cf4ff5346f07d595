/**
 * The CASL ability of an actor, built once per cached caller lookup (DESIGN §7, src/callers.ts). Every authorization decision in the
 * services goes through it; the GraphQL layer adds coarse scopes on top. A connector's ability is
 * narrowed by the system-of-record rules of its system (domain, site, fields): docs/authorization.md.
 */
import { AbilityBuilder, subject as casl, createMongoAbility, type MongoAbility } from '@casl/ability';
import { rulesToCondition } from '@casl/ability/extra';
import { CanonError } from '../../errors.ts';
import { type OwnershipRule, pointerCovers } from '../systems/ownership.ts';
import type { Actor } from './actor-context.ts';

export type Action =
  | 'manage'
  | 'read'
  | 'create'
  | 'update'
  | 'delete'
  | 'publish'
  | 'publishBreaking'
  | 'deprecate'
  | 'retire'
  | 'revoke'
  | 'rotate'
  | 'verify'
  | 'propose'
  | 'approve'
  | 'merge'
  | 'replay'
  | 'acknowledge'
  | 'report'
  | 'release';

export type SubjectName =
  | 'Contract'
  | 'ContractVersion'
  | 'ApiToken'
  | 'Actor'
  | 'AuditEvent'
  | 'GoldenRecord'
  | 'ChangeRequest'
  | 'ApprovalPolicy'
  | 'System'
  | 'Xref'
  | 'EventStream'
  | 'Subscription'
  | 'IntegrationException'
  | 'all';

export type AppAbility = MongoAbility<[Action, SubjectName | Record<string, unknown>]>;

/** A system-of-record rule as the ability needs it (the systems module's rule shape). */
export type OwnedScope = Pick<OwnershipRule, 'domain' | 'site' | 'fields'>;

/** Field names are JSON pointers: owning `/weight` covers `/weight/quantity`. */
const pointerFieldMatcher = (owned: string[]) => (field: string) =>
  owned.some((f) => pointerCovers(f, field));

export function defineAbilityFor(actor: Actor | null, ownership: OwnedScope[] = []): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  if (!actor) return build();

  // everybody sees themselves and their own tokens
  can('read', 'Actor', { id: actor.id });
  can('read', 'ApiToken', { actor: actor.id });

  switch (actor.role) {
    case 'admin':
      can('manage', 'all');
      break;
    case 'steward':
      can('read', 'Contract');
      can('read', 'ContractVersion');
      can('read', 'AuditEvent');
      can('read', 'Actor');
      can('read', 'GoldenRecord');
      can('read', 'ChangeRequest');
      can('propose', 'GoldenRecord');
      can('approve', 'ChangeRequest');
      can('merge', 'GoldenRecord');
      can('read', 'System');
      can('manage', 'Xref');
      can('read', 'Subscription');
      // stewards work the exception queues: acknowledge, assign, comment, resolve, release quarantines
      can('read', 'IntegrationException');
      can('update', 'IntegrationException');
      can('report', 'IntegrationException');
      can('release', 'IntegrationException');
      break;
    case 'connector':
      can('read', 'System');
      can('read', 'Xref');
      can('manage', 'Xref', { systemCode: actor.systemCode });
      // the loop back: what its system applied, and the failures on its side
      can('acknowledge', 'System', { code: actor.systemCode });
      can('read', 'Subscription');
      can('read', 'IntegrationException');
      can('report', 'IntegrationException', { systemCode: actor.systemCode });
      // proposals only where its system is the system of record (domain, site, fields)
      for (const rule of ownership) {
        const conditions = { domain: rule.domain, ...(rule.site ? { site: rule.site } : {}) };
        if (rule.fields) can('propose', 'GoldenRecord', rule.fields, conditions);
        else can('propose', 'GoldenRecord', conditions);
      }
      can('read', 'GoldenRecord');
      can('read', 'ChangeRequest');
      can('read', 'Contract');
      can('read', 'ContractVersion', { status: { $in: ['PUBLISHED', 'DEPRECATED', 'RETIRED'] } });
      break;
    case 'viewer':
      can('read', 'System');
      can('read', 'Subscription');
      can('read', 'IntegrationException');
      can('read', 'Xref');
      can('read', 'GoldenRecord');
      can('read', 'ChangeRequest');
      // drafts are work in progress of the contract owners
      can('read', 'Contract');
      can('read', 'ContractVersion', { status: { $in: ['PUBLISHED', 'DEPRECATED', 'RETIRED'] } });
      break;
    case 'pipeline':
      can('read', 'Contract');
      can('read', 'ContractVersion', { status: { $in: ['PUBLISHED', 'DEPRECATED', 'RETIRED'] } });
      break;
  }
  return build({ fieldMatcher: pointerFieldMatcher });
}

/** Throws FORBIDDEN (or UNAUTHENTICATED without an actor) unless the ability allows the act. */
export function authorize(
  ability: AppAbility,
  actor: Actor | null,
  action: Action,
  subjectType: Exclude<SubjectName, 'all'>,
  object?: Record<string, unknown>,
): void {
  if (!actor)
    throw new CanonError('UNAUTHENTICATED', 'A valid API token is required (Authorization: Bearer <token>).');
  // ability.can, not ForbiddenError.from(…).throwUnlessCan: that builds an Error (with a stack
  // trace) on every call, allowed or not — measurable on the connectors' hot path
  if (!ability.can(action, object ? casl(subjectType, { ...object }) : subjectType)) {
    throw new CanonError('FORBIDDEN', `Your role (${actor.role}) may not ${action} ${subjectType}.`);
  }
}

/**
 * The rows of `subjectType` the ability lets the caller `action`, as a MikroORM filter: CASL's own
 * rule conditions (MongoDB query language, which MikroORM filters share) combined by
 * `rulesToCondition` — `{}` when every row, null when none. Lists filter with it instead of
 * restating a role's conditions by hand.
 */
export function ormFilter(
  ability: AppAbility,
  action: Action,
  subjectType: Exclude<SubjectName, 'all'>,
): Record<string, unknown> | null {
  return rulesToCondition(
    ability.rulesFor(action, subjectType),
    (rule) => {
      const conditions = (rule.conditions ?? {}) as Record<string, unknown>;
      return rule.inverted ? { $not: conditions } : conditions;
    },
    {
      and: (conditions) => ({ $and: conditions }),
      or: (conditions) => (conditions.some((c) => Object.keys(c).length === 0) ? {} : { $or: conditions }),
      empty: () => ({}),
    },
  );
}

export function can(
  ability: AppAbility,
  action: Action,
  subjectType: Exclude<SubjectName, 'all'>,
  object?: Record<string, unknown>,
): boolean {
  return ability.can(action, object ? casl(subjectType, { ...object }) : subjectType);
}
