/**
 * Subscriptions decide what a system is responsible for: a site and a data filter narrow it, records
 * already there when it subscribes are expected but do not move its cursor back, a system's own writes
 * count as applied by it, and removing the subscription takes its pending changes off the list. The
 * backlog lists what a system has yet to apply or refused, oldest first, filtered by domain and age.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  acknowledgeChanges,
  connectorFor,
  createRecord,
  itemData,
  mutate,
  propose,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const subscribe = (input: Record<string, unknown>) =>
  mutate(t, 'setSubscription', input, 'id systemCode domain site filter', { field: 'subscription' });

async function states(recordId: string) {
  const r = await t.gql(`query($id: ID!) { record(id: $id) { propagation { systemCode state } } }`, {
    id: recordId,
  });
  expect(r.errors).toBeUndefined();
  return Object.fromEntries(r.data.record.propagation.map((p: any) => [p.systemCode, p.state]));
}

async function status(system: string) {
  const r = await t.gql(
    `query($c: String!) { system(code: $c) { subscriptions { domain filter } syncStatus { acknowledgedSequence headSequence behindRecords failedRecords } } }`,
    { c: system },
  );
  return r.data.system;
}

describe('subscriptions', () => {
  it('narrow by data filter, expect existing records without moving the cursor back, and count own writes as applied', async () => {
    const before = await createRecord(t, 'item', itemData(uniqueCode('SUB'), { tracking: 'lot' }));
    const qms = await connectorFor(t, { kind: 'QMS' });
    const plm = await connectorFor(t, { kind: 'PLM', domain: 'item' });
    const bad = await mutate(
      t,
      'setSubscription',
      { system: qms.system, domain: 'item', filter: ['lot'] },
      'id',
      {
        field: 'subscription',
      },
    );
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT', path: ['filter'] });
    expect(
      (
        await mutate(t, 'setSubscription', { system: 'nope', domain: 'item' }, 'id', {
          field: 'subscription',
        })
      ).code,
    ).toBe('NOT_FOUND');
    await subscribe({ system: qms.system, domain: 'item', filter: { tracking: 'lot' } });
    await subscribe({ system: plm.system, domain: 'item' });
    // a record that was there: expected, BEHIND, but the cursor stays at the head
    expect((await states(before.recordId))[qms.system]).toBe('BEHIND');
    const s0 = await status(qms.system);
    expect(s0.syncStatus.acknowledgedSequence).toBe(s0.syncStatus.headSequence);
    expect(s0.subscriptions).toEqual([{ domain: 'item', filter: { tracking: 'lot' } }]);

    const lot = await createRecord(t, 'item', itemData(uniqueCode('SUB'), { tracking: 'lot' }));
    const plain = await createRecord(t, 'item', itemData(uniqueCode('SUB'), { tracking: 'none' }));
    expect((await states(lot.recordId))[qms.system]).toBe('BEHIND');
    expect((await states(plain.recordId))[qms.system]).toBeUndefined(); // the filter leaves it out
    const s1 = await status(qms.system);
    expect(BigInt(s1.syncStatus.acknowledgedSequence)).toBeLessThan(BigInt(s1.syncStatus.headSequence));

    // the PLM's own write is current there at once, and behind for the QMS
    const own = await propose(
      t,
      { domain: 'item', data: itemData(uniqueCode('PLM'), { tracking: 'lot' }) },
      plm.token,
    );
    expect(own.status).toBe('APPLIED');
    expect(await states(own.recordId)).toMatchObject({ [plm.system]: 'CURRENT', [qms.system]: 'BEHIND' });

    // the backlog, oldest first; none older than an hour
    const backlog = await t.gql(
      `query($s: String!) { all: propagationBacklog(system: $s, state: BEHIND, domain: "item") { edges { node { recordId state behindSince } } }
         old: propagationBacklog(system: $s, state: BEHIND, olderThanSeconds: 3600) { edges { node { recordId } } }
         failed: propagationBacklog(system: $s, state: FAILED) { edges { node { recordId } } } }`,
      { s: qms.system },
    );
    expect(backlog.errors).toBeUndefined();
    const ids = backlog.data.all.edges.map((e: any) => e.node.recordId);
    expect(ids).toEqual(expect.arrayContaining([before.recordId, lot.recordId, own.recordId]));
    expect(ids).not.toContain(plain.recordId);
    expect(backlog.data.old.edges).toEqual([]);
    expect(backlog.data.failed.edges).toEqual([]);
    const wrongState = await t.gql(
      `query($s: String!) { propagationBacklog(system: $s, state: CURRENT) { edges { node { recordId } } } }`,
      { s: qms.system },
    );
    expect(wrongState.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    // acknowledged by record and revision (the existing record, loaded from a snapshot)
    const ack = await acknowledgeChanges(t, qms.token, [
      { recordId: before.recordId, revision: 1, status: 'APPLIED' },
    ]);
    expect(ack.recorded).toBe(1);
    expect((await states(before.recordId))[qms.system]).toBe('CURRENT');

    // removed: nothing pending any more, the records no longer expected
    const [sub] = (
      await t.gql(`query($s: String!) { subscriptions(system: $s) { edges { node { id } } } }`, {
        s: qms.system,
      })
    ).data.subscriptions.edges.map((e: any) => e.node);
    const removed = await mutate(t, 'removeSubscription', { id: sub.id }, 'removedSubscriptionId');
    expect(removed.removedSubscriptionId).toBe(sub.id);
    const s2 = await status(qms.system);
    expect(s2.syncStatus).toMatchObject({ behindRecords: 0, failedRecords: 0 });
    expect(s2.syncStatus.acknowledgedSequence).toBe(s2.syncStatus.headSequence);
    expect((await states(lot.recordId))[qms.system]).toBe('NOT_EXPECTED');
    expect((await states(before.recordId))[qms.system]).toBe('NOT_EXPECTED');
  });
});
