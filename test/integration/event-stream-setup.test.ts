/**
 * The stream as the relay sets it up: created with the configured limits, brought in line when the
 * settings change, and clear errors for what an operator must fix (storage that cannot change,
 * subjects another stream captures, a server without JetStream).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventStreamError,
  ensureStream,
  streamManager,
} from '../../src/modules/events/relay/event-stream.ts';
import { freePort } from '../support/child-canon.ts';
import { eventually, NATS_TEST_URL, type TestStream, testStream } from '../support/nats.ts';

let nc: NatsConnection;
let stream: TestStream;

beforeAll(async () => {
  nc = await connect({ servers: NATS_TEST_URL });
  stream = await testStream();
});
afterAll(async () => {
  await stream?.remove();
  await nc?.close();
});

describe('the stream setup', () => {
  it('creates the stream as configured, then updates what changed', async () => {
    const jsm = await jetstreamManager(nc);
    const settings = stream.settings.stream;
    const created = await ensureStream(jsm, settings);
    expect(created.config).toMatchObject({
      subjects: [`${settings.subjectPrefix}.>`],
      max_age: settings.maxAgeMs * 1e6,
      duplicate_window: settings.duplicateWindowMs * 1e6,
      retention: 'limits',
      discard: 'old',
    });
    const updated = await ensureStream(jsm, { ...settings, maxAgeMs: 7_200_000, duplicateWindowMs: 60_000 });
    expect(updated.config).toMatchObject({ max_age: 7_200_000 * 1e6, duplicate_window: 60_000 * 1e6 });
    expect((await jsm.streams.info(settings.name)).config.max_age).toBe(7_200_000 * 1e6);
  });

  it('says what to do when the storage differs or another stream has the subjects', async () => {
    const jsm = await jetstreamManager(nc);
    const settings = stream.settings.stream;
    await ensureStream(jsm, settings);
    await expect(ensureStream(jsm, { ...settings, storage: 'file' })).rejects.toThrow(
      /NATS_STREAM_STORAGE=memory/,
    );
    await expect(ensureStream(jsm, { ...settings, name: `${settings.name}_OTHER` })).rejects.toThrow(
      /NATS_SUBJECT_PREFIX/,
    );
  });

  it('names JetStream as what is missing on a server without it', async () => {
    const port = await freePort();
    // Debian installs it in /usr/sbin, which a non-root PATH may leave out
    const binary = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
    const server = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    try {
      let plain: NatsConnection | undefined;
      await eventually(async () => {
        plain = await connect({ servers: `nats://127.0.0.1:${port}` }).catch(() => undefined);
        return Boolean(plain);
      }, 'a NATS server without JetStream');
      try {
        const error = await streamManager(plain!, stream.settings.stream)
          .then((jsm) => ensureStream(jsm, stream.settings.stream))
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EventStreamError);
        expect((error as Error).message).toMatch(/JetStream is not enabled.*-js/);
      } finally {
        await plain?.close();
      }
    } finally {
      server.kill('SIGKILL');
    }
  });
});
