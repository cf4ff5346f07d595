/**
 * NATS unreachable while Canon takes writes: every write succeeds, the relay's lag grows and shows in
 * /metrics and /ready (which stays 200), and once NATS answers again every event is published in
 * order, exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createRecord, itemData, mutate, registerSystem, uniqueCode } from '../support/factories.ts';
import { eventually, NATS_TEST_URL, type TestStream, testStream } from '../support/nats.ts';
import { type DroppingProxy, startDroppingProxy } from '../support/tcp-proxy.ts';

let t: TestApp;
let stream: TestStream;
let proxy: DroppingProxy;

beforeAll(async () => {
  proxy = await startDroppingProxy(NATS_TEST_URL);
  stream = await testStream({ servers: [proxy.url.replace(/^http:/, 'nats:')] });
  t = await startTestApp({ nats: stream.settings });
});
afterAll(async () => {
  await t?.close();
  await stream?.remove();
  await proxy?.close();
});

const metric = async (name: string) => {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

it('keeps taking writes while NATS is away, shows the lag, and catches up in order', async () => {
  await registerSystem(t, { code: 'odoo-outage', kind: 'ERP' });
  const record = await createRecord(t, 'item', itemData(uniqueCode('OUT')));
  await eventually(async () => (await metric('canon_event_relay_lag_events')) === 0, 'the relay to catch up');

  proxy.refuse(true);
  proxy.dropAll();
  await eventually(async () => (await metric('canon_event_relay_connected')) === 0, 'the relay to notice');
  for (let i = 0; i < 5; i++) {
    const linked = await mutate(
      t,
      'linkXrefs',
      {
        system: 'odoo-outage',
        domain: 'item',
        links: Array.from({ length: 20 }, (_, j) => ({ externalId: `${i}-${j}`, recordId: record.recordId })),
      },
      'linked',
    );
    expect(linked).toMatchObject({ linked: 20 });
  }
  await createRecord(t, 'item', itemData(uniqueCode('OUT')));
  await eventually(
    async () => ((await metric('canon_event_relay_lag_events')) ?? 0) >= 100,
    'the lag to show',
  );
  const ready = await fetch(`${t.url}/ready`);
  expect(ready.status).toBe(200);
  expect(((await ready.json()) as any).relay).toMatchObject({ connected: false });

  proxy.refuse(false);
  await eventually(
    async () => (await metric('canon_event_relay_lag_events')) === 0,
    'the relay to catch up',
    60_000,
  );
  const rows = await t.app.orm.em
    .getConnection()
    .execute<{ s: string }[]>('select sequence::text as s from outbox_event order by outbox_event.sequence');
  const published = (await stream.messages()).map((m) => m.headers['Canon-Sequence']);
  expect(published).toEqual(rows.map((r) => r.s));
  expect(await metric('canon_event_relay_reconnects_total')).toBeGreaterThan(0);
});
