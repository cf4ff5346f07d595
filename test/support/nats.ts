/**
 * A JetStream stream of the test's own on the machine's NATS server (CANON_TEST_NATS_URL, default
 * nats://127.0.0.1:4222): a unique stream name and subject prefix (streams may not share subjects),
 * a reader of everything the stream holds, and its removal.
 */
import { randomBytes } from 'node:crypto';
import { type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { defaultStreamSettings, type NatsSettings } from '../../src/modules/events/relay/nats-env.ts';

export const NATS_TEST_URL = process.env.CANON_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface StreamMessage {
  streamSequence: number;
  subject: string;
  headers: Record<string, string>;
  body: any;
}

export interface TestStream {
  settings: NatsSettings;
  /** The same settings as a Canon child process reads them. */
  env: Record<string, string>;
  /** Every message the stream holds, in stream order. */
  messages(): Promise<StreamMessage[]>;
  remove(): Promise<void>;
}

export async function testStream(
  options: { servers?: string[]; duplicateWindowMs?: number } = {},
): Promise<TestStream> {
  const id = randomBytes(4).toString('hex');
  const settings: NatsSettings = {
    servers: options.servers ?? [NATS_TEST_URL],
    stream: defaultStreamSettings({
      name: `CANON_TEST_${id}`,
      subjectPrefix: `canon-test-${id}`,
      storage: 'memory',
      maxAgeMs: 3_600_000,
      // JetStream reserves a memory stream's whole limit: keep it small, tests run side by side
      maxBytes: 64 * 1024 * 1024,
      ...(options.duplicateWindowMs ? { duplicateWindowMs: options.duplicateWindowMs } : {}),
    }),
  };
  let nc: NatsConnection | undefined;
  const connection = async () => {
    nc ??= await connect({ servers: NATS_TEST_URL });
    return nc;
  };
  const st = settings.stream;
  const env = {
    NATS_URL: settings.servers.join(','),
    NATS_STREAM: st.name,
    NATS_SUBJECT_PREFIX: st.subjectPrefix,
    NATS_STREAM_STORAGE: st.storage,
    NATS_STREAM_MAX_AGE: `${st.maxAgeMs}ms`,
    NATS_STREAM_MAX_BYTES: String(st.maxBytes),
    NATS_DUPLICATE_WINDOW: `${st.duplicateWindowMs}ms`,
  };
  return {
    settings,
    env,
    messages: async () => readStream(await connection(), settings.stream.name),
    remove: async () => {
      const c = await connection();
      await (await jetstreamManager(c)).streams.delete(settings.stream.name).catch(() => false);
      await c.close();
    },
  };
}

async function readStream(nc: NatsConnection, stream: string): Promise<StreamMessage[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream).catch(() => null);
  if (!info || info.state.messages === 0) return [];
  const consumer = await jetstream(nc).consumers.get(stream); // an ordered consumer from the start
  const out: StreamMessage[] = [];
  const total = info.state.messages;
  while (out.length < total) {
    const batch = await consumer.fetch({ max_messages: Math.min(1000, total - out.length), expires: 5_000 });
    let got = 0;
    for await (const m of batch) {
      out.push(toMessage(m));
      got++;
    }
    if (got === 0) break;
  }
  return out;
}

function toMessage(m: JsMsg): StreamMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers ?? []) headers[k] = v[0];
  return { streamSequence: m.seq, subject: m.subject, headers, body: m.json() };
}

/**
 * Removes test streams an interrupted run left behind (older than an hour): JetStream reserves each
 * memory stream's limit, and enough of them would refuse new ones. Quiet when NATS does not answer.
 */
export async function removeStaleTestStreams(): Promise<void> {
  const nc = await connect({ servers: NATS_TEST_URL, timeout: 2_000 }).catch(() => undefined);
  if (!nc) return;
  try {
    const jsm = await jetstreamManager(nc);
    const before = Date.now() - 3_600_000;
    for await (const s of jsm.streams.list())
      if (s.config.name.startsWith('CANON_TEST_') && Date.parse(s.created) < before)
        await jsm.streams.delete(s.config.name).catch(() => false);
  } catch {
    // no JetStream: the relay's tests say so themselves
  } finally {
    await nc.close();
  }
}

/** Waits until `check` answers true (polling), or fails after `timeoutMs` with `what`. */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
