/**
 * `RECORD_EFFECTIVE` events: a revision recorded for a future moment is announced again when that
 * moment comes and it becomes the record's current value. Due revisions are claimed with
 * `for update skip locked` and their due mark is cleared in the transaction that appends the event,
 * so each is announced exactly once, by one replica, and a restart resumes where the last commit left.
 */
import type { Em, Orm } from '../../db/orm.ts';
import type { Logger } from '../../logger.ts';
import type { OutboxService } from '../events/outbox.service.ts';
import { refreshStaleCurrent } from './record-current.ts';

interface DueRow {
  id: string;
  record_id: string;
  domain: string;
  key: string;
  site: string | null;
  revision: number;
  data: unknown;
  status: string;
  operation: string;
  effective_from: Date;
  contract_version: string;
  superseded: boolean;
  origin: unknown;
}

/** How often each instance looks for revisions that became effective. */
export const EFFECTIVE_EVENTS_INTERVAL_MS = 1000;
const BATCH = 200;

export class EffectiveEvents {
  private readonly orm: Orm;
  private readonly outbox: OutboxService;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(orm: Orm, outbox: OutboxService) {
    this.orm = orm;
    this.outbox = outbox;
  }

  /** Announces every revision whose moment has come; answers how many events were appended. */
  async emitDue(): Promise<number> {
    // the idle case costs two indexed probes and no transaction
    const conn = this.orm.em.fork().getConnection();
    const [due] = await conn.execute<unknown[]>(
      'select 1 from record_revision where effective_event_due_at <= now() limit 1',
    );
    let total = 0;
    while (due) {
      const n = await this.orm.em.fork().transactional((em) => this.emitBatch(em));
      total += n.events;
      if (n.claimed < BATCH) break;
    }
    const [stale] = await conn.execute<unknown[]>(
      'select 1 from record_current where next_effective_from <= now() limit 1',
    );
    if (stale) await this.orm.em.fork().transactional((em) => refreshStaleCurrent(em));
    return total;
  }

  private async emitBatch(em: Em): Promise<{ claimed: number; events: number }> {
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    // a revision another one replaced at the same moment before it took effect was never current
    const rows = await conn.execute<DueRow[]>(
      `select rv.id, rv.record_id, g.domain, g.key, g.site, rv.revision, rv.data, rv.status, rv.operation, rv.effective_from,
              rv.contract_version,
              exists (select 1 from record_revision r2 where r2.record_id = rv.record_id
                        and r2.effective_from = rv.effective_from and r2.revision > rv.revision) as superseded,
              (select o.origin from outbox_event o where o.type = 'RECORD_CHANGED' and o.subject_id = rv.record_id::text
                  and o.revision = rv.revision order by o.sequence limit 1) as origin
         from record_revision rv join golden_record g on g.id = rv.record_id
        where rv.effective_event_due_at <= now()
        order by rv.effective_event_due_at, rv.id
        limit ${BATCH} for update of rv skip locked`,
      [],
      'all',
      tx,
    );
    if (rows.length === 0) return { claimed: 0, events: 0 };
    await conn.execute(
      `update record_revision set effective_event_due_at = null where id in (${rows.map(() => '?').join(',')})`,
      rows.map((r) => r.id),
      'all',
      tx,
    );
    const live = rows.filter((r) => !r.superseded);
    await this.outbox.appendMany(
      em,
      live.map((r) => {
        const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>;
        const origin = typeof r.origin === 'string' ? JSON.parse(r.origin) : r.origin;
        return {
          type: 'RECORD_EFFECTIVE' as const,
          domain: r.domain,
          subjectId: r.record_id,
          revision: r.revision,
          payload: {
            operation: r.operation,
            key: r.key,
            site: r.site,
            status: r.status,
            effectiveFrom: new Date(r.effective_from).toISOString(),
            data,
          },
          origin: origin ?? undefined,
          contractVersion: r.contract_version,
        };
      }),
    );
    return { claimed: rows.length, events: live.length };
  }

  /** Runs `emitDue` every interval until `stop`; failures are logged and retried on the next tick. */
  start(log: Logger, intervalMs = EFFECTIVE_EVENTS_INTERVAL_MS): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.emitDue()
        .catch((error) => {
          if (!this.stopped) log.warn({ err: error }, 'announcing effective revisions failed; retrying');
        })
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, intervalMs);
          this.timer.unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
