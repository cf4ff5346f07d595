/**
 * What a connector may propose: only where its system is the system of record of the domain and the
 * record's site, and — under field-level rules — only the fields it owns (CASL abilities built from
 * the system-of-record rules).
 */
import { subject as casl } from '@casl/ability';
import { NotSystemOfRecordError } from '../../errors.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ChangeOperation } from './change-request.entity.ts';
import type { Data, DomainRules } from './domain-rules.ts';
import { fieldDiff } from './field-diff.ts';

/**
 * A connector proposes only where its system is the system of record: the domain, the record's site
 * (before and after the change), and — under field-level rules — only the fields it owns. Returns the
 * approvals its rules ask for.
 */
export function connectorApprovals(
  ctx: CallContext,
  rules: DomainRules,
  operation: ChangeOperation,
  proposed: Data,
  previous: Data | null,
): number {
  const system = ctx.actor?.systemCode ?? '?';
  const sites = [...new Set([rules.siteOf(proposed), ...(previous ? [rules.siteOf(previous)] : [])])];
  const subjects = sites.map((site) =>
    casl('GoldenRecord', { domain: rules.domain, site } as Record<string, unknown>),
  );
  for (const [i, subject] of subjects.entries()) {
    if (!ctx.ability.can('propose', subject)) {
      throw new NotSystemOfRecordError(
        'NOT_SYSTEM_OF_RECORD',
        `${system} is not the system of record of ${rules.domain}${sites[i] ? ` on site ${sites[i]}` : ''}.`,
        ownedFieldsOf(ctx, rules.domain),
        [],
        ['domain'],
      );
    }
  }
  // creating, retiring and restoring touch the whole record; updates only their changed fields
  const changed = operation === 'UPDATE' ? fieldDiff(previous ?? {}, proposed).map((c) => c.path) : ['/'];
  const notOwned = changed.filter((path) =>
    subjects.some((subject) => !ctx.ability.can('propose', subject, path)),
  );
  if (notOwned.length > 0) {
    throw new NotSystemOfRecordError(
      'FIELD_NOT_OWNED',
      `${system} may not change ${notOwned.join(', ')} of ${rules.domain}: another system owns ${notOwned.length > 1 ? 'them' : 'it'}.`,
      ownedFieldsOf(ctx, rules.domain),
      notOwned,
      ['data'],
    );
  }
  const matching = (ctx.ownership ?? []).filter(
    (r) => r.domain === rules.domain && (!r.site || sites.every((s) => s === r.site)),
  );
  return Math.max(0, ...matching.map((r) => r.requiredApprovals));
}

/** What a connector's system owns in a domain: null = whole records (some rule has no fields). */
function ownedFieldsOf(ctx: CallContext, domain: string): string[] | null {
  const rules = (ctx.ownership ?? []).filter((r) => r.domain === domain);
  if (rules.some((r) => !r.fields)) return null;
  return [...new Set(rules.flatMap((r) => r.fields ?? []))].sort();
}
