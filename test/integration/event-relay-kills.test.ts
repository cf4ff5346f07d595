/**
 * The relay under process death, with Canon as child processes: killed with SIGKILL in the middle of
 * a burst of 1,000 changes and restarted, the stream ends up with every event once, in order; and
 * with two instances on one database exactly one relays, and when it is killed the other takes over
 * within 5 s without a gap. (On the PGlite pass, the two instances share a private PostgreSQL
 * cluster: an embedded database belongs to one process.)
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childDatabase, freePort, startCanonChild, stopChild } from '../support/child-canon.ts';
import { eventually, type StreamMessage, type TestStream, testStream } from '../support/nats.ts';
import { type PrivateCluster, startPrivateCluster } from '../support/private-cluster.ts';

const token = `relay-kills-${randomBytes(16).toString('hex')}`;

async function gql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const relayOf = async (url: string) =>
  (await gql(url, '{ eventRelay { ... on EventRelay { state lag lastPublishedSequence headSequence } } }'))
    .eventRelay;

async function link(url: string, system: string, recordId: string, batch: number, size: number) {
  const links = Array.from({ length: size }, (_, j) => ({ externalId: `${batch}-${j}`, recordId }));
  const data = await gql(
    url,
    `mutation($input: LinkXrefsInput!) { linkXrefs(input: $input) { __typename ... on Error { code message } } }`,
    { input: { system, domain: 'uom', links } },
  );
  if (data.linkXrefs.__typename !== 'LinkXrefsPayload') throw new Error(JSON.stringify(data.linkXrefs));
}

async function prepare(url: string, system: string): Promise<string> {
  await gql(
    url,
    `mutation { registerSystem(input: { code: "${system}", name: "${system}", kind: ERP }) { __typename } }`,
  );
  return (await gql(url, '{ uom(code: "KGM") { ... on Uom { id } } }')).uom.id;
}

/** Every sequence of the outbox, through the change feed. */
async function outboxSequences(url: string): Promise<string[]> {
  const out: string[] = [];
  let after = '0';
  for (;;) {
    const data = await gql(
      url,
      `query($after: BigIntString!) { changeFeed(afterSequence: $after, first: 1000) { edges { node { sequence } } } }`,
      { after },
    );
    const page = data.changeFeed.edges.map((e: { node: { sequence: string } }) => e.node.sequence);
    out.push(...page);
    if (page.length < 1000) return out;
    after = page[page.length - 1];
  }
}

/** The stream's events de-duplicated by Canon-Sequence, as a consumer would. */
function distinct(messages: StreamMessage[]): string[] {
  const seen = new Set<string>();
  return messages.map((m) => m.headers['Canon-Sequence']).filter((s) => !seen.has(s) && seen.add(s));
}

const increasing = (sequences: string[]) =>
  sequences.every((s, i) => i === 0 || BigInt(s) > BigInt(sequences[i - 1]));

describe('the relay under SIGKILL', () => {
  let stream: TestStream;
  let database: Awaited<ReturnType<typeof childDatabase>>;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    stream = await testStream();
    database = await childDatabase('canon-relay-kill-');
  });
  afterAll(async () => {
    if (child) await stopChild(child, 'SIGKILL');
    await database?.remove();
    await stream?.remove();
  });

  it('publishes every event once and in order after a kill in the middle of 1,000 changes', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { ...database.env, ...stream.env };
    child = await startCanonChild(port, token, env);
    const uom = await prepare(url, 'odoo-kill');
    const batches = 20;
    let killed = false;
    const killer = (async () => {
      // the kill lands while the relay is publishing: some of the burst is on the stream, not all
      await eventually(
        async () => (await stream.messages()).length >= 300,
        'part of the burst on the stream',
        120_000,
      );
      await stopChild(child!, 'SIGKILL');
      killed = true;
    })();
    let next = 0;
    for (; next < batches; next++) {
      try {
        await link(url, 'odoo-kill', uom, next, 50);
      } catch {
        if (!killed) await killer; // the call failed because the process is dying
        break;
      }
    }
    await killer;
    expect(next, 'the kill came before the burst ended').toBeLessThan(batches);
    child = await startCanonChild(port, token, env);
    for (; next < batches; next++) await link(url, 'odoo-kill', uom, next, 50);
    await eventually(async () => (await relayOf(url)).lag === 0, 'the restarted relay to catch up', 60_000);
    const expected = await outboxSequences(url);
    const messages = await stream.messages();
    expect(distinct(messages)).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(1000);
    // resynchronising from the stream's last message, the relay did not even publish twice
    expect(increasing(messages.map((m) => m.headers['Canon-Sequence']))).toBe(true);
  });
});

describe('two instances on one database', () => {
  let stream: TestStream;
  let cluster: PrivateCluster | undefined;
  let database: Awaited<ReturnType<typeof childDatabase>> | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    stream = await testStream();
    if (process.env.DATABASE_URL) database = await childDatabase('canon-relay-pair-');
    else cluster = await startPrivateCluster();
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await database?.remove();
    await cluster?.remove();
    await stream?.remove();
  });

  it('relay through exactly one; when it is killed the other takes over within 5 s, without a gap', async () => {
    const env = { ...(database ? database.env : { DATABASE_URL: cluster!.url }), ...stream.env };
    const [portA, portB] = [await freePort(), await freePort()];
    const [a, b] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    children.push(await startCanonChild(portA, token, env));
    await eventually(async () => (await relayOf(a)).state === 'LEADING', 'the first instance to lead');
    children.push(await startCanonChild(portB, token, env));
    await eventually(async () => (await relayOf(b)).state === 'STANDBY', 'the second to stand by');
    const uom = await prepare(b, 'odoo-pair');
    for (let i = 0; i < 4; i++) await link(b, 'odoo-pair', uom, i, 25);
    await eventually(async () => (await relayOf(b)).lag === 0, 'the leader to publish');
    expect((await relayOf(a)).state).toBe('LEADING');
    expect((await relayOf(b)).state).toBe('STANDBY');

    await stopChild(children[0], 'SIGKILL');
    const killedAt = Date.now();
    await eventually(async () => (await relayOf(b)).state === 'LEADING', 'the standby to take over', 10_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    for (let i = 4; i < 8; i++) await link(b, 'odoo-pair', uom, i, 25);
    await eventually(async () => (await relayOf(b)).lag === 0, 'the new leader to catch up');
    const messages = await stream.messages();
    expect(distinct(messages)).toEqual(await outboxSequences(b));
    expect(increasing(messages.map((m) => m.headers['Canon-Sequence']))).toBe(true);
  });
});
