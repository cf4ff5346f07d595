/**
 * Acknowledgements and exceptions under attack: another system's token, unknown sequences and
 * systems, five replays at once, acknowledgements out of order, a batch of 10,000, entries with
 * mistakes beside good ones, an external id that is another record's, two stewards resolving at once.
 * Every refusal is typed and writes nothing; the state never moves back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  acknowledgeChanges,
  approve,
  connectorFor,
  createRecord,
  itemData,
  mutate,
  propose,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let mes: { system: string; token: string };
let wms: { system: string; token: string };
let stewards: [string, string];

const sql = async (text: string, params: unknown[] = []): Promise<any[]> =>
  t.app.orm.em
    .fork()
    .getConnection()
    .execute(text, params as never);
const count = async (text: string, params: unknown[] = []) => Number((await sql(text, params))[0].n);

/** A new item and the sequence of its RECORD_CHANGED (revision 1). */
async function newItem(): Promise<{ id: string; sequence: string }> {
  const id = (await createRecord(t, 'item', itemData(uniqueCode('ADV')))).recordId;
  const [row] = await sql(
    "select sequence::text as s from outbox_event where type = 'RECORD_CHANGED' and subject_id = ? order by sequence",
    [id],
  );
  return { id, sequence: row.s };
}

async function edit(id: string, revision: number, name: string): Promise<string> {
  const cr = await propose(
    t,
    { domain: 'item', recordId: id, patch: { name }, baseRevision: revision },
    stewards[0],
  );
  const applied = cr.status === 'PENDING' ? await approve(t, cr.id, stewards[1]) : cr;
  expect(applied.status).toBe('APPLIED');
  const [row] = await sql(
    "select sequence::text as s from outbox_event where type = 'RECORD_CHANGED' and subject_id = ? and revision = ?",
    [id, revision + 1],
  );
  return row.s;
}

async function stateOf(system: string, recordId: string) {
  const r = await t.gql(
    `query($id: ID!) { record(id: $id) { propagation { systemCode state appliedRevision lastStatus } } }`,
    {
      id: recordId,
    },
  );
  return r.data.record.propagation.find((p: any) => p.systemCode === system);
}

