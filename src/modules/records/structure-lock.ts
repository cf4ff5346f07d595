/**
 * Writers of a domain whose rules read a structure across records — a BOM cycle runs through other
 * BOMs, an effectivity overlap compares revisions of one product — take one transaction-scoped
 * advisory lock before validating, so two approvals that are each valid alone (A contains B, B
 * contains A) cannot both commit: the second validates after the first and sees it. (Decisions also
 * take the audit's change-order lock today; this one states the rules' own need, whatever the order
 * of the writer's other steps becomes.)
 */
import { lockNamed } from '../../db/locks.ts';
import type { Em } from '../../db/orm.ts';
import type { DomainRules } from './domain-rules.ts';

export async function lockStructure(em: Em, rules: DomainRules): Promise<void> {
  if (!rules.structureLock) return;
  await lockNamed(em, `structure:${rules.structureLock}`);
}
