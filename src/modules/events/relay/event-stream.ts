/**
 * The JetStream stream the relay publishes to, created or brought in line with the configured
 * settings whenever a relay starts leading: subjects `<prefix>.>`, limits retention by age and
 * size, the duplicate window Nats-Msg-Id de-duplication works within, replicas and storage.
 */
import type { JetStreamManager, StreamConfig, StreamInfo } from '@nats-io/jetstream';
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { StreamSettings } from './nats-env.ts';

/** A stream problem an operator must fix (named, with what to do): shown in the relay's status. */
export class EventStreamError extends Error {}

const NS_PER_MS = 1_000_000;

export function streamConfigOf(settings: StreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: settings.name,
    description: "Canon's change events, in commit order (docs/events.md).",
    subjects: [`${settings.subjectPrefix}.>`],
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    storage: settings.storage === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: settings.maxAgeMs * NS_PER_MS,
    max_bytes: settings.maxBytes,
    duplicate_window: settings.duplicateWindowMs * NS_PER_MS,
    num_replicas: settings.replicas,
  };
}

/** JetStream's management API on a connection; a server without JetStream is named as the problem. */
export async function streamManager(nc: NatsConnection, settings: StreamSettings): Promise<JetStreamManager> {
  try {
    return await jetstreamManager(nc);
  } catch (error) {
    throw explain(error, settings);
  }
}

/** Creates the stream, or updates the settings that differ; answers its info. */
export async function ensureStream(jsm: JetStreamManager, settings: StreamSettings): Promise<StreamInfo> {
  const wanted = streamConfigOf(settings);
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(settings.name);
  } catch (error) {
    if (!isNotFound(error)) throw explain(error, settings);
  }
  try {
    if (!info) return await jsm.streams.add(wanted);
    const current = info.config;
    if (current.storage !== wanted.storage) {
      throw new EventStreamError(
        `The stream ${settings.name} keeps its messages in ${current.storage} storage, not ${wanted.storage} as NATS_STREAM_STORAGE says; JetStream cannot change a stream's storage: set NATS_STREAM_STORAGE=${current.storage}, or move the stream.`,
      );
    }
    const differs =
      current.subjects.join(',') !== wanted.subjects!.join(',') ||
      current.max_age !== wanted.max_age ||
      current.max_bytes !== wanted.max_bytes ||
      current.duplicate_window !== wanted.duplicate_window ||
      current.num_replicas !== wanted.num_replicas ||
      current.discard !== wanted.discard;
    return differs ? await jsm.streams.update(settings.name, { ...current, ...wanted }) : info;
  } catch (error) {
    throw explain(error, settings);
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; code?: number | string; message?: string };
  return e?.name === 'StreamNotFoundError' || /stream not found/i.test(e?.message ?? '');
}

function explain(error: unknown, settings: StreamSettings): Error {
  if (error instanceof EventStreamError) return error;
  const message = (error as Error)?.message ?? String(error);
  if (
    (error as Error)?.name === 'JetStreamNotEnabled' ||
    /jetstream not enabled|no responders|503/i.test(message)
  ) {
    return new EventStreamError(
      `JetStream is not enabled on the NATS server (${message}): start nats-server with -js (or a jetstream block in its configuration) so Canon can keep the ${settings.name} stream.`,
    );
  }
  if (/overlap/i.test(message)) {
    return new EventStreamError(
      `Another stream already captures ${settings.subjectPrefix}.> (${message}): give Canon a prefix of its own (NATS_SUBJECT_PREFIX) or remove the other stream.`,
    );
  }
  return new EventStreamError(`The stream ${settings.name} could not be set up: ${message}`);
}
