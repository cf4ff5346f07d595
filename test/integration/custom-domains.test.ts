/**
 * A custom domain declares its business key and its references in its contract (x-canon-key,
 * x-canon-references); Canon enforces them like the built-in domains'. A bill of materials end to
 * end, and which major new proposals are validated against once a second major is published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  itemData,
  mutate,
  propose,
  publishVersion,
  registerVersion,
  setApprovalPolicy,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let steward: string;

const bomSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['product', 'variant', 'lines'],
  'x-canon-key': ['/product', '/variant'],
  'x-canon-references': [
    { path: '/product', domain: 'item' },
    { path: '/lines/*/item', domain: 'item' },
    { path: '/lines/*/uom', domain: 'uom' },
  ],
  properties: {
    product: { type: 'string', description: 'Item code of the product made.' },
    variant: { type: 'string', description: 'BOM variant, e.g. "A".' },
    quantity: { type: 'string', description: 'Quantity the BOM makes.' },
    lines: {
      type: 'array',
      description: 'Components.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['item', 'quantity', 'uom'],
        properties: {
          item: { type: 'string', description: 'Component item code.' },
          quantity: { type: 'string', description: 'Quantity per BOM.' },
          uom: { type: 'string', description: 'Unit of the quantity.' },
        },
      },
    },
  },
};

beforeAll(async () => {
  t = await startTestApp();
  [steward] = await stewardPair(t);
  await setApprovalPolicy(t, 'item', 0);
  expect(
    await registerVersion(t, { contract: 'plm-bom', version: '1.0.0', schema: bomSchema }),
  ).toMatchObject({
    status: 'DRAFT',
  });
  await publishVersion(t, 'plm-bom', '1.0.0');
  await setApprovalPolicy(t, 'plm-bom', 0);
});
afterAll(async () => {
  await t?.close();
});

describe('custom domains', () => {
  it('refuses malformed x-canon keywords when the version is registered', async () => {
    const bad = await registerVersion(t, {
      contract: 'bad-keys',
      version: '1.0.0',
      schema: {
        type: 'object',
        required: ['a'],
        properties: { a: { type: 'string' }, b: { type: 'string' } },
        'x-canon-key': ['/b'],
        'x-canon-references': [{ path: '/nowhere', domain: 'item' }, { domain: 'item' }],
      },
    });
    expect(bad).toMatchObject({ code: 'INVALID_SCHEMA' });
    expect(bad.details.map((d: any) => d.path).sort()).toEqual([
      '/x-canon-key/0',
      '/x-canon-references/0/path',
      '/x-canon-references/1',
    ]);
  });

  it('keys a bom by product and variant, and enforces its references to items and units', async () => {
    const product = uniqueCode('DESK').toUpperCase();
    const leg = uniqueCode('LEG').toUpperCase();
    for (const code of [product, leg]) await propose(t, { domain: 'item', data: itemData(code) }, steward);
    const data = (variant: string, component = leg) => ({
      product,
      variant,
      quantity: '1',
      lines: [
        { item: component, quantity: '4', uom: 'C62' },
        { item: component, quantity: '0.5', uom: 'KGM' },
      ],
    });
    const a = await propose(t, { domain: 'plm-bom', data: data('A') }, steward);
    expect(a.status).toBe('APPLIED');
    const b = await propose(t, { domain: 'plm-bom', data: data('B') }, steward);
    expect(b.status).toBe('APPLIED'); // a second record is not a duplicate of the first
    expect(await propose(t, { domain: 'plm-bom', data: data('A') }, steward)).toMatchObject({
      code: 'DUPLICATE_KEY',
    });
    const unknown = await propose(t, { domain: 'plm-bom', data: data('C', 'NO-SUCH-ITEM') }, steward);
    expect(unknown).toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
    expect(unknown.findings.map((f: any) => f.path)).toEqual(['/lines/0/item', '/lines/1/item']);

    const r = await t.gql(
      'query($k: String!) { records(domain: "plm-bom", filter: { keyPrefix: $k }) { edges { node { key } } } }',
      { k: product },
    );
    expect(r.data.records.edges.map((e: any) => e.node.key)).toEqual([`${product}/A`, `${product}/B`]);

    // a referenced item cannot be retired; renaming it moves the bom lines and the bom key
    const legId = (await t.gql('query($c: String!) { item(code: $c) { ... on Item { id } } }', { c: leg }))
      .data.item.id;
    expect(await propose(t, { domain: 'item', recordId: legId, operation: 'RETIRE' }, steward)).toMatchObject(
      {
        code: 'REFERENCED_BY_LIVE_RECORDS',
      },
    );
    const productId = (
      await t.gql('query($c: String!) { item(code: $c) { ... on Item { id } } }', { c: product })
    ).data.item.id;
    expect(
      (await propose(t, { domain: 'item', recordId: productId, patch: { code: `${product}-2` } }, steward))
        .status,
    ).toBe('APPLIED');
    const bom = await t.gql('query($id: ID!) { record(id: $id) { key data } }', { id: a.recordId });
    expect(bom.data.record).toMatchObject({ key: `${product}-2/A`, data: { product: `${product}-2` } });
  });

  it('a record of a domain without a declared key and without a code is refused, not keyed ""', async () => {
    await registerVersion(t, {
      contract: 'note',
      version: '1.0.0',
      schema: { type: 'object', properties: { text: { type: 'string', description: 'Text.' } } },
    });
    await publishVersion(t, 'note', '1.0.0');
    await setApprovalPolicy(t, 'note', 0);
    const r = await propose(t, { domain: 'note', data: { text: 'hello' } }, steward);
    expect(r).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED' });
    expect(r.message).toContain('x-canon-key');
  });
});

