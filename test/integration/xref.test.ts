import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativePool } from '../../src/db/prepared.ts';
import { RESOLVE as RESOLVE_STATEMENT } from '../../src/modules/xref/xref-statements.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  createRecord,
  itemData,
  mutate,
  nodes,
  registerSystem,
  setApprovalPolicy,
} from '../support/factories.ts';

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
    await registerSystem(t, { code, name: code, kind });
  }
  odoo = await t.tokenFor('connector', { systemCode: 'odoo-main' });
  wms = await t.tokenFor('connector', { systemCode: 'wms-eu' });
  viewer = await t.tokenFor('viewer');
  await setApprovalPolicy(t, 'item', 0);
  for (const code of ['X-1', 'X-2', 'X-3']) {
    items[code] = (await createRecord(t, 'item', itemData(code, { name: code }))).recordId;
  }
  // the links the tests below read: Odoo's 101 and 102 (with xml ids), the WMS's W-9
  await mutate(
    t,
    'linkXrefs',
    {
      system: 'odoo-main',
      domain: 'item',
      links: [
        { externalId: '101', externalKey: 'product.product_x1', recordId: items['X-1'] },
        { externalId: '102', externalKey: 'product.product_x2', recordId: items['X-2'] },
      ],
    },
    'linked',
  );
  await mutate(
    t,
    'linkXrefs',
    { system: 'wms-eu', domain: 'item', links: [{ externalId: 'W-9', recordId: items['X-1'] }] },
    'linked',
  );
});
afterAll(async () => {
  await t?.close();
});

const link = (system: string, links: unknown[], token?: string, domain = 'item', idempotencyKey?: string) =>
  mutate(
    t,
    'linkXrefs',
    { system, domain, links, idempotencyKey },
    'linked unchanged xrefs { externalId externalKey key recordId }',
    { token },
  );
const RESOLVE = `query($ids: [String!]!) { resolveXrefs(system: "odoo-main", domain: "item", externalIds: $ids) {
  ... on ResolveXrefsPayload { resolutions { recordId } } ... on Error { code message path } } }`;

const countOutbox = async () =>
  Number(
    (
      await t.app.orm.em
        .getConnection()
        .execute<{ n: string }[]>('select count(*)::text as n from outbox_event')
    )[0].n,
  );

