/**
 * The inbox follows the change feed live: proposals and decisions after the moment it opened, over
 * the `changes` subscription (server-sent events). A dropped stream (network, a restarted server)
 * is picked up again after the last event seen, so nothing is missed, and the page is refreshed.
 */
import { useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import { InboxChanges } from './inbox-queries.ts';

const RECONNECT_MS = 2000;

type Tally = { count: number; last: string };

export type LiveState = { status: 'connecting' | 'live' | 'reconnecting'; updates: number };

export function useLiveInbox(head: string | null, onChange: () => void): LiveState {
  // where the stream starts: the feed's head when the inbox opened, later the last event seen
  const [from, setFrom] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(false);
  const [updates, setUpdates] = useState(0);
  const lastSeen = useRef<string | null>(null);
  // the error of a stream already given up on: the result keeps it until the next stream answers
  const handled = useRef<unknown>(null);
  useEffect(() => {
    if (head !== null && from === null) setFrom(head);
  }, [head, from]);
  const [live] = useSubscription(
    { query: InboxChanges, variables: { after: from ?? '0' }, pause: from === null || waiting },
    (prev: Tally | undefined, event): Tally => ({
      count: (prev?.count ?? 0) + 1,
      last: event.changes.sequence,
    }),
  );
  const seen = live.data?.count ?? 0;
  useEffect(() => {
    if (seen === 0) return;
    if (live.data) lastSeen.current = live.data.last;
    setUpdates((n) => n + 1);
    onChange();
  }, [seen, live.data, onChange]);
  // a stream that ends, or fails (urql reports a dropped connection as an error, still "fetching")
  const failed = Boolean(live.error) && live.error !== handled.current;
  const ended = from !== null && !waiting && (!live.fetching || failed);
  useEffect(() => {
    if (!ended) return;
    handled.current = live.error ?? null;
    setWaiting(true);
  }, [ended, live.error]);
  // apart from the effect above: pausing ends `ended`, which must not cancel the retry
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => {
      setFrom((current) => lastSeen.current ?? current);
      setWaiting(false);
      onChange(); // whatever happened while the stream was down
    }, RECONNECT_MS);
    return () => clearTimeout(timer);
  }, [waiting, onChange]);
  return { status: from === null ? 'connecting' : waiting || ended ? 'reconnecting' : 'live', updates };
}