describe('major versions and proposals', () => {
  it('stays on the old major after a new one is published, until it is moved', async () => {
    const schema = (required: string[]) => ({
      type: 'object',
      required,
      'x-canon-key': ['/code'],
      properties: {
        code: { type: 'string', description: 'Key.' },
        colour: { type: 'string', description: 'Colour.' },
      },
    });
    await registerVersion(t, { contract: 'finish', version: '1.0.0', schema: schema(['code']) });
    await publishVersion(t, 'finish', '1.0.0');
    await setApprovalPolicy(t, 'finish', 0);
    await registerVersion(t, { contract: 'finish', version: '2.0.0', schema: schema(['code', 'colour']) });
    await publishVersion(t, 'finish', '2.0.0', { allowBreaking: true });

    const stay = await propose(t, { domain: 'finish', data: { code: 'MATT' } }, steward);
    expect(stay.status).toBe('APPLIED');
    const read = async () =>
      (await t.gql('{ contract(name: "finish") { majorPolicy proposalMajor lockVersion } }')).data.contract;
    expect(await read()).toMatchObject({ majorPolicy: 'STAY', proposalMajor: 1 });
    // a proposal may ask for the new major explicitly
    expect(
      await propose(t, { domain: 'finish', data: { code: 'GLOSS' }, contractMajor: 2 }, steward),
    ).toMatchObject({
      code: 'CONTRACT_VALIDATION_FAILED',
    });

    const moved = await mutate(t, 'updateContract', { name: 'finish', proposalMajor: 2 }, 'proposalMajor', {
      field: 'contract',
    });
    expect(moved).toEqual({ proposalMajor: 2 });
    expect(await propose(t, { domain: 'finish', data: { code: 'SATIN' } }, steward)).toMatchObject({
      code: 'CONTRACT_VALIDATION_FAILED',
    });
    const bad = await mutate(t, 'updateContract', { name: 'finish', proposalMajor: 7 }, 'proposalMajor', {
      field: 'contract',
    });
    expect(bad).toMatchObject({ code: 'INVALID_STATE', path: ['proposalMajor'] });

    await mutate(
      t,
      'updateContract',
      { name: 'finish', majorPolicy: 'FOLLOW_LATEST', proposalMajor: null },
      'majorPolicy',
      {
        field: 'contract',
      },
    );
    expect(await read()).toMatchObject({ majorPolicy: 'FOLLOW_LATEST', proposalMajor: 2 });
  });
});
