import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  approve as approveChange,
  nodes,
  propose as proposeChange,
  reject as rejectChange,
  setApprovalPolicy,
  withdraw as withdrawChange,
} from '../support/factories.ts';
import { uniqueName } from '../support/schemas.ts';

let t: TestApp;
let alice: string; // steward
let bob: string; // steward
beforeAll(async () => {
  t = await startTestApp();
  alice = await t.tokenFor('steward', { actorName: 'alice' });
  bob = await t.tokenFor('steward', { actorName: 'bob' });
  // locations, lots and work centers need no approval here; items and uoms keep the default four eyes
  for (const domain of ['location', 'lot', 'work-center']) {
    await setApprovalPolicy(t, domain, 0);
  }
});
afterAll(async () => {
  await t?.close();
});

const propose = (input: Record<string, unknown>, token = alice) => proposeChange(t, input, token);
const approve = (id: string, token = bob, idempotencyKey?: string) =>
  approveChange(t, id, token, idempotencyKey);
const count = async (sql: string) =>
  Number(
    (await t.app.orm.em.getConnection().execute<{ n: string }[]>(`select count(*)::text as n from ${sql}`))[0]
      .n,
  );

const item = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  name: `Item ${code}`,
  type: 'goods',
  uom: 'KGM',
  tracking: 'none',
  ...extra,
});

/** Creates an item through proposal and approval; returns its id. */
async function createItem(code: string, extra: Record<string, unknown> = {}): Promise<string> {
  const cr = await propose({ domain: 'item', data: item(code, extra) });
  expect(cr.status, JSON.stringify(cr)).toBe('PENDING');
  const applied = await approve(cr.id);
  expect(applied.status, JSON.stringify(applied)).toBe('APPLIED');
  return applied.recordId;
}

