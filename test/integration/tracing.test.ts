/**
 * OpenTelemetry traces with an in-memory exporter: a proposal through GraphQL makes one trace —
 * the operation's span (child of the caller's traceparent), the proposeChange root field under it,
 * the service steps under that, and the SQL statements under the step that ran them.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing } from '../../src/telemetry/tracing.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { itemData, stewardPair, uniqueCode } from '../support/factories.ts';

const exporter = new InMemorySpanExporter();
let tracing: Awaited<ReturnType<typeof startTracing>>;
let t: TestApp;

beforeAll(async () => {
  tracing = await startTracing(exporter);
  t = await startTestApp();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await tracing?.shutdown();
});

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('traces', () => {
  it('a proposal: operation → root field → service steps → SQL statements, in the caller’s trace', async () => {
    const [proposer] = await stewardPair(t);
    exporter.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${proposer}`,
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({
        query: `mutation Propose($input: ProposeChangeInput!) { proposeChange(input: $input) {
          ... on ProposeChangePayload { changeRequest { id status } } ... on Error { code message } } }`,
        variables: { input: { domain: 'item', data: itemData(uniqueCode('TRACE')) } },
      }),
    });
    const body = await res.json();
    expect(body.data.proposeChange.changeRequest.status).toBe('PENDING');
    await tracing!.flush();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [operation] = byName('graphql.mutation Propose');
    expect(operation, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(parentOf(operation)).toBe('00f067aa0ba902b7');
    expect(operation.attributes['graphql.operation.name']).toBe('Propose');
    const [field] = byName('graphql.resolve Mutation.proposeChange');
    expect(parentOf(field)).toBe(operation.spanContext().spanId);
    const [propose] = byName('records.propose');
    expect(parentOf(propose)).toBe(field.spanContext().spanId);
    const [validate] = byName('records.validate');
    expect(parentOf(validate)).toBe(propose.spanContext().spanId);
    const [match] = byName('records.match');
    expect(parentOf(match)).toBe(propose.spanContext().spanId);
    // SQL statements hang under the steps that ran them: the insert of the change request under
    // records.propose, the reads of the contract and the rules under it or under records.validate,
    // the lookups of possible duplicates under records.match
    const sql = spans.filter((s) => s.name.startsWith('db '));
    expect(sql.length).toBeGreaterThan(3);
    const inside = new Set([propose, validate, match].map((s) => s.spanContext().spanId));
    expect(sql.filter((s) => inside.has(parentOf(s) ?? '')).length).toBe(sql.length);
    const insert = sql.find((s) =>
      /insert into "change_request"/i.test(String(s.attributes['db.query.text'])),
    );
    expect(insert?.attributes['db.operation.name']).toBe('INSERT');
    expect(insert?.attributes['db.system.name']).toBe('postgresql');
    // every span of the trace ends inside the operation's span
    for (const s of spans)
      expect(s.endTime[0] * 1e9 + s.endTime[1]).toBeLessThanOrEqual(
        operation.endTime[0] * 1e9 + operation.endTime[1] + 1e6,
      );
  });

  it('a query without traceparent starts a trace of its own', async () => {
    exporter.reset();
    await t.gql('query Contracts { contracts(first: 1) { edges { node { name } } } }');
    await tracing!.flush();
    const [operation] = exporter.getFinishedSpans().filter((s) => s.name === 'graphql.query Contracts');
    expect(operation).toBeDefined();
    expect(parentOf(operation)).toBeUndefined();
  });
});
