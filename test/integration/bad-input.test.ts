/**
 * Bad input is the caller's to fix and says so: a typed BAD_USER_INPUT with where it is, never an
 * internal error, never a write. One test per kind found by fuzzing, then a property test that
 * throws generated hostile values at the arguments connectors and stewards send most.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../src/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  createRecord,
  itemData,
  registerSystem,
  setApprovalPolicy,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let itemId: string;

beforeAll(async () => {
  // the property test sends thousands of requests with one token: above the admin role's rate limit
  t = await startTestApp({ rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } } });
  await setApprovalPolicy(t, 'item', 0);
  await registerSystem(t, { code: 'odoo-bad', name: 'Odoo', kind: 'ERP' });
  itemId = (await createRecord(t, 'item', itemData(uniqueCode('BAD').toUpperCase()))).recordId;
});
afterAll(async () => {
  await t?.close();
});

/** POSTs a raw body (so it can hold what JSON.stringify would not write) and answers status and body. */
async function raw(body: string) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
    body,
  });
  return { status: res.status, json: (await res.json()) as any };
}
const codeOf = (r: { json: any }) =>
  r.json.errors?.[0]?.extensions?.code ??
  Object.values(r.json.data ?? {}).map((v: any) => v?.code ?? v?.__typename)[0];
const rowCounts = async () =>
  (
    await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(
        `select ((select count(*) from golden_record) + (select count(*) from change_request) + (select count(*) from audit_event) + (select count(*) from xref))::text as n`,
      )
  )[0].n;

const PROPOSE =
  'mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { __typename ... on Error { code path } } }';
const LINK =
  'mutation($i: LinkXrefsInput!) { linkXrefs(input: $i) { __typename ... on Error { code path } } }';

