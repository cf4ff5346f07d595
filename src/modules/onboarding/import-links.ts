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

  private async decided(em: Em, ctx: CallContext, crs: readonly ChangeRequest[]): Promise<void> {
    const byId = new Map(crs.map((cr) => [cr.id, cr]));
    const pending = await em.find(ImportPendingLink, { changeRequestId: { $in: [...byId.keys()] } });
    if (pending.length === 0) return;
    // the ids of applied proposals, by system and domain, each linked to the record it created
    const groups = new Map<string, { system: string; domain: string; links: ImportPendingLink[] }>();
    for (const p of pending) {
      const cr = byId.get(p.changeRequestId)!;
      if (cr.status !== 'APPLIED' || !cr.recordId) continue;
      const k = `${p.systemCode}\u0000${cr.domain}`;
      const group = groups.get(k) ?? { system: p.systemCode, domain: cr.domain, links: [] };
      group.links.push(p);
      groups.set(k, group);
    }
    for (const { system, domain, links } of groups.values()) {
      const taken = await this.xref.linkedKeysIn(
        em,
        system,
        domain,
        links.map((p) => p.externalId),
      );
      const fresh = links
        .filter((p) => !taken.has(p.externalId))
        .map((p) => ({
          externalId: p.externalId,
          recordId: byId.get(p.changeRequestId)!.recordId!,
          ...(p.externalKey ? { externalKey: p.externalKey } : {}),
        }));
      if (fresh.length > 0)
        await this.xref.linkWithin(
          em,
          ctx,
          { system, domain, links: fresh },
          { preauthorized: true, withoutAnswer: true },
        );
    }
    await em.nativeDelete(ImportPendingLink, { changeRequestId: { $in: [...byId.keys()] } });
  }
}
