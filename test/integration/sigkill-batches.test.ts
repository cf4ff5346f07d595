/**
 * Canon killed with SIGKILL while it writes batches of cross-references, twenty times: a batch is
 * one transaction, so after every kill each batch is in the database whole or not at all, and every
 * batch Canon acknowledged is there whole. Canon runs as a child process (`npm start`'s entry point)
 * on a PostgreSQL cluster of the test's own.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.ts';
import { freePort, startCanonChild } from '../support/child-canon.ts';
import { createRecord, itemData, registerSystem, uniqueCode } from '../support/factories.ts';
import { type PrivateCluster, startPrivateCluster } from '../support/private-cluster.ts';

const KILLS = 20;
const BATCH = 200;
const SYSTEM = 'kill-test';

let cluster: PrivateCluster;
let recordId: string;
const adminToken = `kill-test-admin-${randomBytes(16).toString('hex')}`;

beforeAll(async () => {
  cluster = await startPrivateCluster();
  // the data the batches link to, made once through an in-process Canon
  const setup = await startTestApp({ bootstrapAdminToken: adminToken }, { database: cluster.database });
  try {
    await registerSystem(setup, { code: SYSTEM });
    recordId = (await createRecord(setup, 'item', itemData(uniqueCode('KILL')))).recordId;
  } finally {
    await setup.close();
  }
}, 120_000);
afterAll(async () => {
  await cluster?.remove();
});

const startChild = (port: number) => startCanonChild(port, adminToken, { DATABASE_URL: cluster.url }, 30_000);

const LINK = `mutation($input: LinkXrefsInput!) { linkXrefs(input: $input) {
  ... on LinkXrefsPayload { linked } ... on Error { code } } }`;

/** Sends batches one after another until the process dies; the batches acknowledged and sent. */
async function sendBatches(
  port: number,
  round: number,
  onAcknowledged: () => void,
): Promise<{ sent: string[]; acknowledged: string[] }> {
  const sent: string[] = [];
  const acknowledged: string[] = [];
  for (let n = 0; ; n++) {
    const batch = `r${round}b${n}`;
    sent.push(batch);
    const links = Array.from({ length: BATCH }, (_, i) => ({ externalId: `${batch}-${i}`, recordId }));
    try {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({
          query: LINK,
          variables: { input: { system: SYSTEM, domain: 'item', links } },
        }),
      });
      const body = (await res.json()) as { data?: { linkXrefs?: { linked?: number } } };
      if (body.data?.linkXrefs?.linked === BATCH) {
        acknowledged.push(batch);
        onAcknowledged();
      } else throw new Error(`batch refused: ${JSON.stringify(body)}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('batch refused')) throw error;
      return { sent, acknowledged }; // the connection died with the process
    }
  }
}

async function batchesInDatabase(): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ batch: string; n: string }>(
      `select split_part(external_id, '-', 1) as batch, count(*)::text as n
         from xref where system_code = $1 group by 1`,
      [SYSTEM],
    );
    return new Map(rows.map((r) => [r.batch, Number(r.n)]));
  } finally {
    await client.end();
  }
}

describe('SIGKILL during batched writes', () => {
  it(`leaves no partial batch over ${KILLS} kills, and loses no acknowledged one`, async () => {
    const sent: string[] = [];
    const acknowledged: string[] = [];
    for (let round = 0; round < KILLS; round++) {
      const port = await freePort();
      const child = await startChild(port);
      const exited = new Promise((r) => child.once('exit', r));
      let firstAck: () => void = () => undefined;
      const acked = new Promise<void>((r) => {
        firstAck = r;
      });
      const sending = sendBatches(port, round, () => firstAck());
      // once a batch of the round went through (however loaded the machine), kill at a random
      // moment, most often in the middle of a batch's transaction
      await Promise.race([acked, new Promise((r) => setTimeout(r, 60_000))]);
      await new Promise((r) => setTimeout(r, Math.random() * 500));
      child.kill('SIGKILL');
      await exited;
      const result = await sending;
      sent.push(...result.sent);
      acknowledged.push(...result.acknowledged);
    }
    const stored = await batchesInDatabase();
    const partial = [...stored].filter(([, n]) => n !== BATCH);
    const lost = acknowledged.filter((b) => stored.get(b) !== BATCH);
    const unacknowledgedButStored = sent.filter((b) => !acknowledged.includes(b) && stored.has(b)).length;
    console.log(
      `[sigkill] ${KILLS} kills: ${sent.length} batches of ${BATCH} sent, ${acknowledged.length} acknowledged, ` +
        `${stored.size} stored whole (${unacknowledgedButStored} committed as the process died, before the answer), ` +
        `${partial.length} partial, ${lost.length} acknowledged but missing`,
    );
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILLS);
    expect(partial).toEqual([]);
    expect(lost).toEqual([]);
  }, 1_200_000); // 20 starts of Canon as a child process: minutes on a loaded 2-core machine
});
