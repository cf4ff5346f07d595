/**
 * The relay for operators: its status (`eventRelay`) and replays of a range of the outbox
 * (`replayEvents`, `canon events replay`), authorized, validated and audited.
 */
import type { Orm } from '../../../db/orm.ts';
import { CanonError } from '../../../errors.ts';
import type { AuditService } from '../../audit/audit.service.ts';
import { authorize } from '../../auth/ability.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import { idempotentTransaction } from '../../idempotency/idempotency.service.ts';
import type { EventRelay, RelayStatus, ReplayResult } from './event-relay.ts';

/** Events one replayEvents call publishes at most; `more` says to call again from after the last. */
export const MAX_REPLAY = 10_000;

export interface ReplayInput {
  fromSequence: string;
  toSequence?: string | null;
  limit?: number | null;
  idempotencyKey?: string | null;
}

export interface ReplayAnswer extends ReplayResult {
  fromSequence: string;
  toSequence: string;
}

export class RelayService {
  private readonly orm: Orm;
  private readonly relay: EventRelay;
  private readonly audit: AuditService;

  constructor(orm: Orm, relay: EventRelay, audit: AuditService) {
    this.orm = orm;
    this.relay = relay;
    this.audit = audit;
  }

  async status(ctx: CallContext): Promise<RelayStatus> {
    authorize(ctx.ability, ctx.actor, 'read', 'EventStream');
    return this.relay.status();
  }

  async replay(ctx: CallContext, input: ReplayInput): Promise<ReplayAnswer> {
    authorize(ctx.ability, ctx.actor, 'replay', 'EventStream');
    const from = sequenceOf(input.fromSequence, 'fromSequence');
    const head = BigInt(await this.relay.headSequence());
    const to = input.toSequence == null ? head : sequenceOf(input.toSequence, 'toSequence');
    if (to < from)
      throw new CanonError('BAD_USER_INPUT', 'toSequence comes before fromSequence.', {
        path: ['toSequence'],
      });
    const limit = input.limit ?? MAX_REPLAY;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REPLAY)
      throw new CanonError('BAD_USER_INPUT', `limit is 1 to ${MAX_REPLAY}.`, { path: ['limit'] });
    if (!this.relay.settings)
      throw new CanonError('INVALID_STATE', 'NATS_URL is not set: this Canon relays no events to replay.');
    const range = { fromSequence: String(from), toSequence: String(to) };
    const encode = (r: ReplayAnswer) => JSON.stringify([r.lastSequence, r.published, r.duplicates, r.more]);
    return idempotentTransaction(
      this.orm,
      ctx,
      input.idempotencyKey,
      'replayEvents',
      { ...range, limit },
      () => ({
        idOf: encode,
        replay: async (id: string) => {
          const [lastSequence, published, duplicates, more] = JSON.parse(id);
          return { ...range, lastSequence, published, duplicates, more };
        },
      }),
      async (em) => {
        let result: ReplayResult;
        try {
          result = await this.relay.replay(from, to, limit, em);
        } catch (error) {
          throw new CanonError(
            'SERVICE_UNAVAILABLE',
            `NATS did not take the replay: ${(error as Error).message}. Nothing is lost: replay again.`,
          );
        }
        const answer = { ...range, ...result };
        await this.audit.record(em, ctx, {
          action: 'EVENTS_REPLAYED',
          subjectType: 'EventStream',
          subjectId: this.relay.settings!.stream.name,
          after: { ...range, limit, ...result },
        });
        return answer;
      },
    );
  }
}

function sequenceOf(text: string, field: string): bigint {
  if (!/^[1-9]\d{0,18}$/.test(text))
    throw new CanonError('BAD_USER_INPUT', `${field} is an outbox sequence: a whole number from 1.`, {
      path: [field],
    });
  return BigInt(text);
}
