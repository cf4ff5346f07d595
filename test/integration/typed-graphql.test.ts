/**
 * GraphQL types from the published contracts: a new field of `item` is queryable as soon as its
 * version is published (on this instance and on a second one, without a restart), two majors side by
 * side, and a custom domain with typed queries and a typed proposal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_CONTRACTS_DIR } from '../../src/modules/contracts/contracts-folder.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  approve,
  connectorFor,
  createRecord,
  ERROR_FIELDS,
  itemData,
  publishVersion,
  registerVersion,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';
import { startPrivateCluster } from '../support/private-cluster.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const builtIn = (name: string, version: string) => {
  const { $id: _id, ...doc } = JSON.parse(
    readFileSync(join(BUILT_IN_CONTRACTS_DIR, name, `${version}.schema.json`), 'utf8'),
  ) as Record<string, any>;
  return doc;
};

/** item 1.1.0 with an optional customs tariff code. */
function itemWithHsCode() {
  const doc = builtIn('item', '1.1.0');
  doc.properties = {
    ...doc.properties,
    hsCode: { type: 'string', pattern: '^[0-9]{6,10}$', description: 'Harmonized System code (customs).' },
  };
  return doc;
}

async function publishOn(
  on: TestApp,
  contract: string,
  version: string,
  schema: unknown,
  allowBreaking = false,
) {
  const registered = await registerVersion(on, { contract, version, schema });
  expect(registered.version ?? registered).toBe(version);
  const published = await publishVersion(on, contract, version, { allowBreaking });
  expect(published.status ?? published).toBe('PUBLISHED');
}
const publish = (contract: string, version: string, schema: unknown, allowBreaking = false) =>
  publishOn(t, contract, version, schema, allowBreaking);

describe('types from contracts', () => {
  it('a field a new item version adds is queryable once it is published, with no restart', async () => {
    const before = await t.gql('{ item(code: "X") { ... on Item { hsCode } } }');
    expect(before.errors?.[0]?.message).toMatch(/Cannot query field "hsCode" on type "Item"/);

    await publish('item', '1.2.0', itemWithHsCode());
    const code = uniqueCode('HS');
    await createRecord(
      t,
      'item',
      itemData(code, { hsCode: '72085100', weight: { quantity: '2.5', uom: 'KGM' } }),
    );
    const r = await t.gql(
      `query($c: String!) { item(code: $c) { ... on Item { code hsCode contractVersion
        weight { quantity uom { code } } } } }`,
      { c: code },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.item).toEqual({
      code,
      hsCode: '72085100',
      contractVersion: 'item@1.2.0',
      weight: { quantity: '2.5', uom: { code: 'KGM' } },
    });
    // the compiled lane (second sighting on) answers the new field too
    for (let i = 0; i < 3; i++) {
      const again = await t.gql(`query($c: String!) { item(code: $c) { ... on Item { hsCode } } }`, {
        c: code,
      });
      expect(again.data.item.hsCode).toBe('72085100');
    }
  });

  it('a second replica picks the new types up through the change notification', async () => {
    // two instances on one PostgreSQL database; on the PGlite pass a cluster of the test's own (the
    // embedded database belongs to one process)
    const cluster = t.db.kind === 'pglite' ? await startPrivateCluster() : null;
    const database = cluster?.database ?? t.db;
    const shared = { ...database, drop: async () => {} };
    const a = cluster ? await startTestApp({}, { database: shared }) : t;
    const b = await startTestApp({ bootstrapAdminToken: a.adminToken }, { database: shared });
    try {
      const probe = '{ uom(code: "KGM") { ... on Uom { ratioNote } } }';
      expect((await b.gql(probe, {}, a.adminToken)).errors?.[0]?.message).toMatch(
        /Cannot query field "ratioNote"/,
      );
      const doc = builtIn('uom', '1.0.0');
      doc.properties = { ...doc.properties, ratioNote: { type: 'string', description: 'Why this ratio.' } };
      await publishOn(a, 'uom', '1.1.0', doc);
      const deadline = Date.now() + 15_000;
      let answer = await b.gql(probe, {}, a.adminToken);
      while (answer.errors && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        answer = await b.gql(probe, {}, a.adminToken);
      }
      expect(answer.errors).toBeUndefined();
      expect(answer.data.uom).toEqual({ ratioNote: null });
    } finally {
      if (cluster) await Promise.all([a.close(), b.close()]);
      else await b.close();
      await cluster?.remove();
    }
  }, 180_000);
});

