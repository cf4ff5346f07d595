/**
 * A changed business key is a governed rekey on every built-in domain: references and
 * cross-references follow it in the same transaction, the old key stays an alias, and the feed says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  itemData,
  mutate,
  nodes,
  propose,
  registerSystem,
  setApprovalPolicy,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

const upper = (base: string) => uniqueCode(base).toUpperCase();

let t: TestApp;
let steward: string;

beforeAll(async () => {
  t = await startTestApp();
  for (const domain of ['uom', 'item', 'location', 'lot', 'work-center'])
    await setApprovalPolicy(t, domain, 0);
  [steward] = await stewardPair(t);
  await registerSystem(t, { code: 'odoo-rk', name: 'Odoo', kind: 'ERP' });
});
afterAll(async () => {
  await t?.close();
});

const create = async (domain: string, data: Record<string, unknown>) => {
  const cr = await propose(t, { domain, data }, steward);
  if (cr.status !== 'APPLIED') throw new Error(`${domain}: ${JSON.stringify(cr)}`);
  return cr.recordId as string;
};
const patch = (
  domain: string,
  recordId: string,
  p: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => propose(t, { domain, recordId, patch: p, ...extra }, steward);
const link = (domain: string, externalId: string, recordId: string) =>
  mutate(t, 'linkXrefs', { system: 'odoo-rk', domain, links: [{ externalId, recordId }] }, 'linked');
const resolvedKey = async (domain: string, externalId: string) => {
  const r = await t.gql(
    `query($d: String!, $ids: [String!]!) { resolveXrefs(system: "odoo-rk", domain: $d, externalIds: $ids) {
      ... on ResolveXrefsPayload { resolutions { recordId key } } ... on Error { code } } }`,
    { d: domain, ids: [externalId] },
  );
  return r.data.resolveXrefs.resolutions[0].key as string;
};
const LOOKUPS: Record<string, (key: string, site?: string) => string> = {
  uom: (k) => `uom(code: ${JSON.stringify(k)})`,
  item: (k) => `item(code: ${JSON.stringify(k)})`,
  'work-center': (k) => `workCenter(code: ${JSON.stringify(k)})`,
  location: (k, s) => `location(code: ${JSON.stringify(k)}, site: ${JSON.stringify(s)})`,
  lot: (k) => {
    const [item, number] = k.split('/');
    return `lot(item: ${JSON.stringify(item)}, number: ${JSON.stringify(number)})`;
  },
};
/** The built-in lookup of a domain by business key (as connectors call it). */
const byKey = async (domain: string, key: string, site?: string) => {
  const r = await t.gql(
    `{ found: ${LOOKUPS[domain](key, site)} { ... on GoldenRecord { id key renamedFrom keyAliases { key renamedTo } data } } }`,
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data.found;
};
const feedFor = async (subjectId: string) => {
  const r = await t.gql(
    '{ changeFeed(afterSequence: "0", first: 1000, types: [RECORD_CHANGED, RECORD_REKEYED]) { edges { node { type subjectId payload } } } }',
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return nodes(r.data.changeFeed).filter((e: any) => e.subjectId === subjectId);
};

describe('rekey', () => {
  it('uom: items follow the new code, the xref key moves, the old code answers as an alias and stays reserved', async () => {
    const old = `B${upper('X').slice(2, 8).toUpperCase()}`;
    const unit = await create('uom', {
      code: old,
      name: 'Box',
      dimension: 'count',
      ratio: '6',
      rounding: '1',
    });
    const item = await create('item', itemData(upper('RK-I'), { uom: old }));
    await link('uom', `uom-${old}`, unit);
    const renamed = `${old}N`;
    const cr = await patch('uom', unit, { code: renamed });
    expect(cr.status).toBe('APPLIED');

    const itemNow = await t.gql(
      'query($id: ID!) { item(id: $id) { ... on Item { revision uom { code } data } } }',
      {
        id: item,
      },
    );
    expect(itemNow.data.item.uom).toEqual({ code: renamed });
    expect(itemNow.data.item.revision).toBe(2);
    expect(await resolvedKey('uom', `uom-${old}`)).toBe(renamed);

    const alias = await byKey('uom', old);
    expect(alias).toMatchObject({ id: unit, key: renamed, renamedFrom: old });
    expect(alias.keyAliases).toEqual([{ key: old, renamedTo: renamed }]);
    expect(await byKey('uom', renamed)).toMatchObject({ id: unit, renamedFrom: null });

    const taken = await propose(
      t,
      { domain: 'uom', data: { code: old, name: 'Another', dimension: 'count', ratio: '2', rounding: '1' } },
      steward,
    );
    expect(taken).toMatchObject({ code: 'DUPLICATE_KEY' });
    expect(taken.message).toContain(renamed);
    // a proposal still using the old code is told the new one
    const stale = await propose(t, { domain: 'item', data: itemData(upper('RK-S'), { uom: old }) }, steward);
    expect(stale).toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
    expect(stale.message).toContain(renamed);
    // the unit is still in use under its new code
    const retire = await propose(t, { domain: 'uom', recordId: unit, operation: 'RETIRE' }, steward);
    expect(retire).toMatchObject({ code: 'REFERENCED_BY_LIVE_RECORDS' });

    const events = await feedFor(unit);
    expect(events.map((e: any) => e.type)).toEqual(['RECORD_CHANGED', 'RECORD_CHANGED', 'RECORD_REKEYED']);
    expect(events[2].payload).toMatchObject({ oldKey: old, newKey: renamed });
    const itemEvents = await feedFor(item);
    expect(itemEvents.at(-1).payload).toMatchObject({
      data: { uom: renamed },
      followsRekeyOf: { recordId: unit, oldKey: old, newKey: renamed },
    });
  });

  it('item: its lots follow, and since a lot key holds the item code, the lots are rekeyed in turn', async () => {
    const code = upper('RK-ITEM');
    const item = await create('item', itemData(code, { tracking: 'lot' }));
    const lot = await create('lot', { item: code, number: 'L1' });
    await link('item', `p-${code}`, item);
    await link('lot', `lot-${code}`, lot);
    const next = `${code}-V2`;
    expect((await patch('item', item, { code: next })).status).toBe('APPLIED');

    expect(await resolvedKey('item', `p-${code}`)).toBe(next);
    expect(await resolvedKey('lot', `lot-${code}`)).toBe(`${next}/L1`);
    const lotNow = await t.gql(
      'query($i: String!) { lot(item: $i, number: "L1") { ... on Lot { id key renamedFrom itemCode item { id } } } }',
      {
        i: code,
      },
    );
    expect(lotNow.data.lot).toMatchObject({
      id: lot,
      key: `${next}/L1`,
      renamedFrom: `${code}/L1`,
      itemCode: next,
      item: { id: item },
    });
    const lotEvents = await feedFor(lot);
    expect(lotEvents.map((e: any) => e.type)).toEqual(['RECORD_CHANGED', 'RECORD_CHANGED', 'RECORD_REKEYED']);
    expect(lotEvents[2].payload).toMatchObject({
      oldKey: `${code}/L1`,
      newKey: `${next}/L1`,
      followsRekeyOf: { recordId: item, domain: 'item' },
    });
    // the item can still not be made untracked while its lot lives; its old code is reserved
    expect(await propose(t, { domain: 'item', data: itemData(code) }, steward)).toMatchObject({
      code: 'DUPLICATE_KEY',
    });
  });

  it('location: children and work centers on the site follow a renamed parent; the alias is per site', async () => {
    const site = `S${upper('X').slice(2, 7).toUpperCase()}`;
    const parent = await create('location', { code: 'WH', name: 'Warehouse', site, usage: 'view' });
    const child = await create('location', {
      code: 'WH-STOCK',
      name: 'Stock',
      site,
      usage: 'internal',
      parent: 'WH',
    });
    const center = await create('work-center', {
      code: upper('WC'),
      name: 'Press',
      site,
      location: 'WH',
    });
    await link('location', `loc-${site}`, parent);
    expect((await patch('location', parent, { code: 'WH1' })).status).toBe('APPLIED');

    const children = await t.gql('query($id: ID!) { location(id: $id) { ... on Location { data } } }', {
      id: child,
    });
    expect(children.data.location.data.parent).toBe('WH1');
    const wc = await t.gql('query($id: ID!) { workCenter(id: $id) { ... on WorkCenter { data } } }', {
      id: center,
    });
    expect(wc.data.workCenter.data.location).toBe('WH1');
    expect(await resolvedKey('location', `loc-${site}`)).toBe('WH1');
    expect(await byKey('location', 'WH', site)).toMatchObject({ id: parent, renamedFrom: 'WH' });
    // another site's WH is a different key
    expect(await byKey('location', 'WH', `${site}X`)).toBeNull();
  });

  it('lot: a new number is a rekey of the lot alone', async () => {
    const code = upper('RK-LOT');
    await create('item', itemData(code, { tracking: 'serial' }));
    const lot = await create('lot', { item: code, number: 'SN-1' });
    await link('lot', `sn-${code}`, lot);
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    expect((await patch('lot', lot, { number: 'SN-01' })).status).toBe('APPLIED');
    // a read of the moment before the rekey shows the key the lot had then
    const then = await t.gql(
      'query($id: ID!, $at: DateTime) { lot(id: $id, asOf: $at) { ... on Lot { key number } } }',
      {
        id: lot,
        at: before,
      },
    );
    expect(then.data.lot).toEqual({ key: `${code}/SN-1`, number: 'SN-1' });
    expect(await resolvedKey('lot', `sn-${code}`)).toBe(`${code}/SN-01`);
    expect(await byKey('lot', `${code}/SN-1`)).toMatchObject({ id: lot, renamedFrom: `${code}/SN-1` });
  });

  it('work-center: renamed back and forth, the aliases stay exact', async () => {
    const code = upper('RK-WC');
    const center = await create('work-center', { code, name: 'Lathe' });
    await link('work-center', `wc-${code}`, center);
    await patch('work-center', center, { code: `${code}-B` });
    await patch('work-center', center, { code });
    expect(await resolvedKey('work-center', `wc-${code}`)).toBe(code);
    const now = await byKey('work-center', `${code}-B`);
    expect(now).toMatchObject({ id: center, key: code, renamedFrom: `${code}-B` });
    expect(now.keyAliases.map((a: any) => a.key)).toEqual([`${code}-B`]);
  });

  it('refuses a rekey scheduled for later, and one over a revision scheduled for later; a follower keeps its schedule', async () => {
    const code = upper('RK-F');
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const center = await create('work-center', { code, name: 'Mill' });
    const scheduled = await patch('work-center', center, { code: `${code}-X` }, { effectiveFrom: later });
    expect(scheduled).toMatchObject({ code: 'INVALID_STATE', path: ['effectiveFrom'] });

    // an item with a change scheduled for tomorrow follows its unit's rename in both revisions
    const unitCode = `F${upper('X').slice(2, 8).toUpperCase()}`;
    const unit = await create('uom', {
      code: unitCode,
      name: 'Pack',
      dimension: 'count',
      ratio: '4',
      rounding: '1',
    });
    const item = await create('item', itemData(upper('RK-FI'), { uom: unitCode }));
    expect((await patch('item', item, { name: 'Renamed tomorrow' }, { effectiveFrom: later })).status).toBe(
      'APPLIED',
    );
    const blocked = await patch('item', item, { code: upper('RK-FJ') });
    expect(blocked).toMatchObject({ code: 'INVALID_STATE' });
    expect((await patch('uom', unit, { code: `${unitCode}N` })).status).toBe('APPLIED');
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const r = await t.gql(
      'query($id: ID!, $at: DateTime) { now: item(id: $id) { ... on Item { name data } } later: item(id: $id, asOf: $at) { ... on Item { name data } } }',
      { id: item, at: tomorrow },
    );
    expect(r.data.now.data.uom).toBe(`${unitCode}N`);
    expect(r.data.later).toMatchObject({ name: 'Renamed tomorrow', data: { uom: `${unitCode}N` } });
  });

  it('leaves no record pointing at the old key when items are written while their unit is renamed', async () => {
    const old = `C${upper('X').slice(2, 8)}`;
    const unit = await create('uom', {
      code: old,
      name: 'Crate',
      dimension: 'count',
      ratio: '12',
      rounding: '1',
    });
    const existing = await Promise.all(
      [0, 1, 2].map(() => create('item', itemData(upper('RK-CC'), { uom: old }))),
    );
    const writes = [
      patch('uom', unit, { code: `${old}N` }),
      ...[0, 1, 2, 3, 4].map(() =>
        propose(t, { domain: 'item', data: itemData(upper('RK-CN'), { uom: old }) }, steward),
      ),
      ...existing.map((id, i) => patch('item', id, { name: `Edited ${i}` })),
    ];
    const results = await Promise.all(writes);
    // the rename and the edits of its followers all apply (they wait for each other, never deadlock);
    // a new item either lands before the rename (and follows it) or after it, told the new code
    expect(results[0].status).toBe('APPLIED');
    for (const r of results.slice(6)) expect(r.status).toBe('APPLIED');
    for (const r of results.slice(1, 6)) {
      if (r.status !== 'APPLIED') {
        expect(r.code).toBe('REFERENCE_NOT_FOUND');
        expect(r.message).toContain(`${old}N`);
      }
    }
    const rows = await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ uom: string }[]>(
        `select cur.data->>'uom' as uom from golden_record g
           cross join lateral (select data from record_revision rv where rv.record_id = g.id order by effective_from desc, revision desc limit 1) cur
          where g.domain = 'item' and g.status = 'ACTIVE' and cur.data->>'uom' in (?, ?)`,
        [old, `${old}N`],
      );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.uom === old)).toEqual([]);
  });
});
