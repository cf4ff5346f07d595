/**
 * When a business key may change. A rekey takes effect at once (references and cross-references
 * follow it in the same transaction, which cannot wait for a future moment), and not while the
 * record has revisions scheduled for later (they carry the old key and would bring it back).
 */
import type { Em } from '../../../db/orm.ts';
import { CanonError } from '../../../errors.ts';

export async function assertRekeyable(
  em: Em,
  record: { id: string; domain: string; key: string },
  newKey: string,
  effectiveFrom: Date | null,
): Promise<void> {
  if (effectiveFrom && effectiveFrom.getTime() > Date.now()) {
    throw new CanonError(
      'INVALID_STATE',
      `Changing the key of ${record.domain} ${record.key} to ${newKey} takes effect at once; it cannot be scheduled for ${effectiveFrom.toISOString()}.`,
      { path: ['effectiveFrom'] },
    );
  }
  const [scheduled] = await em
    .getConnection()
    .execute<{ revision: number; effective_from: Date }[]>(
      'select revision, effective_from from record_revision where record_id = ? and effective_from > now() order by effective_from limit 1',
      [record.id],
      'all',
      em.getTransactionContext(),
    );
  if (scheduled) {
    throw new CanonError(
      'INVALID_STATE',
      `${record.domain} ${record.key} has revision ${scheduled.revision} scheduled for ${new Date(scheduled.effective_from).toISOString()}; change its key after that revision takes effect.`,
      { path: ['data'] },
    );
  }
}
