import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCanon } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestApp, type TestApp, testConfig } from '../support/app.ts';
import {
  approve,
  connectorFor,
  createRecord,
  itemData,
  mutate,
  nodes,
  propose,
  registerSystem,
  setApprovalPolicy,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let connector: string;
const records: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  await registerSystem(t, { code: 'odoo-main', name: 'Odoo', kind: 'ERP' });
  connector = await t.tokenFor('connector', { systemCode: 'odoo-main' });
  await setApprovalPolicy(t, 'item', 0);
  for (let i = 0; i < 5; i++) {
    records.push((await createRecord(t, 'item', itemData(`FEED-${i}`, { name: `Feed ${i}` }))).recordId);
  }
});
afterAll(async () => {
  await t?.close();
});

const link = (links: { externalId: string; externalKey?: string; recordId: string }[]) =>
  mutate(t, 'linkXrefs', { system: 'odoo-main', domain: 'item', links }, 'linked', { token: connector });

const download = async (format: string, token: string | null = connector) => {
  const res = await fetch(`${t.url}/maps/odoo-main/item?format=${format}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: res.status,
    sequence: res.headers.get('x-canon-sequence'),
    type: res.headers.get('content-type'),
    text: await res.text(),
  };
};

/** Reads `count` events of a GraphQL SSE subscription. */
async function subscribe(
  url: string,
  token: string,
  afterSequence: string,
  count: number,
  timeoutMs = 20_000,
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({
      query: `subscription($a: BigIntString!) { changes(afterSequence: $a) { sequence type payload } }`,
      variables: { a: afterSequence },
    }),
    signal: controller.signal,
  });
  const events: any[] = [];
  const reader = res.body!.getReader();
  let buffer = '';
  try {
    while (events.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let i = buffer.indexOf('\n\n');
      while (i >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data:'));
        if (data && data.length > 5) {
          const msg = JSON.parse(data.slice(5));
          if (msg.data?.changes) events.push(msg.data.changes);
        }
        i = buffer.indexOf('\n\n');
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe('map download', () => {
  it('streams the whole map as NDJSON or CSV with the sequence it is consistent with', async () => {
    expect((await link(records.map((id, i) => ({ externalId: `P${i}`, recordId: id })))).linked).toBe(5);
    const nd = await download('ndjson');
    expect(nd.status).toBe(200);
    expect(nd.type).toContain('application/x-ndjson');
    expect(Number(nd.sequence)).toBeGreaterThan(0);
    const lines = nd.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.externalId)).toEqual(['P0', 'P1', 'P2', 'P3', 'P4']);
    expect(lines[0]).toMatchObject({ recordId: records[0], key: 'FEED-0', externalKey: null });
    const csv = await download('csv');
    expect(csv.text.split('\n')[0]).toBe('externalId,externalKey,recordId,key,syncedAt');
    expect(csv.text.trim().split('\n')).toHaveLength(6);
    expect(csv.text.split('\n')[1]).toBe(`P0,,${records[0]},FEED-0,${lines[0].syncedAt}`);
    expect(new Date(lines[0].syncedAt).toISOString()).toBe(lines[0].syncedAt);
    // fields with commas, quotes and line breaks are quoted in CSV and escaped in NDJSON
    await link([{ externalId: 'Q,"1"', externalKey: 'line\nbreak', recordId: records[1] }]);
    expect((await download('csv')).text).toContain(`"Q,""1""","line\nbreak",${records[1]},FEED-1,`);
    const parsed = (await download('ndjson')).text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed.at(-1)).toMatchObject({ externalId: 'Q,"1"', externalKey: 'line\nbreak', key: 'FEED-1' });
    expect((await download('xml')).status).toBe(400);
    expect((await download('ndjson', null)).status).toBe(401);
  });
});

describe('change feed', () => {
  it('pages through changes in sequence order', async () => {
    await link([{ externalId: 'PAGE-1', recordId: records[0] }]);
    const page = await t.gql(
      '{ changeFeed(afterSequence: "0", first: 1000) { edges { node { sequence type domain subject { __typename ... on Item { code } } } } pageInfo { endCursor hasNextPage } } }',
      {},
      connector,
    );
    const events = nodes(page.data.changeFeed);
    const seqs = events.map((e: any) => Number(e.sequence));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(events.map((e: any) => e.type)).toContain('XREF_LINKED');
    expect(events.find((e: any) => e.type === 'RECORD_CHANGED' && e.domain === 'item').subject).toEqual({
      __typename: 'Item',
      code: 'FEED-0',
    });
    const filtered = await t.gql(
      '{ changeFeed(afterSequence: "0", types: [RECORD_CHANGED], domain: "item") { edges { node { type } } } }',
      {},
      connector,
    );
    expect(new Set(nodes(filtered.data.changeFeed).map((e: any) => e.type))).toEqual(
      new Set(['RECORD_CHANGED']),
    );
    // page by page with cursors: the same events, none twice
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const p: any = await t.gql(
        'query($a: String) { changeFeed(first: 3, after: $a) { edges { node { sequence } } pageInfo { endCursor hasNextPage } } }',
        { a: after },
        connector,
      );
      seen.push(...nodes(p.data.changeFeed).map((e: any) => e.sequence));
      after = p.data.changeFeed.pageInfo.hasNextPage ? p.data.changeFeed.pageInfo.endCursor : null;
    } while (after);
    expect(seen.map(Number)).toEqual(seqs);
  });

  it('snapshot + feed after its sequence has no gap and no duplicate under concurrent writes', async () => {
    const linkedBefore = (await download('ndjson')).text.trim().split('\n').filter(Boolean).length;
    const more: string[] = [];
    for (let i = 0; i < 8; i++) {
      more.push((await createRecord(t, 'item', itemData(`GAP-${i}`, { name: `Gap ${i}` }))).recordId);
    }
    // 40 links in 8 concurrent batches while a snapshot is taken in the middle
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 5 }, (_, j) => ({
        externalId: `G${b}-${j}`,
        recordId: more[(b + j) % more.length],
      })),
    );
    const writes = batches.map((batch, b) =>
      new Promise((r) => setTimeout(r, b * 15)).then(() => link(batch)),
    );
    const snapshot = await new Promise((r) => setTimeout(r, 40)).then(() => download('ndjson'));
    await Promise.all(writes);

    const inSnapshot = snapshot.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).externalId as string);
    const feed = await t.gql(
      'query($a: BigIntString!) { changeFeed(afterSequence: $a, first: 1000, types: [XREF_LINKED, XREF_UNLINKED]) { edges { node { payload } } } }',
      { a: snapshot.sequence },
      connector,
    );
    const fromFeed = nodes(feed.data.changeFeed).map((e: any) => e.payload.externalId as string);
    const union = [...inSnapshot, ...fromFeed];
    expect(new Set(union).size).toBe(union.length); // no duplicates
    const final = (await download('ndjson')).text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).externalId as string);
    expect([...union].sort()).toEqual([...final].sort()); // no gaps
    expect(final.length).toBe(linkedBefore + 40);
  });

  it('delivers changes to subscribers over SSE, from any instance on the database', async () => {
    const start = nodes(
      (
        await t.gql(
          '{ changeFeed(afterSequence: "0", first: 1) { edges { node { sequence } } } }',
          {},
          connector,
        )
      ).data.changeFeed,
    )[0];
    const latest = await t.app.services.changeFeed.latestSequence();
    expect(Number(latest)).toBeGreaterThanOrEqual(Number(start.sequence));

    // a second instance where PostgreSQL can be shared; PGlite belongs to one process
    const other =
      t.db.kind === 'postgresql'
        ? await startCanon(testConfig(t.db, { bootstrapAdminToken: t.adminToken }), {
            log: createLogger('silent'),
          })
        : null;
    try {
      const subscriberUrl = other ? other.url : t.url;
      const received = subscribe(subscriberUrl, connector, latest, 3);
      await new Promise((r) => setTimeout(r, 300));
      const r = await createRecord(t, 'item', itemData('SSE-1', { name: 'Live' }));
      await link([{ externalId: 'SSE-1', recordId: r.recordId }]);
      await t.gql(
        'mutation { unlinkXref(input: { system: "odoo-main", domain: "item", externalId: "SSE-1" }) { __typename } }',
        {},
        connector,
      );
      const events = await received;
      expect(events.map((e) => e.type)).toEqual(['RECORD_CHANGED', 'XREF_LINKED', 'XREF_UNLINKED']);
      expect(Number(events[0].sequence)).toBeGreaterThan(Number(latest));
      expect(events[1].payload).toMatchObject({ externalId: 'SSE-1', system: 'odoo-main' });
    } finally {
      await other?.close();
    }
  });
});

describe('event origins', () => {
  const feed = async (args: string) =>
    nodes<any>(
      (
        await t.gql(
          `{ changeFeed(first: 1000, types: [RECORD_CHANGED, CHANGE_REQUEST_PROPOSED, CHANGE_REQUEST_DECIDED]${args}) {
            edges { node { type subjectId contractVersion origin { actorName role systemCode changeRequestId proposedById } } } } }`,
        )
      ).data.changeFeed,
    );

  it('say who caused each change and through which system, so a connector drops its own echoes', async () => {
    const plm = await connectorFor(t, { domain: 'item', kind: 'PLM', requiredApprovals: 1 });
    const head = (await t.gql('{ changeFeed(first: 1) { headSequence } }')).data.changeFeed.headSequence;
    const after = `, afterSequence: "${head}"`;
    // the PLM connector proposes; a steward approves: the record change still comes from the PLM
    const proposed = await propose(t, { domain: 'item', data: itemData(uniqueCode('ECHO')) }, plm.token);
    const [, approver] = await stewardPair(t);
    const applied = await approve(t, proposed.id, approver);
    expect(applied.status).toBe('APPLIED');
    // and a steward's own change, through no system
    const own = await createRecord(t, 'item', itemData(uniqueCode('OWN')));
    const events = await feed(after);
    const change = events.find(
      (e) => e.type === 'RECORD_CHANGED' && e.origin.changeRequestId === proposed.id,
    );
    expect(change).toMatchObject({
      contractVersion: 'item@1.1.0',
      origin: { role: 'steward', systemCode: plm.system, changeRequestId: proposed.id },
    });
    expect(change.origin.proposedById).toBeTruthy();
    const ownChange = events.find((e) => e.type === 'RECORD_CHANGED' && e.subjectId === own.recordId);
    expect(ownChange.origin).toMatchObject({ role: 'steward', systemCode: null });
    // the connector leaves out its own writes; another system sees only them
    const withoutEcho = await feed(`${after}, excludeOriginSystem: "${plm.system}"`);
    expect(withoutEcho.some((e) => e.origin?.systemCode === plm.system)).toBe(false);
    expect(withoutEcho.some((e) => e.subjectId === own.recordId)).toBe(true);
    const onlyPlm = await feed(`${after}, originSystems: ["${plm.system}"]`);
    expect(onlyPlm.map((e) => e.type).sort()).toEqual(
      ['CHANGE_REQUEST_DECIDED', 'CHANGE_REQUEST_PROPOSED', 'RECORD_CHANGED'].sort(),
    );
  });

  it('name the linking connector on xref events', async () => {
    const head = (await t.gql('{ changeFeed(first: 1) { headSequence } }')).data.changeFeed.headSequence;
    await link([{ externalId: uniqueCode('O'), recordId: records[0] }]);
    const r = await t.gql(
      `{ changeFeed(afterSequence: "${head}", types: [XREF_LINKED]) { edges { node { origin { role systemCode } } } } }`,
    );
    expect(nodes<any>(r.data.changeFeed).map((e) => e.origin)).toEqual([
      { role: 'connector', systemCode: 'odoo-main' },
    ]);
  });
});

describe('map download, every database alike', () => {
  it('neutralises spreadsheet formulas in CSV cells, and keeps NDJSON exact', async () => {
    await link([{ externalId: '=HYPERLINK("x")', externalKey: '@SUM(A1)', recordId: records[0] }]);
    const csv = (await download('csv')).text.split('\n');
    expect(csv.find((l) => l.includes('HYPERLINK'))).toMatch(/^"'=HYPERLINK\(""x""\)",'@SUM\(A1\),/);
    const ndjson = (await download('ndjson')).text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(ndjson.find((r) => r.externalId.includes('HYPERLINK'))).toMatchObject({
      externalId: '=HYPERLINK("x")',
      externalKey: '@SUM(A1)',
    });
  });

  it('tells an empty external key from none in CSV, as COPY does', async () => {
    await link([{ externalId: 'E-EMPTY', externalKey: '', recordId: records[0] }]);
    const csv = (await download('csv')).text.split('\n');
    expect(csv.find((l) => l.startsWith('E-EMPTY,'))).toMatch(
      new RegExp(`^E-EMPTY,"",${records[0]},FEED-0,\\d{4}-\\d{2}-\\d{2}T`),
    );
    expect(csv.find((l) => l.startsWith('P0,'))).toMatch(new RegExp(`^P0,,${records[0]},FEED-0,`));
  });
});