describe('units of measure', () => {
  it('are loaded with their Rec 20 codes on first start', async () => {
    const r = await t.gql(
      '{ uoms(first: 100) { totalCount edges { node { code rec20 dimension ratio revision } } } }',
    );
    expect(r.data.uoms.totalCount).toBeGreaterThanOrEqual(30);
    const codes = r.data.uoms.edges.map((e: any) => e.node.code);
    for (const code of [
      'C62',
      'DZN',
      'KGM',
      'GRM',
      'TNE',
      'LBR',
      'ONZ',
      'MTR',
      'KMT',
      'INH',
      'FOT',
      'LTR',
      'MLT',
      'MTQ',
      'GLL',
      'KWH',
      'HUR',
      'WHUR',
      'WDAY',
    ])
      expect(codes).toContain(code);
    const lb = await t.gql('{ uom(code: "LBR") { ... on Uom { ratio odoo { factor factorInv uomType } } } }');
    expect(lb.data.uom).toEqual({
      ratio: '1/2.20462',
      odoo: { factor: '2.20462', factorInv: '0.453592909436', uomType: 'smaller' },
    });
  });

  it("convert quantities exactly, with Odoo's rounding, and refuse other dimensions", async () => {
    const conv = (q: string, from: string, to: string, rounding?: string) =>
      t
        .gql(
          `query($q: Decimal!, $f: String!, $t: String!, $r: RoundingMethod) { convertQuantity(quantity: $q, from: $f, to: $t, rounding: $r) {
          ... on Conversion { quantity exact } ... on Error { code message } } }`,
          { q, f: from, t: to, r: rounding },
        )
        .then((r) => r.data.convertQuantity);
    expect(await conv('1', 'KGM', 'LBR')).toEqual({ quantity: '2.21', exact: '110231/50000' });
    expect(await conv('1', 'KGM', 'LBR', 'HALF_UP')).toMatchObject({ quantity: '2.20' });
    expect(await conv('3', 'DZN', 'C62')).toMatchObject({ quantity: '36.00' });
    expect(await conv('12', 'WHUR', 'WDAY')).toMatchObject({ quantity: '1.50' });
    expect(await conv('1', 'KGM', 'MTR')).toMatchObject({ code: 'UOM_DIMENSION_MISMATCH' });
    expect(await conv('8', 'WHUR', 'HUR')).toMatchObject({ code: 'UOM_DIMENSION_MISMATCH' });
    expect(await conv('1', 'XXX', 'KGM')).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('check Rec 20 codes, ratios and one reference unit per dimension', async () => {
    const before = await count('change_request');
    const bad = await propose({
      domain: 'uom',
      data: { code: 'BOX6', name: 'Box of 6', dimension: 'count', ratio: '6', rounding: '1', rec20: 'ZZZ' },
    });
    expect(bad).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED' });
    expect(bad.details[0]).toMatchObject({ path: '/rec20' });
    const zero = await propose({
      domain: 'uom',
      data: { code: 'NIL', name: 'nothing', dimension: 'count', ratio: '0', rounding: '1' },
    });
    expect(zero.details.map((d: any) => d.path)).toContain('/ratio');
    const secondReference = await propose({
      domain: 'uom',
      data: { code: 'PCE', name: 'piece', dimension: 'count', ratio: '1', rounding: '1' },
    });
    expect(secondReference).toMatchObject({ code: 'DUPLICATE_KEY' });
    expect(secondReference.message).toContain('C62');
    expect(await count('change_request')).toBe(before);
    // a custom unit defined Odoo's way stays exact
    const box = await propose({
      domain: 'uom',
      data: { code: 'BOX6', name: 'Box of 6', dimension: 'count', ratio: '6', rounding: '1' },
    });
    expect((await approve(box.id)).status).toBe('APPLIED');
  });
});

describe('proposals and approvals', () => {
  it("need a different steward's approval by default (four eyes), then apply as revision 1", async () => {
    const code = uniqueName('RM').toUpperCase();
    const cr = await propose({
      domain: 'item',
      data: item(code, { purchaseUom: 'TNE' }),
      reason: 'new raw material',
    });
    expect(cr).toMatchObject({ status: 'PENDING', requiredApprovals: 1, recordId: null });
    expect(cr.diff).toContainEqual({ path: '/code', op: 'ADD', before: null, after: code });
    const self = await approve(cr.id, alice);
    expect(self).toMatchObject({ code: 'SELF_APPROVAL' });
    const applied = await approve(cr.id, bob);
    expect(applied).toMatchObject({
      status: 'APPLIED',
      appliedRevision: 1,
      approvals: [{ actorName: 'bob' }],
    });
    const again = await approve(cr.id, alice);
    expect(again.code).toBe('INVALID_STATE');
    const read = await t.gql(
      `query($c: String!) { item(code: $c) { ... on Item { id key revision status contractVersion uom { ... on Uom { code } } purchaseUom { code dimension } viewerCanPropose } } }`,
      { c: code },
    );
    expect(read.data.item).toMatchObject({
      key: code,
      revision: 1,
      status: 'ACTIVE',
      contractVersion: 'item@1.1.0',
      uom: { code: 'KGM' },
      purchaseUom: { code: 'TNE', dimension: 'MASS' },
    });
  });

  it('are refused with every finding when the payload breaks the contract, and nothing is written', async () => {
    const before = [await count('change_request'), await count('golden_record'), await count('audit_event')];
    const r = await propose({
      domain: 'item',
      data: { code: 42, name: '', type: 'gadget', uom: 'KGM', tracking: 'none', colour: 'red' },
    });
    expect(r.code).toBe('CONTRACT_VALIDATION_FAILED');
    expect(r.details.map((d: any) => d.path).sort()).toEqual(['/', '/code', '/name', '/type']);
    expect([await count('change_request'), await count('golden_record'), await count('audit_event')]).toEqual(
      before,
    );
  });

  it('enforce the item rules', async () => {
    const mismatch = await propose({ domain: 'item', data: item('MIS-1', { purchaseUom: 'LTR' }) });
    expect(mismatch).toMatchObject({ code: 'UOM_DIMENSION_MISMATCH' });
    expect(mismatch.details[0].path).toBe('/purchaseUom');
    const unknownUom = await propose({ domain: 'item', data: item('MIS-2', { uom: 'NOPE' }) });
    expect(unknownUom).toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
    const badGtin = await propose({ domain: 'item', data: item('MIS-3', { barcode: '4006381333932' }) });
    expect(badGtin.details[0]).toMatchObject({ path: '/barcode' });
    await createItem('GTIN-1', { barcode: '4006381333931' });
    const dupBarcode = await propose({ domain: 'item', data: item('GTIN-2', { barcode: '4006381333931' }) });
    expect(dupBarcode).toMatchObject({ code: 'DUPLICATE_KEY' });
    const dupKey = await propose({ domain: 'item', data: item('GTIN-1') });
    expect(dupKey).toMatchObject({ code: 'DUPLICATE_KEY' });
    const serviceStocked = await propose({
      domain: 'item',
      data: item('SRV-1', { type: 'service', stocked: true }),
    });
    expect(serviceStocked.details[0].path).toBe('/stocked');
  });

  it('are rejected with a reason, or withdrawn by their proposer', async () => {
    const cr = await propose({ domain: 'item', data: item('REJ-1') });
    const noReason = await rejectChange(t, cr.id, ' ', bob);
    expect(noReason.code).toBe('BAD_USER_INPUT');
    const rejected = await t.gql(
      `mutation($id: ID!) { rejectChange(input: { id: $id, reason: "duplicate of RM-1" }) {
        ... on RejectChangePayload { changeRequest { status decisionReason } } } }`,
      { id: cr.id },
      bob,
    );
    expect(rejected.data.rejectChange.changeRequest).toEqual({
      status: 'REJECTED',
      decisionReason: 'duplicate of RM-1',
    });
    const other = await propose({ domain: 'item', data: item('WD-1') });
    expect((await withdrawChange(t, other.id, bob)).code).toBe('FORBIDDEN');
    expect((await withdrawChange(t, other.id, alice)).status).toBe('WITHDRAWN');
    const inbox = await t.gql(
      '{ changeRequests(status: PENDING, domain: "item", first: 50) { totalCount edges { node { id viewerCanApprove } } } }',
      {},
      bob,
    );
    expect(inbox.data.changeRequests.edges.map((e: any) => e.node.id)).not.toContain(other.id);
  });

  it("are refused for viewers, and for connectors outside their system's domains", async () => {
    const viewer = await t.tokenFor('viewer');
    expect((await propose({ domain: 'item', data: item('V-1') }, viewer)).code).toBe('FORBIDDEN');
    const connector = await t.tokenFor('connector', { systemCode: 'plm' });
    expect((await propose({ domain: 'item', data: item('C-1') }, connector)).code).toBe(
      'NOT_SYSTEM_OF_RECORD',
    );
    expect((await approve('01900000-0000-7000-8000-000000000000', viewer)).code).toBe('FORBIDDEN');
  });
});

describe('revisions, history and as-of reads', () => {
  it('update by merge patch, show field-level history, and read earlier states', async () => {
    const id = await createItem('HIST-1', { weight: { quantity: '2', uom: 'KGM' } });
    const t1 = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const patch = await propose({
      domain: 'item',
      recordId: id,
      patch: { name: 'Renamed', weight: { quantity: '2.5' } },
      baseRevision: 1,
      reason: 'PLM rename',
    });
    expect(patch.diff).toEqual([
      { path: '/name', op: 'REPLACE', before: 'Item HIST-1', after: 'Renamed' },
      { path: '/weight/quantity', op: 'REPLACE', before: '2', after: '2.5' },
    ]);
    expect((await approve(patch.id)).appliedRevision).toBe(2);
    const history = await t.gql(
      `query($id: ID!) { history(recordId: $id) { edges { node { revision operation reason createdByName changes { path op } } } } }`,
      { id },
    );
    expect(nodes(history.data.history)).toEqual([
      expect.objectContaining({ revision: 1, operation: 'CREATE', createdByName: 'alice' }),
      {
        revision: 2,
        operation: 'UPDATE',
        reason: 'PLM rename',
        createdByName: 'alice',
        changes: [
          { path: '/name', op: 'REPLACE' },
          { path: '/weight/quantity', op: 'REPLACE' },
        ],
      },
    ]);
    const then = await t.gql(
      `query($id: ID!, $at: DateTime) { record(id: $id, asOf: $at) { revision data } }`,
      { id, at: t1.toISOString() },
    );
    expect(then.data.record).toMatchObject({ revision: 1, data: { name: 'Item HIST-1' } });
    const before = await t.gql(
      `query($id: ID!) { record(id: $id, asOf: "2000-01-01T00:00:00Z") { revision } }`,
      { id },
    );
    expect(before.data.record).toBeNull();
  });

  it('make future-dated changes current by themselves at their time', async () => {
    const id = await createItem('FUT-1');
    const soon = new Date(Date.now() + 1500);
    const cr = await propose({
      domain: 'item',
      recordId: id,
      patch: { name: 'From next week' },
      effectiveFrom: soon.toISOString(),
    });
    await approve(cr.id);
    const now = await t.gql(
      `query($id: ID!) { item(id: $id) { ... on Item { name revision latestRevision } } }`,
      { id },
    );
    expect(now.data.item).toEqual({ name: 'Item FUT-1', revision: 1, latestRevision: 2 });
    const later = await t.gql(
      `query($id: ID!, $at: DateTime) { item(id: $id, asOf: $at) { ... on Item { name revision } } }`,
      { id, at: new Date(soon.getTime() + 1).toISOString() },
    );
    expect(later.data.item).toEqual({ name: 'From next week', revision: 2 });
    await new Promise((r) => setTimeout(r, Math.max(0, soon.getTime() - Date.now() + 50)));
    expect(
      (await t.gql(`query($id: ID!) { item(id: $id) { ... on Item { name } } }`, { id })).data.item.name,
    ).toBe('From next week');
  });

  it('end in CONFLICT at approval when the record moved on, and are refused when proposed on a stale base', async () => {
    const id = await createItem('CONF-1');
    const first = await propose({
      domain: 'item',
      recordId: id,
      data: item('CONF-1', { name: 'First' }),
      baseRevision: 1,
    });
    const second = await propose({
      domain: 'item',
      recordId: id,
      data: item('CONF-1', { name: 'Second' }),
      baseRevision: 1,
    });
    expect((await approve(first.id)).status).toBe('APPLIED');
    const late = await approve(second.id);
    expect(late.status).toBe('CONFLICT');
    expect(late.conflict).toMatchObject({
      currentRevision: 2,
      current: { name: 'First' },
      proposed: { name: 'Second' },
      baseRevision: 1,
    });
    const pendingBefore = await count(`change_request where record_id = '${id}'`);
    const stale = await propose({ domain: 'item', recordId: id, patch: { name: 'Third' }, baseRevision: 1 });
    expect(stale).toMatchObject({
      __typename: 'StaleBaseError',
      code: 'VERSION_CONFLICT',
      currentRevision: 2,
    });
    expect(await count(`change_request where record_id = '${id}'`)).toBe(pendingBefore);
    expect(
      (await t.gql(`query($id: ID!) { item(id: $id) { ... on Item { name revision } } }`, { id })).data.item,
    ).toEqual({
      name: 'First',
      revision: 2,
    });
    const noBase = await propose({ domain: 'item', recordId: id, data: item('CONF-1') });
    expect(noBase).toMatchObject({ code: 'BAD_USER_INPUT', path: ['baseRevision'] });
  });
});

describe('references', () => {
  it('keep a referenced record from being retired, and allow retire and restore otherwise', async () => {
    const unit = await propose({
      domain: 'uom',
      data: { code: 'CASE', name: 'Case', dimension: 'count', ratio: '24', rounding: '1' },
    });
    const unitId = (await approve(unit.id)).recordId;
    await createItem('REF-1', { uom: 'CASE' });
    const retire = await propose({ domain: 'uom', recordId: unitId, operation: 'RETIRE' });
    expect(retire).toMatchObject({ code: 'REFERENCED_BY_LIVE_RECORDS' });
    expect(retire.details[0]).toMatchObject({ path: '/uom', message: 'item REF-1' });

    const spare = await propose({
      domain: 'uom',
      data: { code: 'PAIL', name: 'Pail', dimension: 'count', ratio: '10', rounding: '1' },
    });
    const spareId = (await approve(spare.id)).recordId;
    const ok = await approve(
      (await propose({ domain: 'uom', recordId: spareId, operation: 'RETIRE', reason: 'not used' })).id,
    );
    expect(ok.status).toBe('APPLIED');
    expect(
      (await t.gql(`query($id: ID!) { record(id: $id) { status revision } }`, { id: spareId })).data.record,
    ).toEqual({ status: 'RETIRED', revision: 2 });
    // a retired unit cannot be used, and its key is free
    expect((await propose({ domain: 'item', data: item('REF-2', { uom: 'PAIL' }) })).code).toBe(
      'REFERENCE_NOT_FOUND',
    );
    const restored = await approve(
      (await propose({ domain: 'uom', recordId: spareId, operation: 'RESTORE' })).id,
    );
    expect(restored).toMatchObject({ status: 'APPLIED', appliedRevision: 3 });
  });
});

describe('locations, lots and work centers', () => {
  it('build a hierarchy per site without cycles and derive the path', async () => {
    const site = 'EU1';
    const loc = (code: string, parent: string | null, extra: Record<string, unknown> = {}) =>
      propose({
        domain: 'location',
        data: { code, name: code.split('-').at(-1), parent, usage: 'internal', site, ...extra },
      });
    expect((await loc('EU1', null, { usage: 'view', name: 'EU1' })).status).toBe('APPLIED');
    expect((await loc('EU1-STOCK', 'EU1')).status).toBe('APPLIED');
    expect((await loc('EU1-STOCK-A1', 'EU1-STOCK')).status).toBe('APPLIED');
    expect((await loc('EU1-X', 'NOWHERE')).code).toBe('REFERENCE_NOT_FOUND');
    expect((await loc('EU1-VIEW2', 'EU1', { usage: 'view', scrap: true })).details[0].path).toBe('/scrap');
    const top = await t.gql('{ location(code: "EU1", site: "EU1") { ... on Location { id revision } } }');
    const cycle = await propose({
      domain: 'location',
      recordId: top.data.location.id,
      baseRevision: 1,
      data: { code: 'EU1', name: 'EU1', parent: 'EU1-STOCK-A1', usage: 'view', site },
    });
    expect(cycle).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED' });
    expect(cycle.message).toContain('cycle');
    const shelf = await t.gql(
      '{ location(code: "EU1-STOCK-A1", site: "EU1") { ... on Location { path parent { code children { code } } } } }',
    );
    expect(shelf.data.location).toEqual({
      path: 'EU1 / STOCK / A1',
      parent: { code: 'EU1-STOCK', children: [{ code: 'EU1-STOCK-A1' }] },
    });
    // the same code on another site is another location
    expect(
      (
        await propose({
          domain: 'location',
          data: { code: 'EU1-STOCK', name: 'Stock', usage: 'internal', site: 'US1' },
        })
      ).status,
    ).toBe('APPLIED');
  });

  it('tie lots to items that track lots, with dates in order and forward quality decisions', async () => {
    await createItem('LOT-ITEM', { tracking: 'lot' });
    await createItem('PLAIN-ITEM');
    const lot = (number: string, extra: Record<string, unknown> = {}, item = 'LOT-ITEM') =>
      propose({ domain: 'lot', data: { item, number, ...extra } });
    expect((await lot('L1', {}, 'PLAIN-ITEM')).details[0].path).toBe('/item');
    const badDates = await lot('L2', { manufacturedOn: '2026-10-01', expiresAt: '2026-09-01T00:00:00Z' });
    expect(badDates.details[0].path).toBe('/expiresAt');
    const ok = await lot('L3', {
      manufacturedOn: '2026-10-01',
      expiresAt: '2027-10-01T00:00:00Z',
      qualityStatus: 'quarantine',
    });
    expect(ok.status).toBe('APPLIED');
    expect((await lot('L3')).code).toBe('DUPLICATE_KEY');
    const release = await propose({
      domain: 'lot',
      recordId: ok.recordId,
      patch: { qualityStatus: 'released' },
    });
    expect(release.status).toBe('APPLIED');
    const back = await propose({
      domain: 'lot',
      recordId: ok.recordId,
      patch: { qualityStatus: 'quarantine' },
    });
    expect(back.details[0].path).toBe('/qualityStatus');
    const read = await t.gql(
      '{ lot(item: "LOT-ITEM", number: "L3") { ... on Lot { number qualityStatus item { ... on Item { code tracking } } } } }',
    );
    expect(read.data.lot).toEqual({
      number: 'L3',
      qualityStatus: 'RELEASED',
      item: { code: 'LOT-ITEM', tracking: 'LOT' },
    });
  });

  it('place work centers in live locations with effective-dated costs', async () => {
    await propose({
      domain: 'location',
      data: { code: 'EU2-PROD', name: 'Production', usage: 'production', site: 'EU2' },
    });
    const wc = (code: string, extra: Record<string, unknown>) =>
      propose({ domain: 'work-center', data: { code, name: code, site: 'EU2', ...extra } });
    expect((await wc('WC-0', { location: 'NOPE' })).code).toBe('REFERENCE_NOT_FOUND');
    const costs = [
      { from: '2026-01-01', amount: '80.00', currency: 'EUR' },
      { from: '2025-01-01', amount: '75.00', currency: 'EUR' },
    ];
    expect((await wc('WC-1', { location: 'EU2-PROD', costPerHour: costs })).details[0].path).toBe(
      '/costPerHour/1/from',
    );
    expect((await wc('WC-2', { location: 'EU2-PROD', timeEfficiency: 0 })).code).toBe(
      'CONTRACT_VALIDATION_FAILED',
    );
    const ok = await wc('WC-3', {
      location: 'EU2-PROD',
      timeEfficiency: 95,
      costPerHour: [...costs].reverse(),
    });
    expect(ok.status).toBe('APPLIED');
    const read = await t.gql(
      '{ workCenter(code: "WC-3") { ... on WorkCenter { location { ... on Location { code usage } } currentCostPerHour timeEfficiency } } }',
    );
    expect(read.data.workCenter).toEqual({
      location: { code: 'EU2-PROD', usage: 'PRODUCTION' },
      currentCostPerHour: costs[0],
      timeEfficiency: 95,
    });
  });
});

describe('safety', () => {
  it('answers a retried proposal with its first result, and a reused key with other input with an error', async () => {
    const key = uniqueName('idem');
    const a = await propose({ domain: 'item', data: item('IDEM-1'), idempotencyKey: key });
    const b = await propose({ domain: 'item', data: item('IDEM-1'), idempotencyKey: key });
    expect(b.id).toBe(a.id);
    expect(await count(`change_request where proposed->>'code' = 'IDEM-1'`)).toBe(1);
    const c = await propose({ domain: 'item', data: item('IDEM-2'), idempotencyKey: key });
    expect(c).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', path: ['idempotencyKey'] });
    const k2 = uniqueName('idem');
    expect((await approve(a.id, bob, k2)).status).toBe('APPLIED');
    expect((await approve(a.id, bob, k2)).status).toBe('APPLIED');
  });

  it('loses no update under many concurrent writers of one record', async () => {
    const created = await propose({
      domain: 'location',
      data: { code: 'RACE-1', name: 'n0', usage: 'internal', site: 'RC' },
    });
    const id = created.recordId;
    const writers = 15;
    const results = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        propose({ domain: 'location', recordId: id, patch: { name: `n${i + 1}` }, reason: `writer ${i}` }),
      ),
    );
    const applied = results.filter((r) => r.status === 'APPLIED');
    expect(applied).toHaveLength(writers);
    expect(new Set(applied.map((r) => r.appliedRevision)).size).toBe(writers);
    expect(await count(`record_revision where record_id = '${id}'`)).toBe(writers + 1);
    expect(await count(`audit_event where subject_id = '${id}' and action = 'RECORD_REVISED'`)).toBe(writers);
    expect(await count(`outbox_event where subject_id = '${id}'`)).toBe(writers + 1);

    // full replaces from the same base: exactly one wins, the others are told
    const replaces = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        propose({
          domain: 'location',
          recordId: id,
          baseRevision: writers + 1,
          data: { code: 'RACE-1', name: `r${i}`, usage: 'internal', site: 'RC' },
        }),
      ),
    );
    expect(replaces.filter((r) => r.status === 'APPLIED')).toHaveLength(1);
    expect(replaces.filter((r) => r.__typename === 'StaleBaseError')).toHaveLength(5);
    const verify = await t.gql('{ verifyAuditChain { ... on AuditChainVerification { valid } } }');
    expect(verify.data.verifyAuditChain.valid).toBe(true);
  });

  it('loads location parents, children and paths in batches', async () => {
    const query =
      '{ locations(first: 100, filter: { site: "NB" }) { edges { node { code path parent { code } children { code } } } } }';
    await propose({ domain: 'location', data: { code: 'NB', name: 'NB', usage: 'view', site: 'NB' } });
    await propose({
      domain: 'location',
      data: { code: 'NB-S', name: 'S', parent: 'NB', usage: 'internal', site: 'NB' },
    });
    const few = await t.countQueries(() => t.gql(query));
    for (let i = 0; i < 4; i++)
      await propose({
        domain: 'location',
        data: { code: `NB-S-${i}`, name: `B${i}`, parent: 'NB-S', usage: 'internal', site: 'NB' },
      });
    const many = await t.countQueries(() => t.gql(query));
    expect(many).toBeLessThanOrEqual(few + 2); // one more level of the tree to walk for paths
    const r = await t.gql(query);
    expect(r.data.locations.edges.find((e: any) => e.node.code === 'NB-S-3').node.path).toBe('NB / S / B3');
  });

  it('counts the total of a first page in the page query, and apart only after a cursor', async () => {
    const list = (fields: string, after?: string) =>
      t.gql(`query($a: String) { uoms(first: 2, after: $a) { ${fields} } }`, { a: after });
    await list('edges { node { code } }'); // warm the caller cache and loaders
    const bare = await t.countQueries(() => list('edges { node { code } }'));
    const counted = await t.countQueries(() => list('totalCount edges { node { code } }'));
    expect(counted).toBe(bare);
    const first = await list('totalCount edges { cursor } pageInfo { endCursor }');
    const next = await list('totalCount edges { cursor }', first.data.uoms.pageInfo.endCursor);
    expect(next.data.uoms.totalCount).toBe(first.data.uoms.totalCount);
    const afterCursor = await t.countQueries(() =>
      list('totalCount edges { node { code } }', first.data.uoms.pageInfo.endCursor),
    );
    expect(afterCursor).toBe(bare + 1);
  });

  it('loads relations in batches: listing items costs the same queries for 3 or 8 items', async () => {
    const query =
      '{ items(first: 100, filter: { keyPrefix: "NPLUS" }) { edges { node { code uom { ... on Uom { code } } purchaseUom { code } } } } }';
    for (let i = 0; i < 3; i++) await createItem(`NPLUS-${i}`, { purchaseUom: 'GRM' });
    const few = await t.countQueries(() => t.gql(query));
    for (let i = 3; i < 8; i++) await createItem(`NPLUS-${i}`, { uom: 'LBR', purchaseUom: 'TNE' });
    const many = await t.countQueries(() => t.gql(query));
    expect(many).toBe(few);
    const r = await t.gql(query);
    expect(r.data.items.edges).toHaveLength(8);
  });
});
