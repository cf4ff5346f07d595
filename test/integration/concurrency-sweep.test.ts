/**
 * Every mutation, the same call sent five times at once — with an idempotency key and without one.
 * No answer is INTERNAL_SERVER_ERROR; with a key there is exactly one effect and every success is
 * the same answer; without a key, calls that name one thing (approve this, rename that) still have
 * one effect, and calls that create (a token, a proposal) have one per success. Either way, each
 * effect is audited exactly once. Effects are read from the tables, audits from the audit log.
 * The test fails when the schema gains a mutation this table does not cover.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInSchema } from '../../src/graphql/print-schema.ts';
import { DEFAULT_RATE_LIMITS } from '../../src/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type Case, mutationSpecs, type SweepEnv } from '../support/concurrency-specs.ts';
import { createRecord, itemData, registerSystem, stewardPair, uniqueCode } from '../support/factories.ts';
import { type TestStream, testStream } from '../support/nats.ts';

let t: TestApp;
let stream: TestStream;
const env = {} as SweepEnv;
const { specs, count } = mutationSpecs(env);

beforeAll(async () => {
  // replayEvents needs a relay: the sweep's Canon publishes to a stream of its own
  stream = await testStream();
  t = await startTestApp({
    rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } },
    nats: stream.settings,
  });
  env.t = t;
  env.stewards = await stewardPair(t);
  const itemCodes: [string, string] = [uniqueCode('SWEEP'), uniqueCode('SWEEP')];
  env.recordId = (await createRecord(t, 'item', itemData(itemCodes[0]))).recordId;
  await createRecord(t, 'item', itemData(itemCodes[1]));
  env.itemCodes = itemCodes;
  env.workCenterCode = uniqueCode('SWWC');
  await createRecord(t, 'work-center', { code: env.workCenterCode, name: 'Sweep' });
  await registerSystem(t, { code: 'sweep-odoo' });
}, 180_000);
afterAll(async () => {
  await t?.close();
  await stream?.remove();
});

const auditsSince = (action: string, sequence: number) =>
  count('select count(*)::int as n from audit_event where action = ? and sequence > ?', [action, sequence]);
const lastSequence = () => count('select coalesce(max(sequence), 0)::int as n from audit_event');

async function fiveAtOnce(name: string, c: Case, idempotencyKey?: string) {
  const input = idempotencyKey ? { ...c.input, idempotencyKey } : c.input;
  return Promise.all(
    Array.from({ length: 5 }, async () => {
      const r = await t.gql(
        `mutation($input: ${name[0].toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) {
          __typename ... on Error { code message } } }`,
        { input },
        c.token ?? t.adminToken,
      );
      return r.data?.[name] ?? { __typename: 'top-level', code: r.errors?.[0]?.extensions?.code };
    }),
  );
}

describe('every mutation five times at once', () => {
  it('covers every mutation of the schema', () => {
    expect(Object.keys(builtInSchema().getMutationType()?.getFields() ?? {}).sort()).toEqual(
      Object.keys(specs).sort(),
    );
  });

  for (const [name, spec] of Object.entries(specs)) {
    for (const keyed of [true, false]) {
      it(`${name} ${keyed ? 'with' : 'without'} an idempotency key`, async () => {
        const c = await spec.prepare(randomBytes(4).toString('hex'));
        const since = await lastSequence();
        const effectsBefore = await c.effects();
        const answers = await fiveAtOnce(
          name,
          c,
          keyed ? `sweep-${randomBytes(6).toString('hex')}` : undefined,
        );
        for (const a of answers) expect(a.code, JSON.stringify(a)).not.toBe('INTERNAL_SERVER_ERROR');
        const successes = answers.filter((a) => !a.code);
        expect(successes.length, JSON.stringify(answers)).toBeGreaterThan(0);
        const effects = (await c.effects()) - effectsBefore;
        const audits = await auditsSince(spec.action, since);
        if (keyed || spec.once) expect(effects, JSON.stringify(answers)).toBe(1);
        else expect(effects).toBe(successes.length);
        expect(audits, `${spec.action} events for ${effects} effect(s)`).toBe(effects);
      });
    }
  }
});