describe('bad input at the edge', () => {
  it('NUL characters and lone surrogates in variables, and in literals', async () => {
    const before = await rowCounts();
    for (const name of ['A\\u0000B', 'half \\ud800 surrogate', 'end \\udfff']) {
      const r = await raw(
        `{"query": ${JSON.stringify(PROPOSE)}, "variables": {"i": {"domain": "item", "data": {"code": "NUL-1", "name": "${name}", "type": "goods", "uom": "KGM", "tracking": "none"}}}}`,
      );
      expect(r.status).toBe(400);
      expect(r.json.errors[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        path: 'variables.i.data.name',
      });
    }
    const literal = await raw(
      JSON.stringify({ query: '{ items(filter: { search: "a\\u0000b" }) { totalCount } }' }),
    );
    expect(codeOf(literal)).toBe('BAD_USER_INPUT');
    expect(await rowCounts()).toBe(before);
  });

  it('JSON nested 10,000 deep and numbers that overflow to Infinity', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const r = await raw(
      `{"query": ${JSON.stringify(PROPOSE)}, "variables": {"i": {"domain": "item", "data": {"x": ${deep}}}}}`,
    );
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    const inf = await raw(
      `{"query": ${JSON.stringify(PROPOSE)}, "variables": {"i": {"domain": "item", "data": {"code": "INF", "weight": 1e400}}}}`,
    );
    expect(inf.json.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: 'variables.i.data.weight',
    });
  });

  it('impossible and out-of-range dates, and sequence numbers beyond 2^63', async () => {
    for (const at of [
      '2024-02-30T00:00:00Z',
      '2023-02-29T10:00:00Z',
      '10000-01-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T25:00:00Z',
    ]) {
      const r = await t.gql('query($id: ID!, $at: DateTime) { item(id: $id, asOf: $at) { __typename } }', {
        id: itemId,
        at,
      });
      expect(r.errors?.[0]?.extensions?.code, at).toBe('BAD_USER_INPUT');
    }
    const ok = await t.gql('query($id: ID!, $at: DateTime) { item(id: $id, asOf: $at) { __typename } }', {
      id: itemId,
      at: '2024-02-29T23:59:59.123+01:00',
    });
    expect(ok.errors).toBeUndefined();
    const seq = await t.gql(
      'query($s: BigIntString!) { changeFeed(afterSequence: $s) { edges { cursor } } }',
      {
        s: '9999999999999999999',
      },
    );
    expect(seq.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('non-UUID ids in filters, oversized external keys, a $ref with bad %-encoding, a bad npm path', async () => {
    const filter = await t.gql('{ changeRequests(recordId: "not-a-uuid") { edges { cursor } } }');
    expect(filter.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const counts = await t.gql('{ changeRequestCounts(proposedBy: "x") { domain } }');
    expect(counts.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const key = await t.gql(LINK, {
      i: {
        system: 'odoo-bad',
        domain: 'item',
        links: [{ externalId: '1', externalKey: 'k'.repeat(10_000), recordId: itemId }],
      },
    });
    expect(key.data.linkXrefs).toMatchObject({ code: 'BAD_USER_INPUT', path: ['links', '0', 'externalKey'] });

    const ref = await t.gql(
      'mutation($s: JSON!) { registerContractVersion(input: { contract: "bad-ref", version: "1.0.0", schema: $s }) { __typename ... on Error { code } } }',
      { s: { type: 'object', properties: { a: { $ref: '#/%ZZ' } } } },
    );
    expect(ref.errors).toBeUndefined();
    expect(ref.data.registerContractVersion.code).not.toBe('INTERNAL_SERVER_ERROR');

    const npm = await fetch(`${t.url}/npm/%ZZ`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(npm.status).toBe(404);
  });

  it('free text has a length: search 200, reasons 4 kB, a unit ratio 64 characters', async () => {
    const search = await t.gql('query($s: String) { items(filter: { search: $s }) { totalCount } }', {
      s: 'x'.repeat(1_000_000),
    });
    expect(search.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: ['filter', 'search'],
    });
    const reason = await t.gql(PROPOSE, {
      i: { domain: 'item', recordId: itemId, patch: { name: 'R' }, reason: 'r'.repeat(4_097) },
    });
    expect(reason.data.proposeChange).toMatchObject({ code: 'BAD_USER_INPUT', path: ['reason'] });
    const ratio = await t.gql(PROPOSE, {
      i: {
        domain: 'uom',
        data: { code: 'BIGR', name: 'Big', dimension: 'count', ratio: `1${'0'.repeat(100)}`, rounding: '1' },
      },
    });
    expect(ratio.data.proposeChange).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED' });
  });

  it('hostile generated values never make an internal error, and a refused one never a write', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
    const runs = Number(process.env.FC_RUNS ?? 5_000);
    console.log(`bad-input property test: ${runs} inputs, seed ${seed} (FC_SEED=${seed} reproduces it)`);
    const before = await rowCounts();
    const answered = new Map<number, number>();
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom(
        '\u0000',
        '\ud800',
        'x'.repeat(5000),
        '%ZZ',
        '#/%ZZ',
        '1e400',
        '-1',
        '',
        ' ',
        'ITEM/../../x',
      ),
    );
    const hostile = fc.oneof(text, fc.integer(), fc.double(), fc.constant(null), fc.boolean());
    const ops = [
      (v: unknown) => ({ q: PROPOSE, v: { i: { domain: 'item', recordId: itemId, patch: { code: v } } } }),
      (v: unknown) => ({ q: PROPOSE, v: { i: { domain: v, data: { code: v } } } }),
      (v: unknown) => ({ q: PROPOSE, v: { i: { domain: 'item', recordId: v, operation: 'RETIRE' } } }),
      (v: unknown) => ({
        q: LINK,
        v: { i: { system: v, domain: 'item', links: [{ externalId: v, recordId: itemId }] } },
      }),
      (v: unknown) => ({
        q: 'query($s: String!, $ids: [String!]!) { resolveXrefs(system: $s, domain: "item", externalIds: $ids) { __typename } }',
        v: { s: v, ids: [v] },
      }),
      (v: unknown) => ({
        q: 'query($s: String) { items(filter: { search: $s, keyPrefix: $s }) { totalCount } }',
        v: { s: v },
      }),
      (v: unknown) => ({
        q: 'query($s: String) { changeRequests(recordId: $s) { edges { cursor } } }',
        v: { s: v },
      }),
      (v: unknown) => ({ q: 'query($a: DateTime) { items(asOf: $a) { totalCount } }', v: { a: v } }),
      (v: unknown) => ({
        q: 'query($s: BigIntString!) { changeFeed(afterSequence: $s) { edges { cursor } } }',
        v: { s: v },
      }),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: ops.length - 1 }), hostile, async (op, value) => {
        const { q, v } = ops[op](value);
        const pre = await rowCounts();
        const r = await raw(JSON.stringify({ query: q, variables: v }));
        const codes = [
          ...(r.json.errors ?? []).map((e: any) => e.extensions?.code),
          ...Object.values(r.json.data ?? {}).map((d: any) => d?.code),
        ];
        expect(codes, JSON.stringify({ op, value, body: r.json })).not.toContain('INTERNAL_SERVER_ERROR');
        expect(r.status).toBeLessThan(500);
        answered.set(r.status, (answered.get(r.status) ?? 0) + 1);
        // a refused call changed nothing
        if (codes.some((c) => c)) expect(await rowCounts(), JSON.stringify({ op, value })).toBe(pre);
      }),
      { numRuns: runs, seed },
    );
    console.log(
      `bad-input property test: answered by HTTP status ${JSON.stringify(Object.fromEntries(answered))}`,
    );
    expect(Number(await rowCounts())).toBeGreaterThanOrEqual(Number(before));
  }, 300_000);
});
