import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let odoo: string;
let wms: string;
let viewer: string;
const items: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  for (const [code, kind] of [
    ['odoo-main', 'ERP'],
    ['wms-eu', 'WMS'],
    ['plm', 'PLM'],
  ]) {
    await t.gql(
      'mutation($i: RegisterSystemInput!) { registerSystem(input: $i) { ... on System { name } } }',
      { i: { code, name: code, kind } },
    );
  }
  odoo = await t.tokenFor('connector', { systemCode: 'odoo-main' });
  wms = await t.tokenFor('connector', { systemCode: 'wms-eu' });
  viewer = await t.tokenFor('viewer');
  await t.gql(
    'mutation { setApprovalPolicy(domain: "item", requiredApprovals: 0) { ... on ApprovalPolicy { domain } } }',
  );
  for (const code of ['X-1', 'X-2', 'X-3']) {
    const r = await t.gql(
      'mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { ... on ChangeRequest { recordId status } ... on Error { code message } } }',
      { i: { domain: 'item', data: { code, name: code, type: 'goods', uom: 'KGM', tracking: 'none' } } },
    );
    items[code] = r.data.proposeChange.recordId;
  }
});
afterAll(async () => {
  await t?.close();
});

const LINK = `mutation($s: String!, $d: String!, $l: [XrefLinkInput!]!) { linkXrefs(system: $s, domain: $d, links: $l) {
  ... on LinkXrefsResult { linked unchanged xrefs { externalId externalKey key recordId } } ... on Error { code message details { path message } } } }`;
const link = (system: string, links: unknown[], token?: string, domain = 'item') =>
  t.gql(LINK, { s: system, d: domain, l: links }, token).then((r) => r.data.linkXrefs);

