/**
 * acknowledgeChanges: what a system did with the changes it received. One transaction per batch;
 * entries with mistakes of their own are refused one by one (nothing written for them), the rest are
 * written set-wise: the acknowledgements, the pending changes they settle, each record's state, the
 * system's cursor, the system's own ids as xrefs, and the refusals handed to the exceptions module.
 */
import type { Em, Orm } from '../../db/orm.ts';
import { retryTransient } from '../../db/transient.ts';
import { CanonError, notFound } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { can } from '../auth/ability.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { type ChangeFound, lookupChanges } from '../events/change-lookups.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import type { XrefService } from '../xref/xref.service.ts';
import { type AckEntryInput, type AckEntryResult, assertBatchSize, entryError } from './ack-entries.ts';
import { type AckRow, advanceCursor, clearPending, insertAcks, upsertStates } from './ack-statements.ts';

export interface AckBatchResult {
  system: string;
  results: AckEntryResult[];
  acknowledgedSequence: string;
  highestAcknowledgedSequence: string;
}

/** A refusal or an application that moved a record's state, for the exceptions module. */
export interface AcknowledgedChange {
  system: string;
  change: ChangeFound;
  status: AckRow['status'];
  code: string | null;
  message: string | null;
  blocking: boolean;
}

/** Told in the batch's transaction of the acknowledgements that changed something. */
export type AckListener = (em: Em, ctx: CallContext, changes: readonly AcknowledgedChange[]) => Promise<void>;

export class AckIngest {
  private readonly listeners: AckListener[] = [];
  /** Counted per status (and refusal code) for /metrics. */
  onCounted: (system: string, status: string, code: string | null, n: number) => void = () => {};

  private readonly deps: { orm: Orm; audit: AuditService; systems: SystemsService; xref: XrefService };

  constructor(deps: { orm: Orm; audit: AuditService; systems: SystemsService; xref: XrefService }) {
    this.deps = deps;
  }

  onAcknowledged(listener: AckListener): void {
    this.listeners.push(listener);
  }

  /** The system a call acknowledges for: the connector's own; an admin names one (on its behalf). */
  private systemOf(ctx: CallContext, named: string | null | undefined): string {
    if (!ctx.actor) throw new CanonError('UNAUTHENTICATED', 'A valid API token is required.');
    const system = named ?? ctx.actor.systemCode ?? null;
    if (!system)
      throw new CanonError('BAD_USER_INPUT', 'Name the system you acknowledge for.', { path: ['system'] });
    if (!can(ctx.ability, 'acknowledge', 'System', { code: system }))
      throw new CanonError(
        'FORBIDDEN',
        ctx.actor.role === 'connector'
          ? `A connector of ${ctx.actor.systemCode} acknowledges only for its own system, not ${system}.`
          : `Your role (${ctx.actor.role}) may not acknowledge changes.`,
        { path: ['system'] },
      );
    return system;
  }

  async acknowledge(
    ctx: CallContext,
    input: { system?: string | null; changes: AckEntryInput[] },
  ): Promise<AckBatchResult> {
    const system = this.systemOf(ctx, input.system);
    assertBatchSize(input.changes);
    // a transaction that lost a race runs again from scratch (fresh results)
    const { results, ...outcome } = await retryTransient(() =>
      this.deps.orm.em.fork().transactional((em) => this.write(em, ctx, system, input.changes)),
    );
    for (const r of results) {
      if (r.outcome === 'RECORDED' || r.outcome === 'REPLACED') {
        const entry = input.changes[r.index];
        this.onCounted(system, r.status, r.status === 'REFUSED' ? (entry.code ?? null) : null, 1);
      }
    }
    return { system, results, ...outcome };
  }

