/**
 * The compiled lane (src/graphql/compiled-lane.ts) answers repeated queries without yoga: its answers
 * must be yoga's answers, and everything it does not answer (errors, mutations, other media types)
 * must reach yoga unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createRecord, itemData, registerSystem } from '../support/factories.ts';

let t: TestApp;
let odoo: string;
const items: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await registerSystem(t, { code: 'odoo-main', name: 'Odoo', kind: 'ERP' });
  odoo = await t.tokenFor('connector', { systemCode: 'odoo-main' });
  for (const code of ['L-1', 'L-2']) {
    items[code] = (await createRecord(t, 'item', itemData(code, { name: code }))).recordId;
  }
  await t.gql(
    'mutation($l: [XrefLinkInput!]!) { linkXrefs(input: { system: "odoo-main", domain: "item", links: $l }) { __typename } }',
    {
      l: [
        { externalId: '1', externalKey: 'product.p1', recordId: items['L-1'] },
        { externalId: '2', recordId: items['L-2'] },
      ],
    },
    odoo,
  );
});
afterAll(async () => {
  await t?.close();
});

async function post(body: unknown, headers: Record<string, string> = {}, token: string | null = odoo) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as any };
}

async function laneCount(outcome: 'answered' | 'declined'): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const m = new RegExp(`canon_graphql_compiled_lane_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

/** Runs `run` and tells how many requests the lane answered and declined meanwhile. */
async function counting(run: () => Promise<unknown>) {
  const [a, d] = [await laneCount('answered'), await laneCount('declined')];
  await run();
  return { answered: (await laneCount('answered')) - a, declined: (await laneCount('declined')) - d };
}

// yoga answers requests that prefer application/graphql-response+json; the lane never takes them
const YOGA = { accept: 'application/graphql-response+json' };

describe('compiled lane', () => {
  it('answers repeated queries exactly as yoga does', async () => {
    const queries = [
      {
        query:
          'query R($ids: [String!]!) { resolveXrefs(system: "odoo-main", domain: "item", externalIds: $ids) { ... on ResolveXrefsPayload { resolutions { externalId recordId key } } ... on Error { code message } } }',
        variables: { ids: ['2', 'nope', '1'] },
      },
      {
        query: `query($id: ID!) { record(id: $id) { __typename id nodeId key ... on Item { xrefs { systemCode externalId externalKey system { name } } } } }`,
        variables: { id: items['L-1'] },
      },
      {
        query:
          '{ a: items(first: 5) { totalCount edges { node { key xrefs { externalId } } } } b: systems { edges { node { code active } } } c: item(code: "L-1") { ... on Item { name uom { code } } ... on Error { code message } } }',
      },
    ];
    for (const q of queries) {
      // the first sighting goes to yoga; the document is compiled when it comes again
      let first: Awaited<ReturnType<typeof post>> | undefined;
      let lane: Awaited<ReturnType<typeof post>> | undefined;
      const counts = await counting(async () => {
        first = await post(q);
        lane = await post(q);
      });
      expect(counts).toEqual({ answered: 1, declined: 1 });
      expect(lane?.json).toEqual(first?.json);
      const yoga = await post(q, YOGA);
      expect(yoga.json.errors).toBeUndefined();
      expect(lane?.status).toBe(200);
      expect(lane?.type).toBe('application/json; charset=utf-8');
      expect(lane?.json).toEqual(yoga.json);
    }
    const resolved = (await post(queries[0])).json.data.resolveXrefs.resolutions;
    expect(resolved.map((r: { key: string | null }) => r.key)).toEqual(['L-2', null, 'L-1']);
  });

  it('hands every error to yoga, which words it as always', async () => {
    const resolve =
      'query R($ids: [String!]!) { resolveXrefs(system: "odoo-main", domain: "item", externalIds: $ids) { ... on ResolveXrefsPayload { resolutions { recordId } } ... on Error { code message } } }';
    await post({ query: resolve, variables: { ids: ['1'] } });
    await post({ query: resolve, variables: { ids: ['1'] } }); // compiled now
    const counts = await counting(async () => {
      const unknownToken = await post({ query: resolve, variables: { ids: ['1'] } }, {}, 'canon_nope_nope');
      expect(unknownToken.status).toBe(401);
      expect(unknownToken.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const anonymous = await post({ query: resolve, variables: { ids: ['1'] } }, {}, null);
      expect(anonymous.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const badVariables = await post({ query: resolve, variables: { ids: 7 } });
      expect(badVariables.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const tooMany = await post({
        query: resolve,
        variables: { ids: Array.from({ length: 1001 }, (_, i) => String(i)) },
      });
      // a refusal in the result union is an answer like any other: the lane may give it
      expect(tooMany.json.data.resolveXrefs).toMatchObject({ code: 'BAD_USER_INPUT' });
      const invalid = await post({ query: '{ resolveXrefs { nope } }' });
      expect(invalid.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });
    // the typed refusal (1001 ids) was the lane's answer; the four GraphQL errors went to yoga
    expect(counts).toEqual({ answered: 1, declined: 4 });
  });

  it('leaves long documents to yoga', async () => {
    // a valid query padded past the lane's 16 KB bound with a comment
    const query = `{ systems { totalCount } } #${'x'.repeat(17_000)}`;
    const counts = await counting(async () => {
      for (let i = 0; i < 3; i++) expect((await post({ query })).json.data.systems.totalCount).toBe(1);
    });
    expect(counts).toEqual({ answered: 0, declined: 3 });
  });

  it('leaves mutations to yoga', async () => {
    const counts = await counting(async () => {
      const r = await post({
        query:
          'mutation { linkXrefs(input: { system: "odoo-main", domain: "item", links: [{ externalId: "3", recordId: "' +
          items['L-2'] +
          '" }] }) { ... on LinkXrefsPayload { linked } } }',
      });
      expect(r.json.data.linkXrefs.linked).toBe(1);
    });
    expect(counts).toEqual({ answered: 0, declined: 1 });
  });
});
