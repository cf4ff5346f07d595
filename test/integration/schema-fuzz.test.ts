/**
 * Every query and mutation argument of the schema, fuzzed: each generated call asks one root field
 * with hostile values (test/support/graphql-arbitraries.ts) through every argument and input field.
 * Every answer is a success or a typed error — never INTERNAL_SERVER_ERROR, never a 5xx — and a call
 * answered with an error wrote nothing (row counts of the main tables and the audit log compared).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInSchema } from '../../src/graphql/print-schema.ts';
import { DEFAULT_RATE_LIMITS } from '../../src/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createRecord, itemData, registerSystem, uniqueCode } from '../support/factories.ts';
import { callOf } from '../support/graphql-arbitraries.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } } });
  await registerSystem(t, { code: 'odoo-fuzz' });
  await createRecord(t, 'item', itemData(uniqueCode('FUZZ')));
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const rowCounts = async () =>
  (
    await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(
        `select ((select count(*) from golden_record) + (select count(*) from change_request) + (select count(*) from audit_event)
          + (select count(*) from xref) + (select count(*) from system) + (select count(*) from contract_version)
          + (select count(*) from api_token) + (select count(*) from sor_rule))::text as n`,
      )
  )[0].n;

// the schema a fresh instance serves: the hand-written fields and those the built-in contracts give it
const schema = builtInSchema();
const fields = [
  ...Object.values(schema.getQueryType()?.getFields() ?? {}).map((f) => callOf('query', f)),
  ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((f) => callOf('mutation', f)),
];

describe('every argument of the schema, fuzzed', () => {
  it('answers every generated call with success or a typed error, and a refused one writes nothing', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 1_000_000);
    const runs = Number(process.env.FC_SCHEMA_RUNS ?? 2_500);
    console.log(
      `schema fuzz: ${runs} calls over ${fields.length} root fields, seed ${seed} (FC_SEED=${seed} reproduces it)`,
    );
    const statuses = new Map<number, number>();
    const codes = new Map<string, number>();
    const call = fc
      .nat({ max: fields.length - 1 })
      .chain((i) => fields[i].variables.map((variables) => ({ query: fields[i].query, variables })));
    await fc.assert(
      fc.asyncProperty(call, async ({ query, variables }) => {
        const pre = await rowCounts();
        const res = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
          body: JSON.stringify({ query, variables }),
        });
        const json = (await res.json()) as { data?: Record<string, any>; errors?: any[] };
        const found = [
          ...(json.errors ?? []).map((e) => e.extensions?.code),
          ...Object.values(json.data ?? {}).map((d) => (d && typeof d === 'object' ? d.code : undefined)),
        ].filter(Boolean) as string[];
        const context = JSON.stringify({ query, variables, json }).slice(0, 2_000);
        expect(found, context).not.toContain('INTERNAL_SERVER_ERROR');
        expect(res.status, context).toBeLessThan(500);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        for (const c of found) codes.set(c, (codes.get(c) ?? 0) + 1);
        if (found.length > 0) expect(await rowCounts(), context).toBe(pre);
      }),
      { numRuns: runs, seed },
    );
    console.log(
      `schema fuzz: answered by HTTP status ${JSON.stringify(Object.fromEntries(statuses))}; error codes ${JSON.stringify(Object.fromEntries(codes))}`,
    );
  }, 600_000);
});
