/**
 * What the steward console asks of the API: the inbox filtered by site and age and sorted both
 * ways, counts per domain, bulk decisions with one result per proposal (a stale one reported, the
 * others applied; a retry decides nothing twice), proposal events in the feed, the references a
 * proposal adds or removes, and where-used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  createRecord,
  ERROR_FIELDS,
  itemData,
  mutate,
  nodes,
  propose,
  staleProposal,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const BULK_FIELDS = `decidedCount failedCount results { id changeRequest { id status appliedRevision } error { code message } }`;

async function pendingItems(count: number, tag: string) {
  const [proposer] = await stewardPair(t);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const cr = await propose(t, { domain: 'item', data: itemData(`${tag}-${i}`) }, proposer);
    expect(cr.status).toBe('PENDING');
    ids.push(cr.id);
  }
  return ids;
}

describe('inbox', () => {
  it('filters by site and age, sorts both ways, and pages without gaps', async () => {
    const [proposer, approver] = await stewardPair(t);
    const site = uniqueCode('S').toUpperCase();
    const started = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const cr = await propose(
        t,
        { domain: 'location', data: { code: `BIN-${i}`, name: `Bin ${i}`, site, usage: 'internal' } },
        proposer,
      );
      ids.push(cr.id);
    }
    const page = async (orderBy: string, after?: string) =>
      (
        await t.gql(
          `query($site: String, $orderBy: ChangeRequestOrder, $after: String) {
            changeRequests(status: PENDING, site: $site, orderBy: $orderBy, first: 2, after: $after) {
              totalCount edges { node { id } } pageInfo { hasNextPage endCursor }
            }
          }`,
          { site, orderBy, after },
          approver,
        )
      ).data.changeRequests;
    for (const [order, expected] of [
      ['OLDEST_FIRST', ids],
      ['NEWEST_FIRST', [...ids].reverse()],
    ] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const p = await page(order, after);
        expect(p.totalCount).toBe(5);
        seen.push(...nodes<{ id: string }>(p).map((n) => n.id));
        if (!p.pageInfo.hasNextPage) break;
        after = p.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
    }
    const aged = await t.gql(
      `query($site: String, $before: DateTime) {
        changeRequests(site: $site, createdBefore: $before) { totalCount }
        changeRequestCounts(status: PENDING, site: $site) { domain count }
      }`,
      { site, before: started.toISOString() },
      approver,
    );
    expect(aged.data.changeRequests.totalCount).toBe(0);
    expect(aged.data.changeRequestCounts).toEqual([{ domain: 'location', count: 5 }]);
  });

  it('announces proposals and decisions in the feed, with the proposal as subject', async () => {
    const [, approver] = await stewardPair(t);
    const head = (await t.gql('{ changeFeed(first: 1) { headSequence } }')).data.changeFeed.headSequence;
    const [id] = await pendingItems(1, uniqueCode('EVT'));
    await mutate(t, 'rejectChanges', { ids: [id], reason: 'duplicate' }, BULK_FIELDS, { token: approver });
    const feed = async (token: string) =>
      (
        await t.gql(
          `query($after: BigIntString) {
            changeFeed(afterSequence: $after, types: [CHANGE_REQUEST_PROPOSED, CHANGE_REQUEST_DECIDED]) {
              edges { node { type subjectId payload subject { __typename ... on ChangeRequest { id status } } } }
            }
          }`,
          { after: head },
          token,
        )
      ).data.changeFeed;
    const events = nodes<any>(await feed(approver)).filter((e) => e.subjectId === id);
    expect(events.map((e) => [e.type, e.payload.status, e.subject?.status])).toEqual([
      ['CHANGE_REQUEST_PROPOSED', 'PENDING', 'REJECTED'],
      ['CHANGE_REQUEST_DECIDED', 'REJECTED', 'REJECTED'],
    ]);
  });
});

describe('bulk decisions', () => {
  it('approves 20 with one stale: 19 applied, the stale one reported, and a retry changes nothing', async () => {
    const [, approver] = await stewardPair(t);
    const tag = uniqueCode('BULK');
    const ids = await pendingItems(19, tag);
    // the 20th changes a record that changed again before the decision: its base is stale
    const { stale } = await staleProposal(t, 'item', itemData(`${tag}-stale`));
    const all = [...ids.slice(0, 10), stale.id, ...ids.slice(10)];
    const input = { ids: all, comment: 'bulk', idempotencyKey: uniqueCode('bulk-key') };
    const first = await mutate(t, 'approveChanges', input, BULK_FIELDS, { token: approver });
    expect(first.results.map((r: any) => r.id)).toEqual(all);
    const statuses = first.results.map((r: any) => r.changeRequest?.status);
    expect(statuses.filter((s: string) => s === 'APPLIED')).toHaveLength(19);
    expect(first.results[10].changeRequest.status).toBe('CONFLICT');
    const retry = await mutate(t, 'approveChanges', input, BULK_FIELDS, { token: approver });
    expect(retry.results).toEqual(first.results);
    const revisions = await t.gql(
      `query($p: String) { items(filter: { keyPrefix: $p }, first: 50) { edges { node { code revision } } } }`,
      { p: tag },
    );
    for (const item of nodes<any>(revisions.data.items))
      expect(item.revision).toBe(item.code.endsWith('-stale') ? 2 : 1);
  });

  it('reports each failure on its own: unknown ids, your own proposals, already decided ones', async () => {
    const [proposer, approver] = await stewardPair(t);
    const [mine] = await pendingItems(1, uniqueCode('OWN'));
    const [decided] = await pendingItems(1, uniqueCode('DEC'));
    await mutate(t, 'rejectChanges', { ids: [decided], reason: 'no' }, BULK_FIELDS, { token: approver });
    const unknown = '00000000-0000-4000-8000-000000000000';
    const r = await mutate(t, 'approveChanges', { ids: [mine, decided, unknown] }, BULK_FIELDS, {
      token: proposer,
    });
    expect(r.decidedCount).toBe(0);
    expect(r.results.map((x: any) => x.error.code)).toEqual(['SELF_APPROVAL', 'INVALID_STATE', 'NOT_FOUND']);
  });

  it('refuses a bad batch as a whole with a typed error, and a viewer outright', async () => {
    const [, approver] = await stewardPair(t);
    const [id] = await pendingItems(1, uniqueCode('BAD'));
    const twice = await mutate(t, 'approveChanges', { ids: [id, id] }, BULK_FIELDS, { token: approver });
    expect([twice.code, twice.path]).toEqual(['BAD_USER_INPUT', ['ids']]);
    const noReason = await mutate(t, 'rejectChanges', { ids: [id], reason: ' ' }, BULK_FIELDS, {
      token: approver,
    });
    expect(noReason.code).toBe('BAD_USER_INPUT');
    const viewer = await t.tokenFor('viewer');
    const refused = await t.gql(
      `mutation($input: ApproveChangesInput!) { approveChanges(input: $input) { __typename ${ERROR_FIELDS} } }`,
      { input: { ids: [id] } },
      viewer,
    );
    expect(refused.errors?.[0]?.extensions?.code ?? refused.data?.approveChanges?.code).toBe('FORBIDDEN');
    const still = await t.gql('query($id: ID!) { changeRequest(id: $id) { status } }', { id });
    expect(still.data.changeRequest.status).toBe('PENDING');
  });
});

describe('references', () => {
  it('says which references a proposal adds and removes, and where a record is used', async () => {
    const [proposer] = await stewardPair(t);
    const site = uniqueCode('W').toUpperCase();
    const parent = await createRecord(t, 'location', { code: 'WH', name: 'WH', site, usage: 'view' });
    const other = await createRecord(t, 'location', { code: 'WH2', name: 'WH2', site, usage: 'view' });
    const child = await createRecord(t, 'location', {
      code: 'SHELF',
      name: 'Shelf',
      site,
      usage: 'internal',
      parent: 'WH',
    });
    const move = await propose(
      t,
      { domain: 'location', recordId: child.recordId, patch: { parent: 'WH2' } },
      proposer,
    );
    const r = await t.gql(
      `query($cr: ID!, $parent: ID!, $other: ID!) {
        changeRequest(id: $cr) { referenceChanges { op field domain key site } }
        parent: record(id: $parent) { usedBy { edges { field node { key } } } }
        other: record(id: $other) { usedBy { edges { field node { key } } } }
      }`,
      { cr: move.id, parent: parent.recordId, other: other.recordId },
    );
    expect(r.data.changeRequest.referenceChanges).toEqual([
      { op: 'REMOVED', field: '/parent', domain: 'location', key: 'WH', site },
      { op: 'ADDED', field: '/parent', domain: 'location', key: 'WH2', site },
    ]);
    expect(r.data.parent.usedBy.edges).toEqual([{ field: '/parent', node: { key: 'SHELF' } }]);
    expect(r.data.other.usedBy.edges).toEqual([]);
  });
});