beforeAll(async () => {
  t = await startTestApp();
  stewards = await stewardPair(t);
  mes = await connectorFor(t, { kind: 'MES' });
  wms = await connectorFor(t, { kind: 'WMS' });
  for (const s of [mes.system, wms.system])
    await mutate(t, 'setSubscription', { system: s, domain: 'item' }, 'id', { field: 'subscription' });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('acknowledgeChanges refuses', () => {
  it("another system's acknowledgements: FORBIDDEN, nothing written", async () => {
    const item = await newItem();
    const answer = await acknowledgeChanges(
      t,
      wms.token,
      [{ sequence: item.sequence, status: 'APPLIED' }],
      mes.system,
    );
    expect(answer).toMatchObject({ code: 'FORBIDDEN', path: ['system'] });
    expect(await count('select count(*)::int as n from change_ack where sequence = ?', [item.sequence])).toBe(
      0,
    );
  });

  it('unknown sequences and records entry by entry, and an unknown system as a whole', async () => {
    const item = await newItem();
    const answer = await acknowledgeChanges(t, mes.token, [
      { sequence: '999999999', status: 'APPLIED' },
      { sequence: item.sequence, status: 'APPLIED' },
      { recordId: '00000000-0000-7000-8000-000000000009', revision: 1, status: 'APPLIED' },
      { sequence: item.sequence, status: 'SKIPPED' },
    ]);
    expect(answer.results.map((r: any) => [r.outcome, r.error?.code ?? null, r.error?.path ?? null])).toEqual(
      [
        ['REJECTED', 'NOT_FOUND', ['changes', '0', 'sequence']],
        ['RECORDED', null, null],
        ['REJECTED', 'NOT_FOUND', ['changes', '2', 'recordId']],
        ['REJECTED', 'BAD_USER_INPUT', ['changes', '3', 'sequence']],
      ],
    );
    expect(
      await count('select count(*)::int as n from change_ack where system_code = ?', [mes.system]),
    ).toBeGreaterThan(0);
    // a deactivated system acknowledges nothing
    const retired = await connectorFor(t, { kind: 'WMS' });
    await mutate(t, 'updateSystem', { code: retired.system, active: false }, 'code', { field: 'system' });
    const inactive = await acknowledgeChanges(
      t,
      t.adminToken,
      [{ sequence: item.sequence, status: 'APPLIED' }],
      retired.system,
    );
    expect(inactive).toMatchObject({ code: 'INVALID_STATE', path: ['system'] });
    expect(
      await count('select count(*)::int as n from change_ack where system_code = ?', [retired.system]),
    ).toBe(0);
    const onBehalf = await acknowledgeChanges(
      t,
      t.adminToken,
      [{ sequence: item.sequence, status: 'APPLIED' }],
      'no-such-system',
    );
    expect(onBehalf).toMatchObject({ code: 'NOT_FOUND', path: ['system'] });
  });

  it('entries with mistakes of their own, with a typed error each, beside good ones', async () => {
    const item = await newItem();
    const answer = await acknowledgeChanges(t, mes.token, [
      { sequence: item.sequence, status: 'REFUSED' },
      { sequence: item.sequence, recordId: item.id, revision: 1, status: 'APPLIED' },
      { sequence: item.sequence, status: 'REFUSED', code: 'X', message: '   ' },
      { recordId: item.id, status: 'APPLIED' },
      { sequence: item.sequence, status: 'SKIPPED', externalId: 'X-1' },
      { recordId: item.id, revision: 1, status: 'APPLIED' },
    ]);
    expect(answer.results.map((r: any) => r.error?.path?.join('.') ?? r.outcome)).toEqual([
      'changes.0.code',
      'changes.1.sequence',
      'changes.2.message',
      'changes.3.revision',
      'changes.4.externalId',
      'RECORDED',
    ]);
    expect(answer.rejected).toBe(5);
    expect(
      await count('select count(*)::int as n from change_ack where sequence = ? and system_code = ?', [
        item.sequence,
        mes.system,
      ]),
    ).toBe(1);
  });

  it('a batch of 10,000 by its size, with a typed error and nothing written', async () => {
    const item = await newItem();
    const changes = Array.from({ length: 10_000 }, () => ({ sequence: item.sequence, status: 'APPLIED' }));
    const answer = await acknowledgeChanges(t, mes.token, changes);
    expect(answer).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', path: ['changes'] });
    expect(await count('select count(*)::int as n from change_ack where sequence = ?', [item.sequence])).toBe(
      0,
    );
  });

  it("an external id that is another record's: that entry alone", async () => {
    const [a, b, c] = [await newItem(), await newItem(), await newItem()];
    const externalId = uniqueCode('MES-ID');
    const first = await acknowledgeChanges(t, mes.token, [
      { sequence: a.sequence, status: 'APPLIED', externalId },
    ]);
    expect(first.recorded).toBe(1);
    const second = await acknowledgeChanges(t, mes.token, [
      { sequence: b.sequence, status: 'APPLIED', externalId },
      { sequence: c.sequence, status: 'APPLIED', externalId: `${externalId}-c` },
    ]);
    expect(second.results.map((r: any) => [r.outcome, r.error?.path?.join('.') ?? null])).toEqual([
      ['REJECTED', 'changes.0.externalId'],
      ['RECORDED', null],
    ]);
    expect(await count('select count(*)::int as n from change_ack where sequence = ?', [b.sequence])).toBe(0);
    const links = await sql(
      'select external_id, record_id::text as r from xref where system_code = ? and external_id like ? order by 1',
      [mes.system, `${externalId}%`],
    );
    expect(links.map((l) => [l.external_id, l.r])).toEqual([
      [externalId, a.id],
      [`${externalId}-c`, c.id],
    ]);
  });
});

describe('acknowledgements are idempotent and never move back', () => {
  it('replayed five times at once: one recorded, one exception, one occurrence', async () => {
    const item = await newItem();
    const refusal = { sequence: item.sequence, status: 'REFUSED', code: 'NO_UOM', message: 'unknown unit' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => acknowledgeChanges(t, mes.token, [refusal])),
    );
    const outcomes = answers.map((a: any) => a.results[0].outcome).sort();
    expect(outcomes).toEqual(['RECORDED', 'UNCHANGED', 'UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
    const rows = await sql('select occurrences from integration_exception where record_id = ?', [item.id]);
    expect(rows).toEqual([{ occurrences: 1 }]);
    expect((await stateOf(mes.system, item.id)).state).toBe('FAILED');
  });

  it('an older revision acknowledged after a newer one changes nothing', async () => {
    const item = await newItem();
    const second = await edit(item.id, 1, 'Second name');
    await acknowledgeChanges(t, mes.token, [{ sequence: second, status: 'APPLIED' }]);
    expect(await stateOf(mes.system, item.id)).toMatchObject({ state: 'CURRENT', appliedRevision: 2 });
    const late = await acknowledgeChanges(t, mes.token, [
      { sequence: item.sequence, status: 'REFUSED', code: 'LATE', message: 'old news' },
    ]);
    expect(late.results[0].outcome).toBe('RECORDED');
    expect(await stateOf(mes.system, item.id)).toMatchObject({
      state: 'CURRENT',
      appliedRevision: 2,
      lastStatus: 'APPLIED',
    });
    expect(
      await count('select count(*)::int as n from integration_exception where record_id = ?', [item.id]),
    ).toBe(0);
    // and the other way round in one batch: the newest revision wins whatever the order
    const third = await edit(item.id, 2, 'Third name');
    await acknowledgeChanges(t, wms.token, [
      { sequence: third, status: 'APPLIED' },
      { sequence: item.sequence, status: 'APPLIED' },
    ]);
    expect(await stateOf(wms.system, item.id)).toMatchObject({ state: 'CURRENT', appliedRevision: 3 });
    // applied at one revision, skipped at a newer one in the same batch: current, and applied is kept
    const fourth = await edit(item.id, 3, 'Fourth name');
    const other = await newItem();
    const fifth = await edit(other.id, 1, 'Other renamed');
    await acknowledgeChanges(t, wms.token, [
      { sequence: fourth, status: 'SKIPPED' },
      { sequence: other.sequence, status: 'APPLIED' },
      { sequence: fifth, status: 'SKIPPED' },
    ]);
    expect(await stateOf(wms.system, item.id)).toMatchObject({
      state: 'CURRENT',
      appliedRevision: 3,
      lastStatus: 'SKIPPED',
    });
    expect(await stateOf(wms.system, other.id)).toMatchObject({
      state: 'CURRENT',
      appliedRevision: 1,
      lastStatus: 'SKIPPED',
    });
  });

  it('a refusal replaced by APPLIED resolves its exception; repeats of a live one are counted', async () => {
    const item = await newItem();
    await acknowledgeChanges(t, mes.token, [
      { sequence: item.sequence, status: 'REFUSED', code: 'NO_UOM', message: 'one' },
    ]);
    const second = await edit(item.id, 1, 'Renamed');
    await acknowledgeChanges(t, mes.token, [
      { sequence: second, status: 'REFUSED', code: 'NO_UOM', message: 'two' },
    ]);
    const [x] = await sql(
      'select id, occurrences, state, message from integration_exception where record_id = ?',
      [item.id],
    );
    expect(x).toMatchObject({ occurrences: 2, state: 'OPEN', message: 'two' });
    const replaced = await acknowledgeChanges(t, mes.token, [{ sequence: second, status: 'APPLIED' }]);
    expect(replaced.results[0].outcome).toBe('REPLACED');
    const [after] = await sql('select state, resolution from integration_exception where id = ?', [x.id]);
    expect(after.state).toBe('RESOLVED');
    expect(after.resolution).toMatch(/^AUTO/);
    expect((await stateOf(mes.system, item.id)).state).toBe('CURRENT');
  });

  it('an admin acknowledging on behalf of a system is audited', async () => {
    const item = await newItem();
    const answer = await acknowledgeChanges(
      t,
      t.adminToken,
      [{ sequence: item.sequence, status: 'SKIPPED' }],
      wms.system,
    );
    expect(answer.recorded).toBe(1);
    const [audit] = await sql(
      "select subject_id, after from audit_event where action = 'CHANGES_ACKNOWLEDGED_ON_BEHALF' order by sequence desc limit 1",
    );
    expect(audit.subject_id).toBe(wms.system);
    expect((typeof audit.after === 'string' ? JSON.parse(audit.after) : audit.after).sequences).toEqual([
      item.sequence,
    ]);
  });
});

describe('exceptions', () => {
  async function filed(): Promise<{ id: string; lockVersion: number }> {
    const item = await newItem();
    const x = await mutate(
      t,
      'reportException',
      { domain: 'item', recordId: item.id, code: 'ODOO_LOT', message: 'Odoo refused the lot' },
      'id lockVersion owner ownerReason',
      { token: mes.token, field: 'exception' },
    );
    expect(x.id).toBeTruthy();
    return x;
  }

  it('two stewards resolving at once: one wins, the other gets a typed conflict', async () => {
    const x = await filed();
    const answers = await Promise.all(
      stewards.map((token, i) =>
        mutate(
          t,
          'resolveException',
          { id: x.id, note: `fixed by ${i}`, lockVersion: x.lockVersion },
          'state',
          {
            token,
            field: 'exception',
          },
        ),
      ),
    );
    const outcomes = answers.map((a: any) => a.state ?? a.code).sort();
    expect(outcomes).toEqual(['RESOLVED', 'VERSION_CONFLICT']);
    expect(
      await count(
        "select count(*)::int as n from audit_event where action = 'EXCEPTION_RESOLVED' and subject_id = ?",
        [x.id],
      ),
    ).toBe(1);
    // without a version, acting on a closed one is the same conflict
    const late = await mutate(t, 'resolveException', { id: x.id, note: 'me too' }, 'state', {
      token: stewards[0],
      field: 'exception',
    });
    expect(late.code).toBe('VERSION_CONFLICT');
  });

  it("a connector reports only its own system's failures; owners fall back to the default queue", async () => {
    const other = await mutate(
      t,
      'reportException',
      { system: wms.system, domain: 'item', externalId: 'L-1', code: 'X', message: 'x' },
      'id',
      { token: mes.token, field: 'exception' },
    );
    expect(other.code).toBe('FORBIDDEN');
    const x = await filed();
    expect(x).toMatchObject({ owner: 'data-stewards', ownerReason: 'DEFAULT_QUEUE' });
    await mutate(t, 'updateContract', { name: 'item', ownerTeam: 'item-owners' }, 'name', {
      field: 'contract',
    });
    const y = await mutate(
      t,
      'reportException',
      { domain: 'item', externalId: uniqueCode('L'), code: 'ODOO_LOT', message: 'no item' },
      'owner ownerReason',
      { token: mes.token, field: 'exception' },
    );
    expect(y).toMatchObject({ owner: 'item-owners', ownerReason: 'CONTRACT' });
  });

  it('a blocking exception quarantines its record until a steward releases it (audited)', async () => {
    const item = await newItem();
    await acknowledgeChanges(t, mes.token, [
      { sequence: item.sequence, status: 'REFUSED', code: 'BAD', message: 'bad', blocking: true },
    ]);
    const q = await t.gql(`query($id: ID!) { record(id: $id) { quarantine { exceptionId lockVersion } } }`, {
      id: item.id,
    });
    expect(q.data.record.quarantine).not.toBeNull();
    const listed = await t.gql(
      '{ quarantines(domain: "item", first: 100) { edges { node { recordId exceptionId } } } }',
    );
    expect(listed.data.quarantines.edges.map((e: any) => e.node.recordId)).toContain(item.id);
    // the feed flags it, or holds it back when asked; the quarantine itself is announced
    const feed = async (hold: boolean) => {
      const r = await t.gql(
        `query($after: BigIntString, $hold: Boolean) { changeFeed(afterSequence: $after, holdQuarantined: $hold, first: 1000) {
           edges { node { type subjectId quarantined payload } } } }`,
        { after: String(BigInt(item.sequence) - 1n), hold },
        mes.token,
      );
      expect(r.errors).toBeUndefined();
      return r.data.changeFeed.edges
        .map((e: any) => e.node)
        .filter((n: any) => n.subjectId === item.id && n.type.startsWith('RECORD_'));
    };
    const flagged = await feed(false);
    expect(flagged.map((n: any) => [n.type, n.quarantined])).toEqual([
      ['RECORD_CHANGED', true],
      ['RECORD_QUARANTINED', true],
    ]);
    expect(flagged[1].payload).toMatchObject({ systemCode: mes.system, code: 'BAD' });
    expect((await feed(true)).map((n: any) => n.type)).toEqual(['RECORD_QUARANTINED']);
    // and so do the maps
    const externalId = uniqueCode('WMS');
    await mutate(
      t,
      'linkXrefs',
      { system: wms.system, domain: 'item', links: [{ externalId, recordId: item.id }] },
      'linked',
    );
    const resolve = async (hold: boolean) =>
      (
        await t.gql(
          `query($s: String!, $ids: [String!]!, $hold: Boolean) { resolveXrefs(system: $s, domain: "item", externalIds: $ids, holdQuarantined: $hold) {
             ... on ResolveXrefsPayload { resolutions { recordId held quarantined } } } }`,
          { s: wms.system, ids: [externalId], hold },
          wms.token,
        )
      ).data.resolveXrefs.resolutions[0];
    expect(await resolve(false)).toEqual({ recordId: item.id, held: false, quarantined: true });
    expect(await resolve(true)).toEqual({ recordId: null, held: true, quarantined: false });
    const bad = await mutate(t, 'releaseQuarantine', { recordId: item.id, note: '' }, 'recordId', {
      token: stewards[0],
    });
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT', path: ['note'] });
    const viewer = await t.tokenFor('viewer');
    const denied = await mutate(t, 'releaseQuarantine', { recordId: item.id, note: 'go' }, 'recordId', {
      token: viewer,
    });
    expect(denied.code).toBe('FORBIDDEN');
    const released = await mutate(
      t,
      'releaseQuarantine',
      { recordId: item.id, note: 'MES fixed on their side' },
      'recordId releasedAt',
      {
        token: stewards[0],
      },
    );
    expect(released.releasedAt).toBeTruthy();
    const after = await t.gql(`query($id: ID!) { record(id: $id) { quarantine { exceptionId } } }`, {
      id: item.id,
    });
    expect(after.data.record.quarantine).toBeNull();
    const afterRelease = (await feed(true)).map((n: any) => [n.type, n.payload.reason ?? null]);
    expect(afterRelease).toEqual([
      ['RECORD_CHANGED', null],
      ['RECORD_QUARANTINED', null],
      ['RECORD_RELEASED', 'RELEASED'],
    ]);
    expect(
      await count(
        "select count(*)::int as n from audit_event where action = 'QUARANTINE_RELEASED' and subject_id = ?",
        [item.id],
      ),
    ).toBe(1);
  });
});
