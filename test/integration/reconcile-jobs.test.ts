/**
 * Reconciliations run on the server: an extract uploaded to POST /reconciliations/{domain},
 * reconciled in the background, followed with `reconciliation(id)` — summary and differences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { nodes, registerSystem, uniqueCode } from '../support/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const post = (path: string, body: string, token: string | null = t.adminToken) =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });

const RECONCILIATION = `id status systemCode differencesFound message
  summary { rows matched identical proposals counts { kind count } }`;

async function follow(id: string, token?: string) {
  for (let i = 0; i < 600; i++) {
    const r = await t.gql(`query($id: ID!) { reconciliation(id: $id) { ${RECONCILIATION} } }`, { id }, token);
    expect(r.errors).toBeUndefined();
    if (r.data.reconciliation.status !== 'RUNNING') return r.data.reconciliation;
    await sleep(100);
  }
  throw new Error('the reconciliation did not finish');
}

describe('reconciliations on the server', () => {
  it('reconciles an uploaded extract in the background and lists its differences', async () => {
    const system = uniqueCode('recj').toLowerCase();
    await registerSystem(t, { code: system, kind: 'WMS' });
    const p = uniqueCode('RJ').toUpperCase();
    const loaded = await post(
      `/imports/work-center?mode=apply&system=${system}`,
      `externalId,code,name\nw1,${p}-1,One\nw2,${p}-2,Two\nw3,${p}-3,Three\n`,
    );
    expect(loaded.status).toBe(202);
    const { importJob } = (await loaded.json()) as { importJob: { id: string } };
    for (let i = 0; i < 300; i++) {
      const j = await t.gql('query($id: ID!) { importJob(id: $id) { status } }', { id: importJob.id });
      if (j.data.importJob.status !== 'RUNNING') break;
      await sleep(50);
    }

    const viewer = await t.tokenFor('viewer');
    const res = await post(
      `/reconciliations/work-center?system=${system}&name=wms.csv`,
      `externalId,code,name\nw1,${p}-1,One\nw2,${p}-2,Deux\nw9,${p}-9,Nine\n`,
      viewer,
    );
    expect(res.status).toBe(202);
    const { reconciliation } = (await res.json()) as { reconciliation: { id: string } };
    const done = await follow(reconciliation.id, viewer);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      systemCode: system,
      differencesFound: 3,
      summary: { rows: 3, matched: 2, identical: 1, proposals: 0 },
    });
    expect(done.summary.counts).toContainEqual({ kind: 'FIELD_MISMATCH', count: 1 });
    // each difference is an exception of the system's, owned like any other (here: the default queue)
    const filed = await t.gql(
      `query($s: String!) { exceptions(system: $s) { edges { node { source code owner recordId externalId payloadExcerpt } } } }`,
      { s: system },
    );
    expect(filed.errors).toBeUndefined();
    const exceptions = filed.data.exceptions.edges.map((e: { node: any }) => e.node);
    expect(exceptions.map((x: any) => [x.source, x.code]).sort()).toEqual([
      ['RECONCILE', 'RECONCILE_FIELD_MISMATCH'],
      ['RECONCILE', 'RECONCILE_MISSING_IN_SYSTEM'],
      ['RECONCILE', 'RECONCILE_UNKNOWN_TO_CANON'],
    ]);
    expect(exceptions.find((x: any) => x.code === 'RECONCILE_FIELD_MISMATCH').payloadExcerpt).toMatchObject({
      reconciliationId: reconciliation.id,
      pointer: '/name',
      canon: 'Two',
      system: 'Deux',
    });
    const diffs = await t.gql(
      `query($id: ID!) { reconciliation(id: $id) {
         all: differences { kind businessKey pointer canonValue systemValue row }
         missing: differences(kind: MISSING_IN_SYSTEM) { businessKey externalId }
         page: differences(first: 1) { id } } }`,
      { id: reconciliation.id },
    );
    expect(diffs.data.reconciliation.all).toEqual([
      {
        kind: 'FIELD_MISMATCH',
        businessKey: `${p}-2`,
        pointer: '/name',
        canonValue: 'Two',
        systemValue: 'Deux',
        row: 3,
      },
      {
        kind: 'UNKNOWN_TO_CANON',
        businessKey: `${p}-9`,
        pointer: '',
        canonValue: null,
        systemValue: null,
        row: 4,
      },
      {
        kind: 'MISSING_IN_SYSTEM',
        businessKey: `${p}-3`,
        pointer: '',
        canonValue: null,
        systemValue: null,
        row: null,
      },
    ]);
    expect(diffs.data.reconciliation.missing).toEqual([{ businessKey: `${p}-3`, externalId: 'w3' }]);
    const next = await t.gql(
      'query($id: ID!, $after: ID!) { reconciliation(id: $id) { differences(first: 5, after: $after) { kind } } }',
      { id: reconciliation.id, after: diffs.data.reconciliation.page[0].id },
    );
    expect(next.data.reconciliation.differences.map((d: { kind: string }) => d.kind)).toEqual([
      'UNKNOWN_TO_CANON',
      'MISSING_IN_SYSTEM',
    ]);
    const listed = await t.gql('{ reconciliations(first: 5) { edges { node { id } } } }');
    expect(nodes(listed.data.reconciliations).map((r) => r.id)).toContain(reconciliation.id);
  });

  it('refuses bad requests before reading the body', async () => {
    expect((await post('/reconciliations/work-center', 'code,name\n')).status).toBe(400);
    expect((await post('/reconciliations/work-center?system=x&format=xml', 'code,name\n')).status).toBe(400);
    expect((await post('/reconciliations/work-center?system=x', 'code,name\n', null)).status).toBe(401);
    const viewer = await t.tokenFor('viewer');
    expect(
      (await post('/reconciliations/work-center?system=x&propose=true', 'code,name\n', viewer)).status,
    ).toBe(403);
    const before = await t.gql('{ reconciliations(first: 100) { edges { node { id } } } }');
    const unknown = await post('/reconciliations/work-center?system=no-such-system', 'code,name\nA,B\n');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('no-such-system');
    const after = await t.gql('{ reconciliations(first: 100) { edges { node { id } } } }');
    expect(nodes(after.data.reconciliations)).toHaveLength(nodes(before.data.reconciliations).length);
    expect(
      (await t.gql('{ reconciliation(id: "00000000-0000-7000-8000-000000000000") { id } }')).data
        .reconciliation,
    ).toBeNull();
  });
});