describe('majors side by side', () => {
  it('after item 2.0.0, `item` answers the 2.0 types and `itemV1` the 1.x ones', async () => {
    const code = uniqueCode('MJ');
    await createRecord(t, 'item', itemData(code, { barcode: '4006381333931' }));
    // 2.0.0: the barcode becomes a list of GTINs, a breaking change
    const doc = itemWithHsCode();
    const { barcode: _b, ...rest } = doc.properties;
    doc.properties = {
      ...rest,
      barcodes: { type: 'array', items: { type: 'string' }, description: 'GTINs.' },
    };
    await publish('item', '2.0.0', doc, true);

    const v1 = await t.gql(
      `query($c: String!) { itemV1(code: $c) { __typename ... on ItemV1 { code barcode type tracking contractVersion uom { code } } } }`,
      { c: code },
    );
    expect(v1.errors).toBeUndefined();
    expect(v1.data.itemV1).toEqual({
      __typename: 'ItemV1',
      code,
      barcode: '4006381333931',
      type: 'GOODS',
      tracking: 'NONE',
      contractVersion: expect.stringMatching(/^item@1\./),
      uom: { code: 'KGM' },
    });
    const newest = await t.gql(`query($c: String!) { item(code: $c) { ... on Item { code barcodes } } }`, {
      c: code,
    });
    expect(newest.errors).toBeUndefined();
    expect(newest.data.item).toEqual({ code, barcodes: null });
    const list = await t.gql(
      `query($p: String!) { itemsV1(first: 5, filter: { keyPrefix: $p }) { totalCount edges { node { code barcode } } } }`,
      { p: code },
    );
    expect(list.data.itemsV1).toEqual({
      totalCount: 1,
      edges: [{ node: { code, barcode: '4006381333931' } }],
    });
    // the hand-written parts stay: history, usedBy, viewerCan… on the generated type too
    const computed = await t.gql(
      `query($c: String!) { itemV1(code: $c) { ... on ItemV1 { history { edges { node { revision } } } viewerCanPropose } } }`,
      { c: code },
    );
    expect(computed.data.itemV1).toEqual({
      history: { edges: [{ node: { revision: 1 } }] },
      viewerCanPropose: true,
    });
  });
});

const SUPPLIER = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Supplier',
  description: 'A vendor (Odoo: res.partner with supplier_rank > 0).',
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name'],
  'x-canon-key': ['/code'],
  'x-canon-references': [{ path: '/preferredItems/*', domain: 'item' }],
  properties: {
    code: { type: 'string', minLength: 1 },
    name: { type: 'string', minLength: 1, description: 'Display name.' },
    rating: { type: 'string', enum: ['approved', 'on-probation', 'blocked'] },
    leadTimeDays: { type: 'integer', minimum: 0 },
    minimumOrder: { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$' },
    address: {
      type: 'object',
      properties: { street: { type: 'string' }, country: { type: 'string', pattern: '^[A-Z]{2}$' } },
    },
    preferredItems: { type: 'array', items: { type: 'string' } },
    'odoo-partner-id': { type: 'integer' },
  },
};

