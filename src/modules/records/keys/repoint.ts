/**
 * Re-pointing one record's references from one key to another — a rekey's followers, and the records
 * that referred to a record merged away (or back, on unmerge): a new revision of its current value
 * and of each one scheduled for later, with the fields that held the old key holding the new one.
 */
import type { Em } from '../../../db/orm.ts';
import { ValidationError } from '../../../errors.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { ContractsService, ContractValidator } from '../../contracts/contracts.service.ts';
import type { ChangeOperation } from '../change-request.entity.ts';
import type { Data } from '../domain-rules.ts';
import { GoldenRecord } from '../golden-record.entity.ts';
import { RecordRevision } from '../record-revision.entity.ts';
import type { RevisionWrite } from '../record-writer.ts';
import { getPointer, withPointer } from './json-pointer.ts';
import type { WriteRevision } from './rekey-follower.ts';

export interface Repoint {
  followerId: string;
  /** JSON pointers of the fields that refer to the record. */
  fields: readonly string[];
  oldKey: string;
  newKey: string;
  /** The write that caused it: its change request, proposer and origin are the follower's too. */
  cause: RevisionWrite;
  reason: string;
  /** Starts the sentence of the error when the new key does not fit the follower's contract. */
  refusal: string;
  /** What the follower's revision says it follows. */
  mark: Pick<RevisionWrite, 'followsRekeyOf' | 'followsMergeOf'>;
  /**
   * The domain rules' check of the follower's new payload, when re-pointing can break them (a merge
   * may make a location its own ancestor); a rename cannot, and skips it.
   */
  check?: (
    em: Em,
    follower: GoldenRecord,
    data: Data,
    previous: Data,
    validator: ContractValidator,
  ) => Promise<void>;
}

/** Writes the follower's revisions; answers how many it wrote (0: no field held the old key). */
export async function repointReferences(
  contracts: ContractsService,
  writeRevision: WriteRevision,
  em: Em,
  ctx: CallContext,
  r: Repoint,
): Promise<number> {
  await em
    .getConnection()
    .execute(
      'select id from golden_record where id = ? for update',
      [r.followerId],
      'all',
      em.getTransactionContext(),
    );
  const follower = await em.findOneOrFail(GoldenRecord, { id: r.followerId });
  await em.refresh(follower);
  const now = Date.now();
  const revisions = await em.find(
    RecordRevision,
    { record: follower },
    { orderBy: { effectiveFrom: 'asc', revision: 'asc' } },
  );
  const current = revisions.filter((rv) => rv.effectiveFrom.getTime() <= now).at(-1);
  const scheduled = revisions.filter((rv) => rv.effectiveFrom.getTime() > now);
  let written = 0;
  for (const source of [...(current ? [current] : []), ...scheduled]) {
    let data: Data = source.data;
    for (const field of r.fields) {
      if (getPointer(data, field) === r.oldKey) data = withPointer(data, field, r.newKey);
    }
    if (data === source.data) continue;
    const major = Number(source.contractVersion.split('@')[1].split('.')[0]);
    const validator = await contracts.validatorFor(em, follower.domain, major);
    const problems = validator.validate(data);
    if (problems.length > 0) {
      throw new ValidationError(
        'CONTRACT_VALIDATION_FAILED',
        `${r.refusal}: ${follower.domain} ${follower.key} refers to it, and the new key does not satisfy its ${validator.version} contract.`,
        problems.map((e) => ({
          code: e.keyword ?? 'schema',
          path: e.path,
          severity: 'ERROR' as const,
          message: e.message,
        })),
      );
    }
    const previous = await em.findOneOrFail(RecordRevision, {
      record: follower,
      revision: follower.latestRevision,
    });
    await r.check?.(em, follower, data, previous.data, validator);
    await writeRevision(em, ctx, {
      domain: follower.domain,
      record: follower,
      previous,
      operation: (['CREATE', 'MERGE', 'UNMERGE'].includes(source.operation)
        ? 'UPDATE'
        : source.operation) as ChangeOperation,
      data,
      effectiveFrom: new Date(Math.max(now, source.effectiveFrom.getTime())),
      validator,
      changeRequestId: r.cause.changeRequestId,
      proposedBy: r.cause.proposedBy,
      proposedByName: r.cause.proposedByName,
      reason: r.reason,
      origin: r.cause.origin,
      ...r.mark,
    });
    written++;
  }
  return written;
}