describe('cross-reference maps', () => {
  it("link a batch idempotently, keeping Odoo's xml id beside its database id", async () => {
    const links = [
      { externalId: '201', externalKey: 'product.product_y1', recordId: items['X-3'] },
      { externalId: '202', externalKey: 'product.product_y2', recordId: items['X-2'] },
    ];
    const first = await link('odoo-main', links, odoo);
    expect(first).toMatchObject({ linked: 2, unchanged: 0 });
    expect(first.xrefs).toContainEqual({
      externalId: '201',
      externalKey: 'product.product_y1',
      key: 'X-3',
      recordId: items['X-3'],
    });
    const again = await link('odoo-main', links, odoo);
    expect(again).toMatchObject({ linked: 0, unchanged: 2 });
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
    expect(r.details).toEqual([{ path: '101', keyword: null, message: `linked to ${items['X-1']}` }]);
    const resolved = await t.gql(
      '{ resolveXrefs(system: "odoo-main", domain: "item", externalIds: ["103"]) { ... on ResolveXrefsPayload { resolutions { recordId } } } }',
      {},
      odoo,
    );
    expect(resolved.data.resolveXrefs.resolutions).toEqual([{ recordId: null }]);
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
      'mutation { unlinkXref(input: { system: "odoo-main", domain: "item", externalId: "101" }) { ... on Error { code } } }',
      {},
      wms,
    );
    expect(unlink.data.unlinkXref.code).toBe('FORBIDDEN');
  });

  it('resolve in input order with null for unknown ids, and translate between systems', async () => {
    const r = await t.gql(
      '{ resolveXrefs(system: "odoo-main", domain: "item", externalIds: ["102", "nope", "101", "102"]) { ... on ResolveXrefsPayload { resolutions { externalId recordId key } } } }',
      {},
      viewer,
    );
    expect(r.data.resolveXrefs.resolutions).toEqual([
      { externalId: '102', recordId: items['X-2'], key: 'X-2' },
      { externalId: 'nope', recordId: null, key: null },
      { externalId: '101', recordId: items['X-1'], key: 'X-1' },
      { externalId: '102', recordId: items['X-2'], key: 'X-2' },
    ]);
    const tr = await t.gql(
      '{ translateXrefs(domain: "item", fromSystem: "odoo-main", toSystem: "wms-eu", externalIds: ["101", "102"]) { ... on TranslateXrefsPayload { translations { externalId targetId } } } }',
      {},
      wms,
    );
    expect(tr.data.translateXrefs.translations).toEqual([
      { externalId: '101', targetId: 'W-9' },
      { externalId: '102', targetId: null },
    ]);
    const rec = await t.gql(
      '{ item(code: "X-1") { ... on Item { xrefs { system: systemCode externalId externalKey record { key } } } } }',
      {},
      viewer,
    );
    expect(rec.data.item.xrefs).toEqual([
      { system: 'odoo-main', externalId: '101', externalKey: 'product.product_x1', record: { key: 'X-1' } },
      { system: 'wms-eu', externalId: 'W-9', externalKey: null, record: { key: 'X-1' } },
    ]);
  });

  it('answer more than 1000 ids with a clear error, in one statement otherwise', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `id-${i}`);
    const r = await t.gql(RESOLVE, { ids }, odoo);
    expect(r.errors).toBeUndefined();
    expect(r.data.resolveXrefs).toMatchObject({ code: 'BAD_USER_INPUT', path: ['externalIds'] });
    expect(r.data.resolveXrefs.message).toContain('1000');
    const thousand = ids.slice(0, 1000);
    const queries = await t.countQueries(() => t.gql(RESOLVE, { ids: thousand }, odoo));
    expect(queries).toBeLessThanOrEqual(3); // the resolve itself (identifying the caller is not counted)
  });

  it('take the prepared-statement fast path on a PostgreSQL server', async () => {
    const found = await nativePool(t.app.orm);
    if (t.db.kind !== 'postgresql') {
      expect(found).toBeNull(); // PGlite: one in-process connection, statements go through the ORM
      return;
    }
    expect(found).not.toBeNull();
    const pool = found!;
    const query = pool.query.bind(pool);
    const names: string[] = [];
    pool.query = ((config: unknown, ...rest: unknown[]) => {
      if (typeof config === 'object' && config && 'name' in config) names.push(String(config.name));
      return (query as (...a: unknown[]) => unknown)(config, ...rest);
    }) as typeof pool.query;
    try {
      const r = await t.gql(RESOLVE, { ids: ['101'] }, odoo);
      expect(r.data.resolveXrefs.resolutions).toEqual([{ recordId: items['X-1'] }]);
    } finally {
      pool.query = query;
    }
    expect(names).toEqual([RESOLVE_STATEMENT.name]);
  });

  it('unlink idempotently, after which the id can be linked again', async () => {
    const unlink = (externalId: string) =>
      mutate(
        t,
        'unlinkXref',
        { system: 'odoo-main', domain: 'item', externalId },
        'xref { state recordId }',
        {
          token: odoo,
        },
      );
    expect((await link('odoo-main', [{ externalId: 'U-1', recordId: items['X-2'] }], odoo)).linked).toBe(1);
    const un = await unlink('U-1');
    expect(un.xref).toEqual({ state: 'RETIRED', recordId: items['X-2'] });
    const outbox = await countOutbox();
    // unlinking an unlinked id answers the retired link, and writes nothing
    expect((await unlink('U-1')).xref).toEqual({ state: 'RETIRED', recordId: items['X-2'] });
    expect(await countOutbox()).toBe(outbox);
    expect((await link('odoo-main', [{ externalId: 'U-1', recordId: items['X-3'] }], odoo)).linked).toBe(1);
    expect(await unlink('never-linked')).toMatchObject({ code: 'NOT_FOUND', path: ['externalId'] });
  });

  it('answer a retried batch with the first answer, and a reused key with other links with an error', async () => {
    const key = `link-${Date.now()}`;
    const links = [{ externalId: 'IDEM-1', recordId: items['X-1'] }];
    expect(await link('wms-eu', links, wms, 'item', key)).toMatchObject({ linked: 1 });
    const outbox = await countOutbox();
    const again = await link('wms-eu', links, wms, 'item', key);
    expect(again).toMatchObject({ linked: 0, unchanged: 1, xrefs: [{ externalId: 'IDEM-1' }] });
    expect(await countOutbox()).toBe(outbox);
    const other = await link('wms-eu', [{ externalId: 'IDEM-2', recordId: items['X-1'] }], wms, 'item', key);
    expect(other).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it("page through a system's map", async () => {
    const page = (first: number, after?: string) =>
      t.gql(
        'query($f: Int, $a: String) { xrefMap(system: "odoo-main", domain: "item", first: $f, after: $a) { edges { cursor node { externalId } } pageInfo { endCursor hasNextPage } } }',
        { f: first, a: after },
        viewer,
      );
    // one page of everything, then the same map two rows at a time: the same rows, none twice
    const whole = nodes((await page(1000)).data.xrefMap).map((n: any) => n.externalId);
    expect(whole).toEqual(expect.arrayContaining(['101', '102']));
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const p: any = await page(2, after);
      paged.push(...nodes(p.data.xrefMap).map((n: any) => n.externalId));
      if (!p.data.xrefMap.pageInfo.hasNextPage) break;
      after = p.data.xrefMap.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole);
    // a cursor of another list is refused, not misread
    const foreign = await page(1, Buffer.from('record:["a","b","c"]').toString('base64url'));
    expect(foreign.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
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

describe('typos in a system or a domain', () => {
  const NOT_FOUND = '... on Error { code path message }';

  it('resolveXrefs and translateXrefs answer NOT_FOUND with the argument at fault, never an empty answer', async () => {
    const r = await t.gql(
      `{
        system: resolveXrefs(system: "odoo-mian", domain: "item", externalIds: ["101"]) { ${NOT_FOUND} }
        domain: resolveXrefs(system: "odoo-main", domain: "items", externalIds: ["101"]) { ${NOT_FOUND} }
        none: resolveXrefs(system: "odoo-mian", domain: "item", externalIds: []) { ${NOT_FOUND} }
        from: translateXrefs(domain: "item", fromSystem: "odoo", toSystem: "plm", externalIds: ["101"]) { ${NOT_FOUND} }
        to: translateXrefs(domain: "item", fromSystem: "odoo-main", toSystem: "plm2", externalIds: ["101"]) { ${NOT_FOUND} }
        known: resolveXrefs(system: "plm", domain: "item", externalIds: ["P-1"]) {
          ... on ResolveXrefsPayload { resolutions { externalId recordId } }
        }
      }`,
      {},
      odoo,
    );
    expect(r.errors).toBeUndefined();
    expect(
      [r.data.system, r.data.domain, r.data.none, r.data.from, r.data.to].map((e) => [e.code, e.path]),
    ).toEqual([
      ['NOT_FOUND', ['system']],
      ['NOT_FOUND', ['domain']],
      ['NOT_FOUND', ['system']],
      ['NOT_FOUND', ['fromSystem']],
      ['NOT_FOUND', ['toSystem']],
    ]);
    expect(r.data.system.message).toContain('odoo-mian');
    // a registered system without links is not a typo: its ids are simply unknown
    expect(r.data.known.resolutions).toEqual([{ externalId: 'P-1', recordId: null }]);
  });

  it('xrefMap and GET /maps/ answer NOT_FOUND (HTTP 404) for an unknown system or domain', async () => {
    const map = await t.gql(
      '{ xrefMap(system: "wms-us", domain: "item") { edges { node { externalId } } } }',
      {},
      odoo,
    );
    expect(map.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const path of ['/maps/wms-us/item', '/maps/odoo-main/itemz']) {
      const res = await fetch(`${t.url}${path}?format=ndjson`, {
        headers: { authorization: `Bearer ${odoo}` },
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
    }
    const known = await fetch(`${t.url}/maps/plm/item?format=ndjson`, {
      headers: { authorization: `Bearer ${odoo}` },
    });
    expect(known.status).toBe(200);
    await known.text();
  });

  it('finds a system registered after a first miss (another instance may have registered it)', async () => {
    const late = `late-${Date.now().toString(36)}`;
    const miss = await t.gql(
      `{ resolveXrefs(system: "${late}", domain: "item", externalIds: ["1"]) { ${NOT_FOUND} } }`,
      {},
      odoo,
    );
    expect(miss.data.resolveXrefs.code).toBe('NOT_FOUND');
    await registerSystem(t, { code: late, name: late, kind: 'OTHER' });
    const hit = await t.gql(
      `{ resolveXrefs(system: "${late}", domain: "item", externalIds: ["1"]) { ... on ResolveXrefsPayload { resolutions { recordId } } } }`,
      {},
      odoo,
    );
    expect(hit.data.resolveXrefs.resolutions).toEqual([{ recordId: null }]);
  });
});

describe('resolving by external key (Odoo xml ids)', () => {
  it('refuses an xml id for a second record, in the batch or beside existing links, and changes nothing', async () => {
    const before = await countOutbox();
    const inBatch = await link(
      'odoo-main',
      [
        { externalId: '401', externalKey: 'product.dup', recordId: items['X-1'] },
        { externalId: '402', externalKey: 'product.dup', recordId: items['X-2'] },
      ],
      odoo,
    );
    expect(inBatch).toMatchObject({ code: 'DUPLICATE_KEY', details: [{ path: 'product.dup' }] });
    // product.product_x1 names X-1 (id 101) already
    const beside = await link(
      'odoo-main',
      [{ externalId: '403', externalKey: 'product.product_x1', recordId: items['X-2'] }],
      odoo,
    );
    expect(beside).toMatchObject({ code: 'DUPLICATE_KEY' });
    expect(await countOutbox()).toBe(before);
  });

  it('answers records by xml id in input order, null for unknown keys, and says when a key is ambiguous', async () => {
    await mutate(
      t,
      'linkXrefs',
      {
        system: 'odoo-main',
        domain: 'item',
        links: [
          { externalId: '303', externalKey: 'product.twice', recordId: items['X-3'] },
          { externalId: '304', externalKey: 'product.twice', recordId: items['X-3'] },
        ],
      },
      'linked',
      { token: odoo },
    );
    // links made before external keys were checked may share one between records: reported, not guessed
    await t.app.orm.em.getConnection().execute(
      `insert into xref (system_code, domain, external_id, external_key, record_id, record_key, state, synced_at, created_at, updated_at)
       values ('odoo-main', 'item', '301', 'product.shared', ?, 'X-1', 'ACTIVE', now(), now(), now()),
              ('odoo-main', 'item', '302', 'product.shared', ?, 'X-2', 'ACTIVE', now(), now(), now())`,
      [items['X-1'], items['X-2']],
    );
    const r = await t.gql(
      `{ resolveExternalKeys(system: "odoo-main", domain: "item", externalKeys: ["product.product_x2", "nope", "product.shared", "product.twice", "product.product_x1"]) {
        ... on ResolveExternalKeysPayload { resolutions { externalKey externalId recordId key ambiguous } }
        ... on Error { code path }
      } }`,
      {},
      odoo,
    );
    expect(r.data.resolveExternalKeys.resolutions).toEqual([
      {
        externalKey: 'product.product_x2',
        externalId: '102',
        recordId: items['X-2'],
        key: 'X-2',
        ambiguous: false,
      },
      { externalKey: 'nope', externalId: null, recordId: null, key: null, ambiguous: false },
      { externalKey: 'product.shared', externalId: null, recordId: null, key: null, ambiguous: true },
      // two ids of one record carrying the key are not ambiguous
      {
        externalKey: 'product.twice',
        externalId: '304',
        recordId: items['X-3'],
        key: 'X-3',
        ambiguous: false,
      },
      {
        externalKey: 'product.product_x1',
        externalId: '101',
        recordId: items['X-1'],
        key: 'X-1',
        ambiguous: false,
      },
    ]);
    const typo = await t.gql(
      '{ resolveExternalKeys(system: "odoo", domain: "item", externalKeys: ["x"]) { ... on Error { code path } } }',
      {},
      odoo,
    );
    expect(typo.data.resolveExternalKeys).toEqual({ code: 'NOT_FOUND', path: ['system'] });
  });
});
