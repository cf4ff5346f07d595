/**
 * `canon events status | replay`: through a running Canon (its relay, its NATS), and on the database
 * with this shell's NATS settings, where the replay publishes itself.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { cliWorkspace, runCanon } from '../support/cli.ts';
import { eventually, type TestStream, testStream } from '../support/nats.ts';

vi.setConfig({ testTimeout: 180_000 });
const ws = cliWorkspace('canon-cli-events');
let t: TestApp;
let stream: TestStream;
let offline: TestStream;

beforeAll(async () => {
  stream = await testStream();
  offline = await testStream();
  t = await startTestApp({ nats: stream.settings });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await stream?.remove();
  await offline?.remove();
});

describe('canon events', () => {
  it('shows the relay and replays a range through a running Canon', async () => {
    const remote = { CANON_URL: t.url, CANON_TOKEN: t.adminToken };
    await eventually(async () => (await t.app.services.relay.status()).lag === 0, 'the relay to catch up');
    const status = await runCanon(['events', 'status', '--json'], remote);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ enabled: true, state: 'LEADING', lag: 0 });
    const head = JSON.parse(status.stdout).headSequence as string;
    const replay = await runCanon(['events', 'replay', '--from', '1'], remote);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(
      `Replayed 1..${head}: 0 appended to the stream, ${head} dropped as duplicates.`,
    );
    const bad = await runCanon(['events', 'replay', '--from', '0'], remote);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--from');
  });

  it('replays from the database with the NATS settings of the shell', async () => {
    const env = { ...ws.env, ...offline.env };
    const status = await runCanon(['events', 'status'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/published up to 0 of (\d+): \1 event\(s\) behind/);
    const replay = await runCanon(['events', 'replay', '--from', '1', '--to', '5', '--json'], env);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ published: 5, duplicates: 0, last: '5' });
    expect((await offline.messages()).map((m) => m.headers['Canon-Sequence'])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    const off = await runCanon(['events', 'status'], { ...ws.env, NATS_URL: '' });
    expect(off.stdout).toContain('The relay is off: NATS_URL is not set.');
  });
});
