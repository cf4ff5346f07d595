/**
 * The system's ids of rows imported in propose mode whose records do not exist yet: kept with the
 * proposal's id, linked in the transaction of the approval that creates the record (the importer was
 * allowed to link them when the import ran), and dropped when the proposal is rejected, withdrawn or
 * conflicts. An id linked meanwhile to another record is left as it is (the approval still applies).
 */
import type { Em } from '../../db/orm.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ChangeRequest, RecordsService } from '../records/records.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import { ImportPendingLink, ImportPendingLinkEntity } from './import-job.entity.ts';

export interface PendingLink {
  changeRequestId: string;
  externalId: string;
  externalKey?: string;
}

export class ImportLinks {
  private readonly xref: XrefService;

  constructor(deps: { records: RecordsService; xref: XrefService }) {
    this.xref = deps.xref;
    deps.records.onDecided((em, ctx, cr) => this.decided(em, ctx, cr));
  }

  /** Keeps the ids of proposed new records until their proposals are decided (once per proposal and id). */
  async keep(
    em: Em,
    job: { id: string; systemCode: string; domain: string },
    links: readonly PendingLink[],
  ): Promise<void> {
    if (links.length === 0) return;
    const known = await em.find(
      ImportPendingLink,
      { changeRequestId: { $in: [...new Set(links.map((l) => l.changeRequestId))] } },
      { fields: ['changeRequestId', 'externalId'] },
    );
    const have = new Set(known.map((k) => `${k.changeRequestId}\u0000${k.externalId}`));
    for (const l of links) {
      if (have.has(`${l.changeRequestId}\u0000${l.externalId}`)) continue;
      have.add(`${l.changeRequestId}\u0000${l.externalId}`);
      em.create(ImportPendingLinkEntity, {
        changeRequestId: l.changeRequestId,
        jobId: job.id,
        systemCode: job.systemCode,
        domain: job.domain,
        externalId: l.externalId,
        externalKey: l.externalKey ?? null,
      });
    }
    await em.flush();
  }

  private async decided(em: Em, ctx: CallContext, cr: ChangeRequest): Promise<void> {
    const pending = await em.find(ImportPendingLink, { changeRequestId: cr.id });
    if (pending.length === 0) return;
    if (cr.status === 'APPLIED' && cr.recordId) {
      for (const system of new Set(pending.map((p) => p.systemCode))) {
        const ids = pending.filter((p) => p.systemCode === system);
        const taken = await this.xref.linkedKeysIn(
          em,
          system,
          cr.domain,
          ids.map((p) => p.externalId),
        );
        const links = ids
          .filter((p) => !taken.has(p.externalId))
          .map((p) => ({
            externalId: p.externalId,
            recordId: cr.recordId!,
            ...(p.externalKey ? { externalKey: p.externalKey } : {}),
          }));
        if (links.length > 0)
          await this.xref.linkWithin(em, ctx, { system, domain: cr.domain, links }, { preauthorized: true });
      }
    }
    await em.nativeDelete(ImportPendingLink, { changeRequestId: cr.id });
  }
}
