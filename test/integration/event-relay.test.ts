/**
 * The relay publishes every committed change to JetStream once, in sequence order, with its subject,
 * headers and a body its event contract accepts; nothing of a rolled-back transaction. The stream is
 * set up as configured, the event contracts are published with their type packages, and replays
 * are de-duplicated by JetStream.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../../src/modules/contracts/contracts-folder.ts';
import { eventContractVersionOf, subjectOf } from '../../src/modules/events/event-catalogue.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createRecord, itemData, mutate, registerSystem, uniqueCode } from '../support/factories.ts';
import { eventually, type TestStream, testStream } from '../support/nats.ts';

let t: TestApp;
let stream: TestStream;

beforeAll(async () => {
  stream = await testStream();
  t = await startTestApp({ nats: stream.settings });
});
afterAll(async () => {
  await t?.close();
  await stream?.remove();
});

const ajv = new Ajv2020({ allErrors: true, strict: false });
ajvFormats.default(ajv);
for (const doc of readContractsFolder(BUILT_IN_CONTRACTS_DIR)) ajv.addSchema(doc.schema);

async function outbox(): Promise<{ sequence: string; type: string; domain: string | null }[]> {
  return t.app.orm.em
    .getConnection()
    .execute(
      'select sequence::text as sequence, type, domain from outbox_event order by outbox_event.sequence',
    );
}

async function caughtUp(): Promise<void> {
  await eventually(async () => {
    const status = await t.app.services.relay.status();
    return status.state === 'leading' && status.lag === 0;
  }, 'the relay to publish every event');
}

describe('the NATS relay', () => {
  it('publishes every committed change once, in order, with its subject, headers and contract', async () => {
    const code = uniqueCode('RELAY');
    const record = await createRecord(t, 'item', itemData(code));
    await registerSystem(t, { code: 'odoo-relay', kind: 'ERP' });
    await mutate(
      t,
      'linkXrefs',
      { system: 'odoo-relay', domain: 'item', links: [{ externalId: '42', recordId: record.recordId }] },
      'linked',
    );
    await caughtUp();
    const rows = await outbox();
    const messages = await stream.messages();
    expect(messages.map((m) => m.headers['Canon-Sequence'])).toEqual(rows.map((r) => r.sequence));
    for (const [i, m] of messages.entries()) {
      const row = rows[i];
      expect(m.subject).toBe(subjectOf(stream.settings.stream.subjectPrefix, row.type, row.domain));
      expect(m.headers['Nats-Msg-Id']).toBe(row.sequence);
      expect(m.headers['Canon-Event-Type']).toBe(row.type);
      const { contract, version } = eventContractVersionOf(row.type);
      expect([m.headers['Canon-Contract'], m.headers['Canon-Contract-Version']]).toEqual([contract, version]);
      const validate = ajv.getSchema(`urn:canon:contract:${contract}:${version}`)!;
      expect(validate(m.body), `${row.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(m.body.sequence).toBe(row.sequence);
    }
    const changed = messages.find(
      (m) => m.headers['Canon-Event-Type'] === 'RECORD_CHANGED' && m.body.subjectId === record.recordId,
    )!;
    expect(changed.subject).toBe(`${stream.settings.stream.subjectPrefix}.item.record.changed`);
    expect(changed.headers['Canon-Revision']).toBe('1');
    expect(changed.headers['Canon-Record-Contract']).toMatch(/^item@1\.\d+\.\d+$/);
    expect(changed.body.payload.data.code).toBe(code);
    const linked = messages.find((m) => m.headers['Canon-Event-Type'] === 'XREF_LINKED')!;
    expect(linked.subject).toBe(`${stream.settings.stream.subjectPrefix}.item.xref.linked`);
  });

  it('publishes nothing of a transaction that rolled back', async () => {
    const before = (await stream.messages()).length;
    await t.app.orm.em
      .transactional(async (em) => {
        await t.app.services.outbox.append(em, {
          type: 'RECORD_CHANGED',
          domain: 'item',
          subjectId: 'rolled-back',
          payload: { never: true },
        });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await createRecord(t, 'item', itemData(uniqueCode('AFTER')));
    await caughtUp();
    const messages = await stream.messages();
    expect(messages.some((m) => m.body.subjectId === 'rolled-back')).toBe(false);
    expect(messages.map((m) => m.headers['Canon-Sequence'])).toEqual((await outbox()).map((r) => r.sequence));
    expect(messages.length).toBeGreaterThan(before);
  });

  it('sets the stream up as configured: subjects, limits, duplicate window', async () => {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: stream.settings.servers });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(stream.settings.stream.name);
      expect(info.config.subjects).toEqual([`${stream.settings.stream.subjectPrefix}.>`]);
      expect(info.config.max_age).toBe(stream.settings.stream.maxAgeMs * 1e6);
      expect(info.config.duplicate_window).toBe(stream.settings.stream.duplicateWindowMs * 1e6);
      expect(info.config.max_bytes).toBe(stream.settings.stream.maxBytes);
      expect(info.config.storage).toBe('memory');
    } finally {
      await nc.close();
    }
  });

  it('publishes the event contracts at start, with type packages, and keeps their names for itself', async () => {
    const contract = await t.gql(
      '{ contract(name: "event.record.changed") { builtIn latestVersion { version status } } }',
    );
    expect(contract.data.contract).toMatchObject({
      builtIn: true,
      // 1.1.0 (merges) beside 1.0.0: a minor version, published at start like the first
      latestVersion: { version: '1.1.0', status: 'PUBLISHED' },
    });
    const res = await fetch(`${t.url}/npm/@canon%2fevent.record.changed`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { 'dist-tags': { latest: string } })['dist-tags'].latest).toBe('1.1.0');
    const taken = await mutate(
      t,
      'registerContractVersion',
      { contract: 'event.custom', version: '1.0.0', schema: { type: 'object' } },
      'contractVersion { version }',
    );
    expect(taken).toMatchObject({ code: 'BAD_USER_INPUT', path: ['contract'] });
    const r = await t.gql(
      `mutation { proposeChange(input: { domain: "event.record.changed", data: { code: "X" } }) {
         __typename ... on Error { code message } } }`,
    );
    expect(r.data.proposeChange).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('serves /asyncapi.json with the configured servers and subject prefix', async () => {
    const doc = (await (await fetch(`${t.url}/asyncapi.json`)).json()) as any;
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.channels['record.changed'].address).toBe(
      `${stream.settings.stream.subjectPrefix}.{domain}.record.changed`,
    );
    expect(doc.servers.nats.host).toBe(new URL(stream.settings.servers[0]).host);
  });

  it('reports its state and lag in eventRelay, /ready and /metrics', async () => {
    await caughtUp();
    const r = await t.gql(
      `{ eventRelay { ... on EventRelay { enabled state stream lag connected lastPublishedSequence headSequence } } }`,
    );
    expect(r.data.eventRelay).toMatchObject({
      enabled: true,
      state: 'LEADING',
      lag: 0,
      connected: true,
      stream: stream.settings.stream.name,
    });
    expect(r.data.eventRelay.lastPublishedSequence).toBe(r.data.eventRelay.headSequence);
    const ready = (await (await fetch(`${t.url}/ready`)).json()) as any;
    expect(ready.relay).toMatchObject({ state: 'leading', connected: true });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^canon_event_relay_lag_events 0$/m);
    expect(metrics).toMatch(/^canon_event_relay_leader 1$/m);
    expect(Number(/^canon_event_relay_published_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('replays a range: JetStream drops what it still remembers, and the replay is audited', async () => {
    await caughtUp();
    const before = (await stream.messages()).length;
    const replayed = await mutate(
      t,
      'replayEvents',
      { fromSequence: '1', limit: 5 },
      'fromSequence lastSequence published duplicates more',
    );
    expect(replayed).toMatchObject({ fromSequence: '1', published: 0, duplicates: 5, more: true });
    expect((await stream.messages()).length).toBe(before);
    const wrong = await mutate(t, 'replayEvents', { fromSequence: '9', toSequence: '3' }, 'published');
    expect(wrong).toMatchObject({ code: 'BAD_USER_INPUT', path: ['toSequence'] });
    const audit = await t.gql(
      '{ auditEvents(action: EVENTS_REPLAYED, first: 5) { edges { node { after } } } }',
    );
    expect(audit.data.auditEvents.edges).toHaveLength(1);
  });

  it('serves a durable pull consumer with explicit acks: a refused message comes again', async () => {
    const { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const { connect } = await import('@nats-io/transport-node');
    const prefix = stream.settings.stream.subjectPrefix;
    const nc = await connect({ servers: stream.settings.servers });
    try {
      await createRecord(t, 'item', itemData(uniqueCode('CONSUMED')));
      await caughtUp();
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.add(stream.settings.stream.name, {
        durable_name: 'odoo-items',
        filter_subject: `${prefix}.item.record.changed`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 30_000_000_000,
        max_deliver: 10,
      });
      const consumer = await jetstream(nc).consumers.get(stream.settings.stream.name, 'odoo-items');
      const expected = (await outbox()).filter((r) => r.type === 'RECORD_CHANGED' && r.domain === 'item');
      const applied = new Set<string>();
      let refused: string | undefined;
      let redelivered = false;
      while (applied.size < expected.length) {
        const batch = await consumer.fetch({ max_messages: 10, expires: 2_000 });
        for await (const m of batch) {
          const sequence = m.headers!.get('Canon-Sequence');
          if (!refused) {
            refused = sequence;
            m.nak(); // the connector could not apply it: JetStream redelivers it
            continue;
          }
          if (sequence === refused) redelivered = m.info.deliveryCount === 2;
          applied.add(sequence);
          m.ack();
        }
      }
      expect(redelivered).toBe(true);
      expect([...applied].sort()).toEqual(expected.map((r) => r.sequence).sort());
      expect((await jsm.consumers.info(stream.settings.stream.name, 'odoo-items')).num_ack_pending).toBe(0);
    } finally {
      await nc.close();
    }
  });
});