  private async write(
    em: Em,
    ctx: CallContext,
    system: string,
    entries: readonly AckEntryInput[],
  ): Promise<Omit<AckBatchResult, 'system'>> {
    const results: AckEntryResult[] = entries.map((entry, index) => {
      const error = entryError(entry, index);
      return {
        index,
        sequence: entry.sequence ?? null,
        recordId: entry.recordId ?? null,
        revision: entry.revision ?? null,
        status: entry.status,
        outcome: error ? 'REJECTED' : 'UNCHANGED',
        error,
      };
    });
    const active = await this.deps.systems.activeIn(em, system);
    if (active === null) throw notFound(`The system ${system}`, ['system']);
    if (!active)
      throw new CanonError(
        'INVALID_STATE',
        `The system ${system} is deactivated; activate it to acknowledge.`,
        {
          path: ['system'],
        },
      );
    const live = results.filter((r) => !r.error);
    const found = await lookupChanges(
      em,
      live.map((r) => ({ ...entries[r.index], withData: entries[r.index].status === 'REFUSED' })),
    );
    const changes = new Map<number, ChangeFound>();
    const seen = new Set<string>();
    live.forEach((r, i) => {
      const change = found[i];
      const at = (field: string) => ['changes', String(r.index), field];
      if (!change) {
        const entry = entries[r.index];
        r.error = entry.sequence
          ? notFound(`The change ${entry.sequence}`, at('sequence'))
          : notFound(`Revision ${entry.revision} of record ${entry.recordId}`, at('recordId'));
      } else if (seen.has(change.sequence)) {
        r.error = new CanonError(
          'BAD_USER_INPUT',
          `The change ${change.sequence} is acknowledged twice in the batch.`,
          {
            path: at('sequence'),
          },
        );
      } else if (entries[r.index].externalId && change.type !== 'RECORD_CHANGED') {
        r.error = new CanonError('BAD_USER_INPUT', "Only a record change links the system's own id.", {
          path: at('externalId'),
        });
      } else {
        seen.add(change.sequence);
        changes.set(r.index, change);
        r.sequence = change.sequence;
        r.recordId = change.type === 'RECORD_CHANGED' ? change.subjectId : null;
        r.revision = change.type === 'RECORD_CHANGED' ? change.revision : null;
      }
      if (r.error) r.outcome = 'REJECTED';
    });
    await this.linkOwnIds(em, ctx, system, entries, results, changes);
    const accepted = results.filter((r) => !r.error && changes.has(r.index));
    const rows: AckRow[] = accepted.map((r) => {
      const entry = entries[r.index];
      const change = changes.get(r.index)!;
      return {
        sequence: change.sequence,
        recordId: r.recordId,
        domain: change.domain,
        revision: r.revision,
        status: entry.status,
        code: entry.status === 'REFUSED' ? (entry.code ?? null) : null,
        message: entry.status === 'REFUSED' ? (entry.message?.trim() ?? null) : null,
        externalId: entry.externalId ?? null,
      };
    });
    const written = await insertAcks(em, system, ctx.actor?.id ?? null, rows);
    for (const r of accepted) r.outcome = written.get(r.sequence!) ?? 'UNCHANGED';
    const effective = rows.filter((row) => written.has(row.sequence));
    await clearPending(em, system, effective);
    const defining = await upsertStates(em, system, effective);
    const highest = rows.reduce<string | null>(
      (max, row) => (max === null || BigInt(row.sequence) > BigInt(max) ? row.sequence : max),
      null,
    );
    const cursor = await advanceCursor(em, system, highest);
    // what moved a record's state (or is about no record) goes to the listeners: a refusal of an older
    // revision than the state holds opens nothing, an APPLIED one resolves what it settles
    const told: AcknowledgedChange[] = [];
    for (const r of accepted) {
      if (!written.has(r.sequence!)) continue;
      const change = changes.get(r.index)!;
      const entry = entries[r.index];
      const movesState = !r.recordId || defining.get(r.recordId) === change.sequence;
      if (entry.status === 'REFUSED' && !movesState) continue;
      told.push({
        system,
        change,
        status: entry.status,
        code: entry.code ?? null,
        message: entry.message?.trim() ?? null,
        blocking: entry.blocking === true,
      });
    }
    for (const listener of this.listeners) await listener(em, ctx, told);
    if (ctx.actor?.role !== 'connector' && effective.length > 0)
      await this.deps.audit.record(em, ctx, {
        action: 'CHANGES_ACKNOWLEDGED_ON_BEHALF',
        subjectType: 'System',
        subjectId: system,
        after: {
          count: effective.length,
          sequences: effective.slice(0, 50).map((row) => row.sequence),
          statuses: [...new Set(effective.map((row) => row.status))],
        },
      });
    return {
      results,
      acknowledgedSequence: cursor.acknowledgedSequence,
      highestAcknowledgedSequence: cursor.highestSequence,
    };
  }

  /**
   * The system's own ids of APPLIED record changes, linked as xrefs in the batch's transaction. A
   * link the map refuses (the id is another record's) refuses its entry alone: each domain's links go
   * under a savepoint, and on failure one by one to find the entries at fault.
   */
  private async linkOwnIds(
    em: Em,
    ctx: CallContext,
    system: string,
    entries: readonly AckEntryInput[],
    results: AckEntryResult[],
    changes: Map<number, ChangeFound>,
  ): Promise<void> {
    const linking = results.filter((r) => !r.error && entries[r.index].externalId && changes.has(r.index));
    const byDomain = new Map<string, AckEntryResult[]>();
    for (const r of linking) {
      const domain = changes.get(r.index)!.domain!;
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), r]);
    }
    const linkUnder = async (name: string, domain: string, group: AckEntryResult[]) => {
      const conn = em.getConnection();
      const tx = em.getTransactionContext();
      await conn.execute(`savepoint ${name}`, [], 'all', tx);
      try {
        await this.deps.xref.linkWithin(
          em,
          ctx,
          {
            system,
            domain,
            links: group.map((r) => ({ externalId: entries[r.index].externalId!, recordId: r.recordId! })),
          },
          { withoutAnswer: true },
        );
        await conn.execute(`release savepoint ${name}`, [], 'all', tx);
        return null;
      } catch (error) {
        await conn.execute(`rollback to savepoint ${name}`, [], 'all', tx);
        if (error instanceof CanonError) return error;
        throw error;
      }
    };
    for (const [domain, group] of byDomain) {
      if ((await linkUnder('ack_links', domain, group)) === null) continue;
      for (const r of group) {
        const error = await linkUnder('ack_link', domain, [r]);
        if (error) {
          r.error = new CanonError(error.code, error.message, {
            path: ['changes', String(r.index), 'externalId'],
          });
          r.outcome = 'REJECTED';
        }
      }
    }
  }
}
