/**
 * Odoo's codes are free text, and some records have none: the built-in contracts (1.1) take what
 * Odoo holds, keys stay exact and unambiguous, and a record without a code enters under its xml id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  itemData,
  mutate,
  propose,
  registerSystem,
  setApprovalPolicy,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let steward: string;

beforeAll(async () => {
  t = await startTestApp();
  for (const domain of ['item', 'lot', 'location', 'work-center']) await setApprovalPolicy(t, domain, 0);
  [steward] = await stewardPair(t);
  await registerSystem(t, { code: 'odoo-fc', name: 'Odoo', kind: 'ERP' });
});
afterAll(async () => {
  await t?.close();
});

describe("Odoo's free-text codes", () => {
  it('validates new proposals against the 1.1 contracts, which take spaces, brackets and slashes', async () => {
    const suffix = uniqueCode('');
    for (const code of [`FURN 001${suffix}`, `[E-COM11]${suffix}`, `Desk/Large ø${suffix}`]) {
      const cr = await propose(t, { domain: 'item', data: itemData(code, { tracking: 'lot' }) }, steward);
      expect(cr).toMatchObject({ status: 'APPLIED' });
    }
    const r = await t.gql('query($c: String!) { item(code: $c) { ... on Item { code contractVersion } } }', {
      c: `FURN 001${suffix}`,
    });
    expect(r.data.item).toEqual({ code: `FURN 001${suffix}`, contractVersion: 'item@1.1.0' });
    const loc = await propose(
      t,
      { domain: 'location', data: { code: `WH/Stock ${suffix}`, name: 'Stock', usage: 'internal' } },
      steward,
    );
    expect(loc.status).toBe('APPLIED');
    const wc = await propose(
      t,
      { domain: 'work-center', data: { code: `Assembly line 1${suffix}`, name: 'Line' } },
      steward,
    );
    expect(wc.status).toBe('APPLIED');
  });

  it('refuses keys no one could type back: surrounding whitespace, control characters, empty, too long', async () => {
    for (const [code, problem] of [
      [' LEADING', 'whitespace'],
      ['TRAILING ', 'whitespace'],
      ['TAB\tINSIDE', 'control character'],
      ['', 'empty'],
      ['X'.repeat(201), 'longer than 200'],
    ]) {
      const r = await propose(t, { domain: 'item', data: itemData(code, { name: 'Refused' }) }, steward);
      expect(r).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED' });
      expect(r.findings).toContainEqual(expect.objectContaining({ path: '/code' }));
      expect(r.message).toContain(problem);
    }
  });

  it('keeps lot keys unambiguous when codes and numbers hold slashes', async () => {
    const base = uniqueCode('SL');
    await propose(t, { domain: 'item', data: itemData(`${base}/A`, { tracking: 'lot' }) }, steward);
    await propose(t, { domain: 'item', data: itemData(base, { tracking: 'lot' }) }, steward);
    const one = await propose(t, { domain: 'lot', data: { item: `${base}/A`, number: 'B' } }, steward);
    const two = await propose(t, { domain: 'lot', data: { item: base, number: 'A/B' } }, steward);
    expect([one.status, two.status]).toEqual(['APPLIED', 'APPLIED']);
    const r = await t.gql(
      'query($a: String!, $b: String!) { one: lot(item: $a, number: "B") { ... on Lot { id key } } two: lot(item: $b, number: "A/B") { ... on Lot { id key } } }',
      { a: `${base}/A`, b: base },
    );
    expect(r.data.one.id).toBe(one.recordId);
    expect(r.data.two.id).toBe(two.recordId);
    expect(r.data.one.key).not.toBe(r.data.two.key);
  });

  it('onboards a product without a default_code under its xml id, and a steward rekeys it later', async () => {
    const xmlId = `product.product_product_${uniqueCode('')}`;
    const cr = await propose(
      t,
      { domain: 'item', data: itemData(xmlId, { name: 'Customizable Desk' }) },
      steward,
    );
    expect(cr.status).toBe('APPLIED');
    await mutate(
      t,
      'linkXrefs',
      {
        system: 'odoo-fc',
        domain: 'item',
        links: [{ externalId: '4', externalKey: xmlId, recordId: cr.recordId }],
      },
      'linked',
    );
    const code = uniqueCode('DESK').toUpperCase();
    expect(
      (await propose(t, { domain: 'item', recordId: cr.recordId, patch: { code } }, steward)).status,
    ).toBe('APPLIED');
    const r = await t.gql(
      `{ resolveXrefs(system: "odoo-fc", domain: "item", externalIds: ["4"]) { ... on ResolveXrefsPayload { resolutions { key } } } }`,
    );
    expect(r.data.resolveXrefs.resolutions).toEqual([{ key: code }]);
  });

  it('assigns a key from the domain sequence to a record that arrives without one', async () => {
    const set = await mutate(
      t,
      'setKeySequence',
      { domain: 'work-center', prefix: 'WC-AUTO-', padding: 4, nextValue: 7 },
      'domain prefix padding nextValue',
      { field: 'keySequence' },
    );
    expect(set).toEqual({ domain: 'work-center', prefix: 'WC-AUTO-', padding: 4, nextValue: 7 });
    // a key already taken is skipped
    await propose(t, { domain: 'work-center', data: { code: 'WC-AUTO-0007', name: 'Manual' } }, steward);
    const first = await propose(
      t,
      { domain: 'work-center', data: { name: 'Press' }, assignKey: true },
      steward,
    );
    const second = await propose(
      t,
      { domain: 'work-center', data: { name: 'Lathe' }, assignKey: true, idempotencyKey: 'assign-lathe' },
      steward,
    );
    const retried = await propose(
      t,
      { domain: 'work-center', data: { name: 'Lathe' }, assignKey: true, idempotencyKey: 'assign-lathe' },
      steward,
    );
    const codeOf = async (id: string) =>
      (await t.gql('query($id: ID!) { workCenter(id: $id) { ... on WorkCenter { code } } }', { id })).data
        .workCenter.code;
    expect(await codeOf(first.recordId)).toBe('WC-AUTO-0008');
    expect(await codeOf(second.recordId)).toBe('WC-AUTO-0009');
    expect(retried.recordId).toBe(second.recordId);
    const seq = await t.gql('{ keySequences { domain nextValue } }');
    expect(seq.data.keySequences).toContainEqual({ domain: 'work-center', nextValue: 10 });

    // a key and a request for one, a lot (two key fields), an update: refused, nothing assigned
    expect(
      await propose(
        t,
        { domain: 'work-center', data: { code: 'X', name: 'Both' }, assignKey: true },
        steward,
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', path: ['data', 'code'] });
    expect(
      await propose(t, { domain: 'lot', data: { item: 'X', number: '1' }, assignKey: true }, steward),
    ).toMatchObject({ code: 'BAD_USER_INPUT', path: ['assignKey'] });
    expect(
      await propose(
        t,
        { domain: 'work-center', recordId: first.recordId, patch: { name: 'x' }, assignKey: true },
        steward,
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', path: ['assignKey'] });
    expect((await t.gql('{ keySequences { domain nextValue } }')).data.keySequences).toContainEqual({
      domain: 'work-center',
      nextValue: 10,
    });
    // other domains start at <DOMAIN>-000001
    const item = await propose(
      t,
      {
        domain: 'item',
        data: { name: 'No code', type: 'goods', uom: 'C62', tracking: 'none' },
        assignKey: true,
      },
      steward,
    );
    expect(
      (await t.gql('query($id: ID!) { item(id: $id) { ... on Item { code } } }', { id: item.recordId })).data
        .item.code,
    ).toMatch(/^ITEM-\d{6}$/);
  });
});
