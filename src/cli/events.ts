/**
 * `canon events status | replay`: the relay of change events to NATS JetStream, on the database (with
 * this shell's NATS_URL) or through a running Canon (its relay, its NATS).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { type RemoteFlags, remoteOptions } from './options.ts';

const sequence = (v: string) => {
  if (!/^[1-9]\d{0,18}$/.test(v))
    throw new InvalidArgumentError('must be an outbox sequence: a whole number from 1');
  return v;
};

const RELAY_FIELDS =
  'enabled state stream subjectPrefix servers connected lastPublishedSequence headSequence lag published duplicates failures reconnects lastError since';

export function addEventCommands(program: Command): void {
  const events = program.command('events').description('change events on NATS JetStream');
  remoteOptions(
    events.command('status').description('the relay: state, stream, position, lag, the last error'),
  ).action(async (opts: RemoteFlags) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon events status', async (t) => {
      const data = await t.call(`{ eventRelay { ... on EventRelay { ${RELAY_FIELDS} } ${ERROR_FIELDS} } }`);
      const s = payloadOf<Record<string, any>>(data.eventRelay, 'The relay');
      if (opts.json) return console.log(JSON.stringify(s));
      if (!s.enabled) return console.log('The relay is off: NATS_URL is not set.');
      console.log(`stream ${s.stream} on ${s.servers}, subjects ${s.subjectPrefix}.<domain>.<event>`);
      console.log(
        `${s.state.toLowerCase()} since ${s.since}${t.url ? '' : ' (this command: no relay runs in it)'}, ${s.connected ? 'connected' : 'not connected'}`,
      );
      console.log(
        `published up to ${s.lastPublishedSequence} of ${s.headSequence}: ${s.lag} event(s) behind`,
      );
      if (s.lastError) console.log(`last error: ${s.lastError}`);
    });
  });
  remoteOptions(
    events
      .command('replay')
      .description(
        'publish a range of the outbox again; JetStream drops what it still remembers (its duplicate window)',
      )
      .requiredOption('--from <sequence>', 'the first event', sequence)
      .option('--to <sequence>', 'the last event (default: the newest committed)', sequence),
  ).action(async (opts: RemoteFlags & { from: string; to?: string }) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon events replay', async (t) => {
      let from = opts.from;
      const total = { published: 0, duplicates: 0, last: null as string | null, to: opts.to ?? null };
      for (;;) {
        const data = await t.call(
          `mutation($input: ReplayEventsInput!) { replayEvents(input: $input) {
             ... on ReplayEventsPayload { toSequence lastSequence published duplicates more } ${ERROR_FIELDS} } }`,
          { input: { fromSequence: from, toSequence: total.to } },
        );
        const r = payloadOf<Record<string, any>>(data.replayEvents, 'The replay');
        total.published += r.published;
        total.duplicates += r.duplicates;
        total.last = r.lastSequence ?? total.last;
        // the first call fixes the end, so events committed meanwhile do not stretch the range
        total.to = r.toSequence;
        if (!opts.json && r.more)
          process.stderr.write(`replayed up to ${r.lastSequence} of ${r.toSequence}\n`);
        if (!r.more || !r.lastSequence) break;
        from = String(BigInt(r.lastSequence) + 1n);
      }
      if (opts.json) return console.log(JSON.stringify(total));
      console.log(
        total.last
          ? `Replayed ${opts.from}..${total.last}: ${total.published} appended to the stream, ${total.duplicates} dropped as duplicates.`
          : `No events from ${opts.from}${opts.to ? ` to ${opts.to}` : ''}.`,
      );
    });
  });
}
