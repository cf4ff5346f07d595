/**
 * Publishes a window of outbox events to JetStream, pipelined (all sent, then the acks awaited) and
 * still in order: with `expectAfter` each message carries the stream sequence it must follow
 * (Nats-Expected-Last-Sequence), so when one fails every later one of the window is refused too,
 * and the stream never holds a later event without the earlier ones. Nats-Msg-Id = the outbox
 * sequence makes a re-publish within the duplicate window a no-op.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { ChangeEvent } from '../change-feed.service.ts';
import { eventMessage } from './event-message.ts';
import { toNatsHeaders } from './nats-connection.ts';

export interface WindowResult {
  /** How many events from the start of the window the stream acknowledged. */
  acked: number;
  /** Of those, how many it already had (within the duplicate window). */
  duplicates: number;
  /** The stream's sequence after the last acknowledged message (unchanged when none). */
  streamSequence: number;
  /** Why the rest was not acknowledged. */
  error?: Error;
}

export const PUBLISH_TIMEOUT_MS = 5_000;

export async function publishWindow(
  js: JetStreamClient,
  events: readonly ChangeEvent[],
  subjectPrefix: string,
  expectAfter?: number,
): Promise<WindowResult> {
  const pending = events.map((event, i) => {
    const message = eventMessage(event, subjectPrefix);
    return js.publish(message.subject, message.body, {
      msgID: message.msgId,
      headers: toNatsHeaders(message.headers),
      timeout: PUBLISH_TIMEOUT_MS,
      ...(expectAfter === undefined ? {} : { expect: { lastSequence: expectAfter + i } }),
    });
  });
  const results = await Promise.allSettled(pending);
  const result: WindowResult = { acked: 0, duplicates: 0, streamSequence: expectAfter ?? 0 };
  for (const r of results) {
    if (r.status === 'rejected') {
      result.error = r.reason instanceof Error ? r.reason : new Error(String(r.reason));
      break;
    }
    result.acked++;
    if (r.value.duplicate) result.duplicates++;
    else result.streamSequence = Math.max(result.streamSequence, r.value.seq);
  }
  return result;
}

/** JetStream refused a message because the stream moved on (wrong last sequence): resynchronise. */
export const isWrongLastSequence = (error: unknown): boolean =>
  /wrong last sequence/i.test((error as Error)?.message ?? '');
