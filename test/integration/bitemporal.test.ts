/**
 * Honest time: valid time (effectiveFrom, default the moment of approval) apart from transaction
 * time (recordedAt); reads as of both answer the same when repeated; a future revision is announced
 * again, exactly once, when it becomes current.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EffectiveEvents } from '../../src/modules/records/effective-events.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  approve,
  createRecord,
  itemData,
  nodes,
  propose,
  setApprovalPolicy,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let proposer: string;
let approver: string;

beforeAll(async () => {
  t = await startTestApp();
  [proposer, approver] = await stewardPair(t);
  await setApprovalPolicy(t, 'work-center', 0);
});
afterAll(async () => {
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = (base: string) => uniqueCode(base).toUpperCase();
const readItem = async (id: string, asOf?: string, knownAt?: string) => {
  const r = await t.gql(
    'query($id: ID!, $a: DateTime, $k: DateTime) { item(id: $id, asOf: $a, knownAt: $k) { ... on Item { name revision uom { code } } } }',
    { id, a: asOf ?? null, k: knownAt ?? null },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data.item;
};
const eventsOf = async (subjectId: string) => {
  const r = await t.gql(
    '{ changeFeed(afterSequence: "0", first: 1000, types: [RECORD_CHANGED, RECORD_EFFECTIVE]) { edges { node { type subjectId revision effectiveFrom origin { changeRequestId idempotencyKey } } } } }',
  );
  return nodes(r.data.changeFeed).filter((e: any) => e.subjectId === subjectId);
};

describe('valid time and transaction time', () => {
  it('a proposal approved later takes effect at its approval, not at its proposal', async () => {
    const id = (await createRecord(t, 'item', itemData(code('BT')))).recordId;
    const edit = await propose(
      t,
      { domain: 'item', recordId: id, patch: { name: 'Approved later' } },
      proposer,
    );
    expect(edit.status).toBe('PENDING');
    await sleep(50);
    const between = new Date().toISOString();
    await sleep(50);
    const applied = await approve(t, edit.id, approver);
    expect(applied.status).toBe('APPLIED');
    // a read of the moment between proposal and approval shows what was in force then
    expect((await readItem(id, between)).name).not.toBe('Approved later');
    expect((await readItem(id)).name).toBe('Approved later');
    const cr = await t.gql('query($id: ID!) { changeRequest(id: $id) { effectiveFrom createdAt } }', {
      id: edit.id,
    });
    expect(Date.parse(cr.data.changeRequest.effectiveFrom)).toBeGreaterThan(Date.parse(between));
  });

  it('a read as of a moment and knownAt that moment answers the same after a backdated correction', async () => {
    const created = await propose(
      t,
      { domain: 'item', data: itemData(code('BT2'), { name: 'Original' }) },
      proposer,
    );
    const id = (await approve(t, created.id, approver)).recordId;
    await sleep(50);
    const then = new Date().toISOString();
    const before = await readItem(id, then, then);
    await sleep(50);
    // a correction recorded now but valid since before `then`
    const backdated = await propose(
      t,
      {
        domain: 'item',
        recordId: id,
        patch: { name: 'Corrected' },
        effectiveFrom: new Date(Date.parse(then) - 40).toISOString(),
      },
      proposer,
    );
    await approve(t, backdated.id, approver);
    expect(await readItem(id, then, then)).toEqual(before);
    expect((await readItem(id, then)).name).toBe('Corrected');
    const history = await t.gql(
      'query($id: ID!) { history(recordId: $id) { edges { node { revision effectiveFrom recordedAt } } } }',
      { id },
    );
    const revisions = nodes(history.data.history);
    expect(revisions).toHaveLength(2);
    // the correction is valid before it was recorded: both times are shown
    expect(Date.parse(revisions[1].effectiveFrom)).toBeLessThan(Date.parse(revisions[1].recordedAt));
  });

  it('lists take knownAt too', async () => {
    const prefix = code('BTL');
    const then = new Date().toISOString();
    await sleep(20);
    await propose(t, { domain: 'work-center', data: { code: `${prefix}-1`, name: 'New' } }, proposer);
    const r = await t.gql(
      'query($p: String!, $k: DateTime) { workCenters(filter: { keyPrefix: $p }, knownAt: $k) { totalCount } }',
      { p: prefix, k: then },
    );
    expect(r.data.workCenters.totalCount).toBe(0);
    const now = await t.gql('query($p: String!) { workCenters(filter: { keyPrefix: $p }) { totalCount } }', {
      p: prefix,
    });
    expect(now.data.workCenters.totalCount).toBe(1);
  });
});

describe('record.effective', () => {
  it('announces a future revision once when it becomes current, carrying its origin', async () => {
    const cr = await propose(
      t,
      { domain: 'work-center', data: { code: code('EFF'), name: 'Now' } },
      proposer,
    );
    const at = new Date(Date.now() + 1500).toISOString();
    const later = await propose(
      t,
      {
        domain: 'work-center',
        recordId: cr.recordId,
        patch: { name: 'Later' },
        effectiveFrom: at,
        idempotencyKey: `eff-${cr.recordId}`,
      },
      proposer,
    );
    expect(later.status).toBe('APPLIED');
    const scheduled = (await eventsOf(cr.recordId)).filter((e: any) => e.revision === 2);
    expect(scheduled).toMatchObject([{ type: 'RECORD_CHANGED', effectiveFrom: at }]);
    // the app's own scheduler (every second) announces it
    let events: any[] = [];
    for (let i = 0; i < 100 && events.length === 0; i++) {
      await sleep(100);
      events = (await eventsOf(cr.recordId)).filter((e: any) => e.type === 'RECORD_EFFECTIVE');
    }
    expect(events).toMatchObject([
      {
        revision: 2,
        effectiveFrom: at,
        origin: { changeRequestId: later.id, idempotencyKey: `eff-${cr.recordId}` },
      },
    ]);
    // nothing is announced twice, whoever looks again
    expect(await t.app.services.records.effectiveEvents.emitDue()).toBe(0);
  });

  it('survives a stopped scheduler: another instance announces each due revision exactly once', async () => {
    await t.app.services.records.effectiveEvents.stop();
    const ids: string[] = [];
    // far enough ahead to be still in the future when written, however loaded the machine
    let due = 0;
    for (let i = 0; i < 3; i++) {
      const cr = await propose(
        t,
        { domain: 'work-center', data: { code: code(`EFS${i}`), name: 'Now' } },
        proposer,
      );
      due = Date.now() + 2_000;
      await propose(
        t,
        {
          domain: 'work-center',
          recordId: cr.recordId,
          patch: { name: 'Soon' },
          effectiveFrom: new Date(due).toISOString(),
        },
        proposer,
      );
      ids.push(cr.recordId);
    }
    await sleep(due - Date.now() + 300);
    // two instances (replicas, or one restarted) race for the same due revisions
    const { orm, outbox } = t.app.services;
    const [a, b] = await Promise.all([
      new EffectiveEvents(orm, outbox).emitDue(),
      new EffectiveEvents(orm, outbox).emitDue(),
    ]);
    expect(a + b).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      expect((await eventsOf(id)).filter((e: any) => e.type === 'RECORD_EFFECTIVE')).toHaveLength(1);
    }
  });
});
