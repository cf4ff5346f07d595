/**
 * The xref module's part of a merge: every live xref of the merged record moves to the survivor (it
 * keeps its system and external id, so both systems' ids now resolve to the survivor), one
 * `XREF_REPOINTED` event each; an unmerge moves exactly those back. Links of a domain take a shared
 * lock that a merge takes exclusively, so a link committed during a merge never points at a record
 * the merge has just made MERGED.
 */
import { executeBound } from '../../db/bound-statements.ts';
import { lockNamed } from '../../db/locks.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import type { MergeChange, MergeParticipant } from '../records/merge/record-merger.ts';

const lockName = (domain: string) => `xref-merge:${domain}`;

/** Taken (shared) by a link batch before it checks that its records are live. */
export async function lockAgainstMerges(em: Em, domain: string): Promise<void> {
  await lockNamed(em, lockName(domain), 'shared');
}

interface MovedRow {
  id: string;
  system_code: string;
  external_id: string;
}

export function xrefMergeParticipant(outbox: OutboxService): MergeParticipant {
  const announce = async (em: Em, change: MergeChange, rows: MovedRow[], from: string, to: string) => {
    await outbox.appendMany(
      em,
      rows.map((r) => ({
        type: 'XREF_REPOINTED' as const,
        domain: change.domain,
        subjectId: to,
        payload: {
          system: r.system_code,
          externalId: r.external_id,
          fromRecordId: from,
          recordId: to,
          survivorId: change.survivorId,
          mergedId: change.mergedId,
        },
        origin: change.origin,
      })),
    );
  };
  return {
    name: 'xref',
    async lock(em, domain) {
      await lockNamed(em, lockName(domain));
    },
    async merged(em, change) {
      const rows = await executeBound<MovedRow>(
        em,
        `update xref set record_id = ?, record_key = ?, updated_at = now()
          where record_id = ? and state = 'ACTIVE'
          returning id::text as id, system_code, external_id`,
        [change.survivorId, change.survivorKey, change.mergedId],
      );
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      await announce(em, change, rows, change.mergedId, change.survivorId);
      return rows.map((r) => r.id);
    },
    async unmerged(em, change, moved) {
      const ids = Array.isArray(moved) ? moved.map(String) : [];
      if (ids.length === 0) return;
      // only those still live and still on the survivor: one unlinked since stays unlinked
      const rows = await executeBound<MovedRow>(
        em,
        `update xref set record_id = ?, record_key = ?, updated_at = now()
          where id = any(?::bigint[]) and record_id = ? and state = 'ACTIVE'
          returning id::text as id, system_code, external_id`,
        [change.mergedId, change.mergedKey, toPgArray(ids), change.survivorId],
      );
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      await announce(em, change, rows, change.survivorId, change.mergedId);
    },
  };
}