describe('cross-reference maps', () => {
  it("link a batch idempotently, keeping Odoo's xml id beside its database id", async () => {
    const links = [
      { externalId: '101', externalKey: 'product.product_x1', recordId: items['X-1'] },
      { externalId: '102', externalKey: 'product.product_x2', recordId: items['X-2'] },
    ];
    const first = await link('odoo-main', links, odoo);
    expect(first).toMatchObject({ linked: 2, unchanged: 0 });
    expect(first.xrefs).toContainEqual({
      externalId: '101',
      externalKey: 'product.product_x1',
      key: 'X-1',
      recordId: items['X-1'],
    });
    const again = await link('odoo-main', links, odoo);
    expect(again).toMatchObject({ linked: 0, unchanged: 2 });
    expect((await link('wms-eu', [{ externalId: 'W-9', recordId: items['X-1'] }], wms)).linked).toBe(1);
  });

  it('refuse relinking an id to another record, and change nothing in the batch', async () => {
    const r = await link(
      'odoo-main',
      [
        { externalId: '103', recordId: items['X-3'] },
        { externalId: '101', recordId: items['X-2'] },
      ],
      odoo,
    );
    expect(r).toMatchObject({ code: 'DUPLICATE_KEY' });
    expect(r.details).toEqual([{ path: '101', message: `linked to ${items['X-1']}` }]);
    const resolved = await t.gql(
      '{ resolveXrefs(system: "odoo-main", domain: "item", externalIds: ["103"]) { recordId } }',
      {},
      odoo,
    );
    expect(resolved.data.resolveXrefs).toEqual([{ recordId: null }]);
    expect(
      (
        await link(
          'odoo-main',
          [{ externalId: '104', recordId: '01900000-0000-7000-8000-000000000000' }],
          odoo,
        )
      ).code,
    ).toBe('REFERENCE_NOT_FOUND');
  });

  it("let connectors manage only their own system's ids", async () => {
    expect((await link('odoo-main', [{ externalId: '105', recordId: items['X-3'] }], wms)).code).toBe(
      'FORBIDDEN',
    );
    expect((await link('odoo-main', [{ externalId: '105', recordId: items['X-3'] }], viewer)).code).toBe(
      'FORBIDDEN',
    );
    const unlink = await t.gql(
      'mutation { unlinkXref(system: "odoo-main", domain: "item", externalId: "101") { ... on Error { code } } }',
      {},
      wms,
    );
    expect(unlink.data.unlinkXref.code).toBe('FORBIDDEN');
  });

  it('resolve in input order with null for unknown ids, and translate between systems', async () => {
    const r = await t.gql(
      '{ resolveXrefs(system: "odoo-main", domain: "item", externalIds: ["102", "nope", "101", "102"]) { externalId recordId key } }',
      {},
      viewer,
    );
    expect(r.data.resolveXrefs).toEqual([
      { externalId: '102', recordId: items['X-2'], key: 'X-2' },
      { externalId: 'nope', recordId: null, key: null },
      { externalId: '101', recordId: items['X-1'], key: 'X-1' },
      { externalId: '102', recordId: items['X-2'], key: 'X-2' },
    ]);
    const tr = await t.gql(
      '{ translateXrefs(domain: "item", fromSystem: "odoo-main", toSystem: "wms-eu", externalIds: ["101", "102"]) { externalId targetId } }',
      {},
      wms,
    );
    expect(tr.data.translateXrefs).toEqual([
      { externalId: '101', targetId: 'W-9' },
      { externalId: '102', targetId: null },
    ]);
    const rec = await t.gql('{ item(code: "X-1") { xrefs { system externalId externalKey } } }', {}, viewer);
    expect(rec.data.item.xrefs).toEqual([
      { system: 'odoo-main', externalId: '101', externalKey: 'product.product_x1' },
      { system: 'wms-eu', externalId: 'W-9', externalKey: null },
    ]);
  });

  it('answer more than 1000 ids with a clear error, in one statement otherwise', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `id-${i}`);
    const r = await t.gql(
      'query($ids: [String!]!) { resolveXrefs(system: "odoo-main", domain: "item", externalIds: $ids) { recordId } }',
      { ids },
      odoo,
    );
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(r.errors?.[0].message).toContain('1000');
    const thousand = ids.slice(0, 1000);
    const queries = await t.countQueries(() =>
      t.gql(
        'query($ids: [String!]!) { resolveXrefs(system: "odoo-main", domain: "item", externalIds: $ids) { recordId } }',
        { ids: thousand },
        odoo,
      ),
    );
    expect(queries).toBeLessThanOrEqual(3); // the resolve itself (identifying the caller is not counted)
  });

  it('unlink, after which the id can be linked again', async () => {
    const un = await t.gql(
      'mutation { unlinkXref(system: "odoo-main", domain: "item", externalId: "102") { ... on Xref { state recordId } ... on Error { code } } }',
      {},
      odoo,
    );
    expect(un.data.unlinkXref).toEqual({ state: 'RETIRED', recordId: items['X-2'] });
    expect((await link('odoo-main', [{ externalId: '102', recordId: items['X-3'] }], odoo)).linked).toBe(1);
    const again = await t.gql(
      'mutation { unlinkXref(system: "odoo-main", domain: "item", externalId: "nope") { ... on Error { code } } }',
      {},
      odoo,
    );
    expect(again.data.unlinkXref.code).toBe('NOT_FOUND');
  });

  it("page through a system's map", async () => {
    const p1 = await t.gql(
      '{ xrefMap(system: "odoo-main", domain: "item", first: 1) { nodes { externalId } endCursor hasNextPage } }',
      {},
      viewer,
    );
    expect(p1.data.xrefMap).toMatchObject({ nodes: [{ externalId: '101' }], hasNextPage: true });
    const p2 = await t.gql(
      'query($a: String) { xrefMap(system: "odoo-main", domain: "item", first: 10, after: $a) { nodes { externalId } hasNextPage } }',
      { a: p1.data.xrefMap.endCursor },
      viewer,
    );
    expect(p2.data.xrefMap).toEqual({ nodes: [{ externalId: '102' }], hasNextPage: false });
  });

  it('link a batch in a fixed number of statements, new xml ids and repeats included', async () => {
    const ids = ['X-1', 'X-2', 'X-3'];
    const batch = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        externalId: `${prefix}-${i}`,
        externalKey: `mod.${prefix}_${i}`,
        recordId: items[ids[i % 3]],
      }));
    const small = await t.countQueries(() => link('plm', batch('S', 2)));
    const large = await t.countQueries(() => link('plm', batch('L', 40)));
    expect(large).toBe(small);
    // a new xml id for a live link, one left as it is (null: not given), an unchanged one, and an id
    // given twice in the batch with two xml ids (the last one wins)
    const mixed = await link('plm', [
      { externalId: 'L-0', externalKey: 'mod.renamed', recordId: items['X-1'] },
      { externalId: 'L-1', externalKey: null, recordId: items['X-2'] },
      { externalId: 'L-2', externalKey: 'mod.L_2', recordId: items['X-3'] },
      { externalId: 'M-1', externalKey: 'mod.first', recordId: items['X-1'] },
      { externalId: 'M-1', externalKey: 'mod.second', recordId: items['X-1'] },
    ]);
    expect(mixed).toMatchObject({ linked: 3, unchanged: 2 });
    const keys = Object.fromEntries(
      mixed.xrefs.map((x: { externalId: string; externalKey: string | null }) => [
        x.externalId,
        x.externalKey,
      ]),
    );
    expect(keys).toEqual({ 'L-0': 'mod.renamed', 'L-1': 'mod.L_1', 'L-2': 'mod.L_2', 'M-1': 'mod.second' });
  });
});