describe('a custom domain', () => {
  it('gets typed queries, a typed proposal and its record type everywhere records appear', async () => {
    await publish('supplier', '1.0.0', SUPPLIER);
    const item = uniqueCode('SUPI');
    await createRecord(t, 'item', itemData(item));
    const code = uniqueCode('SUP');
    const [proposer, approver] = await stewardPair(t);
    const proposed = await t.gql(
      `mutation($input: ProposeSupplierChangeInput!) { proposeSupplierChange(input: $input) {
        __typename ... on ProposeSupplierChangePayload { changeRequest { id status } } ${ERROR_FIELDS} } }`,
      {
        input: {
          data: {
            code,
            name: 'Acme Steel',
            rating: 'ON_PROBATION',
            leadTimeDays: 12,
            minimumOrder: '250.50',
            address: { street: '1 Mill Road', country: 'DE' },
            preferredItems: [item],
            odooPartnerId: 42,
          },
        },
      },
      proposer,
    );
    expect(proposed.errors).toBeUndefined();
    const cr = proposed.data.proposeSupplierChange.changeRequest;
    if (cr.status === 'PENDING') await approve(t, cr.id, approver);

    const r = await t.gql(
      `query($c: String!) { supplier(code: $c) { __typename ... on Supplier { id code: key name rating leadTimeDays
        minimumOrder address { country } preferredItems { code } odooPartnerId } } }`,
      { c: code },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.supplier).toMatchObject({
      __typename: 'Supplier',
      code,
      name: 'Acme Steel',
      rating: 'ON_PROBATION',
      leadTimeDays: 12,
      minimumOrder: '250.50',
      address: { country: 'DE' },
      preferredItems: [{ code: item }],
      odooPartnerId: 42,
    });
    const stored = await t.gql(`query($id: ID!) { record(id: $id) { __typename data } }`, {
      id: r.data.supplier.id,
    });
    expect(stored.data.record.__typename).toBe('Supplier');
    expect(stored.data.record.data).toMatchObject({ rating: 'on-probation', 'odoo-partner-id': 42 });
    const list = await t.gql(`{ suppliers(first: 10) { totalCount edges { node { name } } } }`);
    expect(list.data.suppliers.totalCount).toBeGreaterThanOrEqual(1);

    // a typed payload that breaks the contract is a ValidationError with the JSON pointer
    const bad = await t.gql(
      `mutation($input: ProposeSupplierChangeInput!) { proposeSupplierChange(input: $input) {
        __typename ${ERROR_FIELDS} } }`,
      { input: { data: { code: uniqueCode('SUPX'), name: 'X', address: { country: 'Germany' } } } },
      proposer,
    );
    expect(bad.data.proposeSupplierChange).toMatchObject({
      __typename: 'ValidationError',
      code: 'CONTRACT_VALIDATION_FAILED',
    });
    // an enum value the contract does not know is refused by GraphQL itself
    const unknown = await t.gql(
      `mutation { proposeSupplierChange(input: { data: { code: "Z", name: "Z", rating: UNKNOWN } }) { __typename } }`,
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // anonymous callers get nothing
    const anonymous = await t.gql(`{ suppliers(first: 1) { totalCount } }`, {}, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('a rebuild under load', () => {
  it('answers every resolveXrefs while a contract version is published, before and after the swap', async () => {
    const { token } = await connectorFor(t, { domain: 'item' });
    const query = `query($ids: [String!]!) { resolveXrefs(system: "${(await t.gql('{ me { systemCode } }', {}, token)).data.me.systemCode}", domain: "item", externalIds: $ids) {
      ... on ResolveXrefsPayload { resolutions { externalId recordId } } ... on Error { code } } }`;
    const buildsBefore = t.app.liveSchema.builds;
    let stop = false;
    const failures: unknown[] = [];
    let answered = 0;
    const worker = async () => {
      while (!stop) {
        const r = await t.gql(query, { ids: ['1', '2', '3'] }, token);
        if (r.errors || !r.data?.resolveXrefs?.resolutions) failures.push(r.errors ?? r.data);
        answered++;
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await new Promise((r) => setTimeout(r, 300));
    await publish('load-probe', '1.0.0', { type: 'object', properties: { code: { type: 'string' } } });
    const afterPublish = answered;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(t.app.liveSchema.builds).toBeGreaterThan(buildsBefore);
    expect(answered).toBeGreaterThan(afterPublish);
    // and the new domain is there
    expect((await t.gql('{ loadProbes(first: 1) { totalCount } }')).data.loadProbes.totalCount).toBe(0);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(Number(/^canon_graphql_schema_builds_total (\d+)/m.exec(metrics)?.[1])).toBe(
      t.app.liveSchema.builds,
    );
    expect(metrics).toMatch(/^canon_graphql_schema_failed_domains 0$/m);
  });
});

describe('global ids', () => {
  it('node(nodeId) answers a record of a generated type with that type', async () => {
    const code = uniqueCode('NODE');
    await publish('gadget', '1.0.0', {
      type: 'object',
      required: ['code'],
      properties: { code: { type: 'string' }, size: { type: 'integer' } },
    });
    const created = await createRecord(t, 'gadget', { code, size: 3 });
    const found = await t.gql(`query($c: String!) { gadget(code: $c) { ... on Gadget { nodeId } } }`, {
      c: code,
    });
    const node = await t.gql(`query($n: ID!) { node(id: $n) { __typename ... on Gadget { size key } } }`, {
      n: found.data.gadget.nodeId,
    });
    expect(node.errors).toBeUndefined();
    expect(node.data.node).toEqual({ __typename: 'Gadget', size: 3, key: code });
    // other nodes of the domain (its change requests) keep their own type
    const cr = await t.gql(`query($id: ID!) { changeRequest(id: $id) { nodeId } }`, {
      id: created.id,
    });
    const crNode = await t.gql(`query($n: ID!) { node(id: $n) { __typename } }`, {
      n: cr.data.changeRequest.nodeId,
    });
    expect(crNode.data.node).toEqual({ __typename: 'ChangeRequest' });
  });
});
