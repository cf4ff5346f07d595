/**
 * A rekey, in the transaction that changed the key: the old key becomes an alias, other modules move
 * their copies of the key (cross-references), a `RECORD_REKEYED` event is appended, and every live
 * record that refers to the old key gets a revision that refers to the new one — its current revision
 * and each one scheduled for later, so a future change does not bring the old key back. A follower
 * whose own key contains the reference (a lot's key holds its item's code) is rekeyed in turn.
 */
import type { Em } from '../../../db/orm.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { ContractsService } from '../../contracts/contracts.service.ts';
import type { OutboxService } from '../../events/outbox.service.ts';
import type { GoldenRecord } from '../golden-record.entity.ts';
import type { RecordRevision } from '../record-revision.entity.ts';
import type { RevisionWrite } from '../record-writer.ts';
import { recordRename } from './key-aliases.ts';
import { repointReferences } from './repoint.ts';

export interface KeyChange {
  recordId: string;
  domain: string;
  oldKey: string;
  oldScope: string;
  newKey: string;
  newScope: string;
  revision: number;
}

/** Another module's part of a rekey, run in its transaction (the xref module moves its keys). */
export type RekeyListener = (em: Em, change: KeyChange) => Promise<void>;

export type WriteRevision = (
  em: Em,
  ctx: CallContext,
  write: RevisionWrite,
) => Promise<{ record: GoldenRecord; revision: RecordRevision }>;

/** How deep a chain of rekeys may go (uom → item → lot is two); a guard against a bad rule. */
const MAX_FOLLOW_DEPTH = 8;

export class RekeyFollower {
  private readonly contracts: ContractsService;
  private readonly outbox: OutboxService;
  private readonly writeRevision: WriteRevision;
  private readonly listeners: RekeyListener[] = [];

  constructor(contracts: ContractsService, outbox: OutboxService, writeRevision: WriteRevision) {
    this.contracts = contracts;
    this.outbox = outbox;
    this.writeRevision = writeRevision;
  }

  listen(listener: RekeyListener): void {
    this.listeners.push(listener);
  }

  async follow(
    em: Em,
    ctx: CallContext,
    p: { record: GoldenRecord; revision: number; oldKey: string; oldScope: string; write: RevisionWrite },
  ): Promise<void> {
    const { record, write } = p;
    const change: KeyChange = {
      recordId: record.id,
      domain: record.domain,
      oldKey: p.oldKey,
      oldScope: p.oldScope,
      newKey: record.key,
      newScope: record.keyScope,
      revision: p.revision,
    };
    await recordRename(em, change);
    for (const listener of this.listeners) await listener(em, change);
    await this.outboxRekeyed(em, write, change);
    if (p.oldKey === record.key) return; // only the key scope moved: references hold keys, not scopes
    const depth = (write.followsRekeyOf?.depth ?? 0) + 1;
    if (depth > MAX_FOLLOW_DEPTH) return;
    const followers = await this.referencing(em, record.id);
    // each follower's entities leave the unit of work once written: a flush compares every managed
    // entity, so keeping them would make a rekey with n followers cost n² (62 s at 1,000 items)
    const uow = em.getUnitOfWork();
    const before = new Set(uow.getIdentityMap().values());
    for (const [followerId, fields] of followers) {
      await repointReferences(this.contracts, this.writeRevision, em, ctx, {
        followerId,
        fields,
        oldKey: change.oldKey,
        newKey: change.newKey,
        cause: write,
        reason: `Follows the rename of ${change.domain} ${change.oldKey} to ${change.newKey}.`,
        refusal: `${change.domain} ${change.oldKey} cannot become ${change.newKey}`,
        mark: {
          followsRekeyOf: {
            recordId: change.recordId,
            domain: change.domain,
            oldKey: change.oldKey,
            newKey: change.newKey,
            depth,
          },
        },
      });
      for (const entity of uow.getIdentityMap().values()) if (!before.has(entity)) uow.unsetIdentity(entity);
    }
  }

  private async outboxRekeyed(em: Em, write: RevisionWrite, change: KeyChange): Promise<void> {
    await this.outbox.append(em, {
      type: 'RECORD_REKEYED',
      domain: change.domain,
      subjectId: change.recordId,
      revision: change.revision,
      payload: {
        oldKey: change.oldKey,
        newKey: change.newKey,
        oldKeyScope: change.oldScope,
        newKeyScope: change.newScope,
        ...(write.followsRekeyOf ? { followsRekeyOf: write.followsRekeyOf } : {}),
      },
      origin: write.origin,
      contractVersion: write.validator.version,
    });
  }

  /**
   * Locks every record a rekey of this one may write (those referring to it, and on down: a lot of a
   * renamed item's), in id order, so two rekeys lock shared followers in the same order.
   */
  async lockFollowers(em: Em, recordId: string): Promise<void> {
    await em.getConnection().execute(
      `with recursive f(id) as (
         select from_record from record_reference where to_record = ?
         union select r.from_record from record_reference r join f on r.to_record = f.id)
       select g.id from golden_record g where g.id in (select id from f) order by g.id for update of g`,
      [recordId],
      'all',
      em.getTransactionContext(),
    );
  }

  /** Live records referring to a record, with the fields that do. */
  private async referencing(em: Em, recordId: string): Promise<Map<string, string[]>> {
    const rows = await em
      .getConnection()
      .execute<{ from_record: string; field: string }[]>(
        'select from_record, field from record_reference where to_record = ? order by from_record, field',
        [recordId],
        'all',
        em.getTransactionContext(),
      );
    const byRecord = new Map<string, string[]>();
    for (const r of rows) byRecord.set(r.from_record, [...(byRecord.get(r.from_record) ?? []), r.field]);
    return byRecord;
  }
}
