/**
 * What a production instance tells a caller it does not know, and small inputs it used to accept:
 * no schema to anonymous callers, no suggestions, no echo of the request, drafts invisible to those
 * who may not read them, revision numbers and field pointers that mean something.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../src/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  createRecord,
  itemData,
  mutate,
  propose,
  registerSystem,
  registerVersion,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let dev: TestApp;

beforeAll(async () => {
  t = await startTestApp({ environment: 'production' });
  dev = await startTestApp({ environment: 'development' });
});
afterAll(async () => {
  await t?.close();
  await dev?.close();
});

const post = async (app: TestApp, body: string, token: string | null = null) => {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  return { status: res.status, text: await res.text() };
};
const INTROSPECT = JSON.stringify({ query: '{ __schema { queryType { name } } }' });

describe('production hardening', () => {
  it('answers introspection to callers with a token only (configurable; open outside production)', async () => {
    const anonymous = JSON.parse((await post(t, INTROSPECT)).text);
    expect(anonymous.data).toBeUndefined();
    expect(anonymous.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const signedIn = JSON.parse((await post(t, INTROSPECT, t.adminToken)).text);
    expect(signedIn.data.__schema.queryType.name).toBe('Query');
    expect(JSON.parse((await post(dev, INTROSPECT)).text).data.__schema.queryType.name).toBe('Query');
    const open = await startTestApp({ environment: 'production', anonymousIntrospection: true });
    try {
      expect(JSON.parse((await post(open, INTROSPECT)).text).data.__schema.queryType.name).toBe('Query');
    } finally {
      await open.close();
    }
  });

  it('suggests no names and echoes nothing of the request', async () => {
    const typo = await post(
      t,
      JSON.stringify({
        query: 'mutation($r: Role!) { createApiToken(input: { role: $r }) { __typename } }',
        variables: { r: 'ADMN' },
      }),
      t.adminToken,
    );
    expect(typo.text).not.toMatch(/Did you mean|ADMIN/);
    const field = await post(t, JSON.stringify({ query: '{ contrcts { edges { cursor } } }' }), t.adminToken);
    expect(field.text).not.toMatch(/Did you mean/);
    const broken = await post(t, '{"query": "{ me { role } }", secretpassword', t.adminToken);
    expect(broken.status).toBe(400);
    expect(broken.text).not.toMatch(/secretpassword|position/);
    expect(JSON.parse(broken.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('shows a contract that has only drafts to those who may read drafts, and to no one else', async () => {
    await registerVersion(t, {
      contract: 'secret-project',
      version: '1.0.0',
      schema: { type: 'object', properties: { code: { type: 'string', description: 'Code.' } } },
    });
    const viewer = await t.tokenFor('viewer');
    const asViewer = await t.gql(
      '{ contract(name: "secret-project") { name } contracts(first: 100) { edges { node { name } } } }',
      {},
      viewer,
    );
    expect(asViewer.data.contract).toBeNull();
    expect(asViewer.data.contracts.edges.map((e: any) => e.node.name)).not.toContain('secret-project');
    const unknown = await t.gql('{ contract(name: "no-such-contract") { name } }', {}, viewer);
    expect(unknown.data.contract).toBeNull();
    const steward = await t.tokenFor('steward');
    expect((await t.gql('{ contract(name: "secret-project") { name } }', {}, steward)).data.contract).toEqual(
      {
        name: 'secret-project',
      },
    );
  });

  it('refuses revision numbers below 1 and field pointers that are not JSON pointers', async () => {
    const item = await createRecord(t, 'item', itemData(uniqueCode('HARD').toUpperCase()));
    for (const baseRevision of [0, -1]) {
      const r = await propose(t, {
        domain: 'item',
        recordId: item.recordId,
        patch: { name: 'x' },
        baseRevision,
      });
      expect(r).toMatchObject({ code: 'BAD_USER_INPUT', path: ['baseRevision'] });
    }
    await registerSystem(t, { code: 'hard-plm', name: 'PLM', kind: 'PLM' });
    for (const fields of [['/a~2'], ['/'], ['name'], ['//x']]) {
      const r = await mutate(
        t,
        'assignSystemOfRecord',
        { domain: 'item', system: 'hard-plm', fields },
        'id',
        {
          field: 'systemOfRecordRule',
        },
      );
      expect(r, JSON.stringify(fields)).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });

  it('refuses a request asking for the audit chain verification more than once', async () => {
    const aliases = Array.from(
      { length: 30 },
      (_, i) => `v${i}: verifyAuditChain { ... on AuditChainVerification { valid } }`,
    );
    const r = await t.gql(`{ ${aliases.join(' ')} }`);
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const once = await t.gql('{ verifyAuditChain { ... on AuditChainVerification { valid } } }');
    expect(once.data.verifyAuditChain.valid).toBe(true);
  });

  it('refuses an operation over the cost budget before it runs, on the compiled lane as well', async () => {
    const doc = `query Nested($n: Int, $m: Int) { records(domain: "item", first: $n) {
      edges { node { id history(first: $m) { edges { node { revision } } } } } } }`;
    for (let attempt = 0; attempt < 3; attempt++) {
      // the compiled lane takes a document from its second sighting: each attempt must be refused
      const r = await t.gql(doc, { n: 1000, m: 1000 });
      expect(r.data).toBeUndefined();
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', budget: 50_000 });
      expect(r.errors?.[0]?.extensions?.cost).toBeGreaterThan(1_000_000);
      expect(r.errors?.[0]?.message).toMatch(/smaller pages/);
      // the same document with small pages is answered
      const small = await t.gql(doc, { n: 5, m: 5 });
      expect(small.errors).toBeUndefined();
    }
    const tight = await startTestApp({ queryCostBudget: 150 });
    try {
      const r = await tight.gql(`{ records(domain: "item", first: 100) { edges { node { id } } } }`);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 201, budget: 150 });
    } finally {
      await tight.close();
    }
  });

  it('limits requests per token: RATE_LIMITED with Retry-After over the role rate, others unaffected', async () => {
    const limited = await startTestApp({
      rateLimits: { ...DEFAULT_RATE_LIMITS, viewer: { perSecond: 0.5, burst: 3 } },
    });
    try {
      const viewer = await limited.tokenFor('viewer');
      const ask = (token: string) =>
        fetch(`${limited.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ me { role } }' }),
        });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push(await ask(viewer));
      expect(statuses.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
      const refused = statuses[3];
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
      // another caller has a bucket of its own
      expect((await ask(limited.adminToken)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
