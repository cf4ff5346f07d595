/**
 * Imports in propose mode (the default): each batch becomes a bulk change request of ordinary change
 * requests, decided as a whole or row by row; ids of new records are linked when approval creates
 * them; a re-run proposes nothing twice; connectors propose only the fields they own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './../support/app.ts';
import {
  approve,
  connectorFor,
  nodes,
  registerSystem,
  reject,
  setApprovalPolicy,
  stewardPair,
  uniqueCode,
} from './../support/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const upload = (domain: string, query: string, body: string, token: string) =>
  fetch(`${t.url}/imports/${domain}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body,
  });

const JOB = `id status mode rowsDone rowsProposed rowsCreated rowsUnchanged rowsRefused xrefsLinked
  report { row code pointer }`;

async function importFile(domain: string, query: string, body: string, token: string) {
  const res = await upload(domain, query, body, token);
  expect(res.status, await res.clone().text()).toBe(202);
  const { importJob } = (await res.json()) as { importJob: { id: string } };
  for (let i = 0; i < 600; i++) {
    const r = await t.gql(`query($id: ID!) { importJob(id: $id) { ${JOB} } }`, { id: importJob.id }, token);
    expect(r.errors).toBeUndefined();
    if (r.data.importJob.status !== 'RUNNING') return r.data.importJob;
    await sleep(100);
  }
  throw new Error('the import did not finish');
}

const bulksOf = async (jobId: string, token?: string) =>
  nodes(
    (
      await t.gql(
        `query($job: ID!) { bulkChangeRequests(importJobId: $job, first: 50) { edges { node {
          id batch rowCount domain importJobId counts { pending applied rejected conflict withdrawn } } } } }`,
        { job: jobId },
        token,
      )
    ).data.bulkChangeRequests,
  ).sort((a, b) => a.batch - b.batch);

const membersOf = async (bulkId: string) =>
  nodes(
    (
      await t.gql(
        `query($b: ID!) { changeRequests(bulkId: $b, first: 100) { edges { node {
          id status operation sourceRow recordId proposed bulkChangeRequest { id } } } } }`,
        { b: bulkId },
      )
    ).data.changeRequests,
  ).sort((a, b) => a.sourceRow - b.sourceRow);

const decideBulk = (verb: 'approve' | 'reject', input: Record<string, unknown>, token: string) =>
  t.gql(
    `mutation($input: ${verb === 'approve' ? 'ApproveBulkChangeInput' : 'RejectBulkChangeInput'}!) {
      result: ${verb}BulkChange(input: $input) {
        ... on ${verb === 'approve' ? 'Approve' : 'Reject'}BulkChangePayload { decidedCount failed { sourceRow error { code message } }
          bulkChangeRequest { counts { pending applied rejected } } }
        ... on Error { code message path }
      } }`,
    { input },
    token,
  );

const xrefOf = async (system: string, externalId: string) =>
  (
    await t.gql(
      'query($s: String!, $ids: [String!]!) { resolveXrefs(system: $s, domain: "work-center", externalIds: $ids) { ... on ResolveXrefsPayload { resolutions { key } } } }',
      { s: system, ids: [externalId] },
    )
  ).data.resolveXrefs.resolutions[0]?.key ?? null;

describe('imports in propose mode', () => {
  it('proposes a bulk per batch, proposes nothing twice, and links ids when approval creates the records', async () => {
    const [proposer, approver] = await stewardPair(t);
    const system = uniqueCode('wms');
    await registerSystem(t, { code: system, kind: 'WMS' });
    const p = uniqueCode('PR').toUpperCase();
    const file = `externalId,code,name\n${[1, 2, 3, 4, 5].map((i) => `ext-${p}-${i},${p}-${i},Cell ${i}`).join('\n')}\n`;
    const job = await importFile('work-center', `system=${system}&batch=3`, file, proposer);
    expect(job).toMatchObject({
      status: 'COMPLETED',
      mode: 'PROPOSE',
      rowsDone: 5,
      rowsProposed: 5,
      rowsCreated: 0,
      rowsRefused: 0,
      xrefsLinked: 0,
    });
    const bulks = await bulksOf(job.id, approver);
    expect(bulks.map((b) => [b.batch, b.rowCount, b.counts.pending])).toEqual([
      [1, 3, 3],
      [2, 2, 2],
    ]);
    const members = await membersOf(bulks[0].id);
    expect(members.map((m) => [m.sourceRow, m.status, m.operation, m.recordId])).toEqual([
      [2, 'PENDING', 'CREATE', null],
      [3, 'PENDING', 'CREATE', null],
      [4, 'PENDING', 'CREATE', null],
    ]);
    expect(members[0].bulkChangeRequest.id).toBe(bulks[0].id);
    expect(await xrefOf(system, `ext-${p}-1`)).toBeNull();

    // the same file again: every row already has its pending proposal
    const again = await importFile('work-center', `system=${system}&batch=3`, file, proposer);
    expect(again).toMatchObject({ status: 'COMPLETED', rowsProposed: 0, rowsUnchanged: 5 });
    expect(await bulksOf(again.id)).toEqual([]);

    // four eyes on the whole bulk too
    const own = await decideBulk('approve', { id: bulks[0].id }, proposer);
    expect(own.data.result.code).toBe('SELF_APPROVAL');

    const approved = await decideBulk('approve', { id: bulks[0].id, comment: 'checked' }, approver);
    expect(approved.errors).toBeUndefined();
    expect(approved.data.result).toMatchObject({
      decidedCount: 3,
      failed: [],
      bulkChangeRequest: { counts: { pending: 0, applied: 3, rejected: 0 } },
    });
    expect(await xrefOf(system, `ext-${p}-1`)).toBe(`${p}-1`);
    expect(await xrefOf(system, `ext-${p}-3`)).toBe(`${p}-3`);

    // the second bulk row by row: one approved, one rejected (its id is never linked)
    const second = await membersOf(bulks[1].id);
    expect((await approve(t, second[0].id, approver)).status).toBe('APPLIED');
    expect((await reject(t, second[1].id, 'not ours', approver)).status).toBe('REJECTED');
    expect(await xrefOf(system, `ext-${p}-4`)).toBe(`${p}-4`);
    expect(await xrefOf(system, `ext-${p}-5`)).toBeNull();
    const settled = await bulksOf(job.id);
    expect(settled[1].counts).toMatchObject({ pending: 0, applied: 1, rejected: 1 });
    const pendingOnly = await t.gql(
      'query($d: String!) { bulkChangeRequests(domain: $d, pending: true, first: 100) { edges { node { id } } } }',
      { d: 'work-center' },
    );
    expect(nodes(pendingOnly.data.bulkChangeRequests).map((b) => b.id)).not.toContain(bulks[1].id);

    // a third run: the records exist and match, so nothing is proposed and nothing is linked twice
    const third = await importFile('work-center', `system=${system}&batch=3`, file, proposer);
    expect(third).toMatchObject({ rowsProposed: 1, rowsUnchanged: 4, xrefsLinked: 0 });
  });

  it('proposes updates against the record’s revision and reports a member that went stale', async () => {
    const [proposer, approver] = await stewardPair(t);
    const p = uniqueCode('UPD').toUpperCase();
    const created = await importFile('work-center', 'mode=apply', `code,name\n${p},First\n`, t.adminToken);
    expect(created.rowsCreated).toBe(1);
    const job = await importFile('work-center', '', `code,name\n${p},Second\n`, proposer);
    const [bulk] = await bulksOf(job.id);
    const [member] = await membersOf(bulk.id);
    expect(member).toMatchObject({ operation: 'UPDATE', status: 'PENDING' });
    expect(member.proposed).toMatchObject({ code: p, name: 'Second' });
    // the record changes before the steward decides: the member ends in CONFLICT, not overwritten
    await importFile('work-center', 'mode=apply', `code,name\n${p},Third\n`, t.adminToken);
    const decided = await decideBulk('approve', { id: bulk.id }, approver);
    expect(decided.data.result.decidedCount).toBe(1);
    const [after] = await membersOf(bulk.id);
    expect(after.status).toBe('CONFLICT');
    const record = await t.gql('query($c: String!) { workCenter(code: $c) { ... on WorkCenter { data } } }', {
      c: p,
    });
    expect(record.errors).toBeUndefined();
    expect(record.data.workCenter.data.name).toBe('Third');
  });

  it('counts approvals where two are needed, and leaves a member the world has changed under pending', async () => {
    const [proposer, first] = await stewardPair(t);
    const second = await t.tokenFor('steward', { actorName: uniqueCode('steward-c') });
    const p = uniqueCode('TWO').toUpperCase();
    const unit = `U${p.replace(/[^A-Z0-9]/g, '').slice(-6)}`;
    const units = await importFile(
      'uom',
      'mode=apply',
      `code,name,dimension,ratio,rounding\n${unit},Bench unit,count,12,1\n`,
      t.adminToken,
    );
    expect(units.rowsCreated, JSON.stringify(units.report)).toBe(1);
    await setApprovalPolicy(t, 'item', 2);
    try {
      const job = await importFile(
        'item',
        '',
        `code,name,type,uom,tracking\n${p}-1,One,goods,KGM,none\n${p}-2,Two,goods,${unit},none\n`,
        proposer,
      );
      const [bulk] = await bulksOf(job.id);
      const once = await decideBulk('approve', { id: bulk.id }, first);
      expect(once.data.result).toMatchObject({
        decidedCount: 2,
        bulkChangeRequest: { counts: { pending: 2 } },
      });
      // approving again changes nothing
      expect((await decideBulk('approve', { id: bulk.id }, first)).data.result.decidedCount).toBe(0);
      // the unit a member refers to is retired before the second approval
      const retired = await t.gql(
        `mutation($input: ProposeChangeInput!) { proposeChange(input: $input) { ... on ProposeChangePayload { changeRequest { id status } } } }`,
        {
          input: {
            domain: 'uom',
            operation: 'RETIRE',
            recordId: (await t.gql('query($c: String!) { uom(code: $c) { ... on Uom { id } } }', { c: unit }))
              .data.uom.id,
          },
        },
        proposer,
      );
      const retiring = retired.data.proposeChange.changeRequest;
      if (retiring.status === 'PENDING') {
        await approve(t, retiring.id, first);
        await approve(t, retiring.id, second);
      }
      const twice = await decideBulk('approve', { id: bulk.id }, second);
      expect(twice.data.result).toMatchObject({
        decidedCount: 1,
        failed: [{ sourceRow: 3, error: { code: 'REFERENCE_NOT_FOUND' } }],
        bulkChangeRequest: { counts: { pending: 1, applied: 1 } },
      });
    } finally {
      await setApprovalPolicy(t, 'item', 1);
    }
  });

  it('rejects a whole bulk only with a reason', async () => {
    const [proposer, approver] = await stewardPair(t);
    const p = uniqueCode('REJ').toUpperCase();
    const job = await importFile('work-center', '', `code,name\n${p}-1,A\n${p}-2,B\n`, proposer);
    const [bulk] = await bulksOf(job.id);
    const blank = await decideBulk('reject', { id: bulk.id, reason: '  ' }, approver);
    expect(blank.data.result).toMatchObject({ code: 'BAD_USER_INPUT', path: ['reason'] });
    const rejected = await decideBulk('reject', { id: bulk.id, reason: 'duplicate catalogue' }, approver);
    expect(rejected.data.result).toMatchObject({
      decidedCount: 2,
      bulkChangeRequest: { counts: { pending: 0, rejected: 2 } },
    });
    const unknown = await decideBulk('approve', { id: '00000000-0000-4000-8000-000000000000' }, approver);
    expect(unknown.data.result.code).toBe('NOT_FOUND');
    const viewer = await t.tokenFor('viewer');
    expect((await upload('work-center', '', `code,name\n${p}-3,C\n`, viewer)).status).toBe(403);
  });

  it('applies at once where the domain needs no approval', async () => {
    const [proposer] = await stewardPair(t);
    await setApprovalPolicy(t, 'lot', 0);
    try {
      const p = uniqueCode('LOT').toUpperCase();
      const item = await importFile(
        'item',
        'mode=apply',
        `code,name,type,uom,tracking\n${p},Lot item,goods,KGM,lot\n`,
        t.adminToken,
      );
      expect(item.rowsCreated).toBe(1);
      const job = await importFile('lot', '', `number,item\n${p}-L1,${p}\n`, proposer);
      expect(job).toMatchObject({ rowsProposed: 1, rowsRefused: 0 });
      const [bulk] = await bulksOf(job.id);
      expect(bulk.counts).toMatchObject({ pending: 0, applied: 1 });
    } finally {
      await setApprovalPolicy(t, 'lot', 1);
    }
  });

  it('lets a connector propose only the fields its system owns', async () => {
    const { system, token } = await connectorFor(t, { domain: 'work-center', fields: ['/name'] });
    const p = uniqueCode('OWN').toUpperCase();
    await importFile('work-center', 'mode=apply', `code,name\n${p}-1,One\n${p}-2,Two\n`, t.adminToken);
    const apply = await upload('work-center', 'mode=apply', `code,name\n${p}-1,Uno\n`, token);
    expect(apply.status).toBe(403);
    const job = await importFile('work-center', '', `code,name\n${p}-1,Uno\n${p}-2,Dos\n`, token);
    expect(job).toMatchObject({ rowsProposed: 2, rowsRefused: 0 });
    const [bulk] = await bulksOf(job.id);
    const members = await membersOf(bulk.id);
    expect(members.map((m) => m.proposed.name)).toEqual(['Uno', 'Dos']);
    // a field it does not own refuses the row (and, without skipInvalid, its batch)
    const refused = await importFile('work-center', '', `code,name,capacity\n${p}-2,Dos,7\n`, token);
    expect(refused.rowsProposed).toBe(0);
    expect(refused.report.map((r: { code: string }) => r.code)).toContain('FIELD_NOT_OWNED');
    expect(system).toBeTruthy();
  });

  it('shows an import’s progress and its bulks in the change feed', async () => {
    const [proposer] = await stewardPair(t);
    const p = uniqueCode('FEED').toUpperCase();
    const job = await importFile('work-center', 'batch=1', `code,name\n${p}-1,A\n${p}-2,B\n`, proposer);
    const feed = await t.gql(
      `{ changeFeed(domain: "work-center", first: 1000) { edges { node { type subjectId payload } } } }`,
    );
    expect(feed.errors).toBeUndefined();
    const events = nodes(feed.data.changeFeed).filter(
      (e) => e.subjectId === job.id || e.payload?.importJobId === job.id,
    );
    const progress = events.filter((e) => e.type === 'IMPORT_PROGRESS');
    expect(progress.map((e) => e.payload.rowsDone)).toEqual([1, 2, 2]);
    expect(progress.at(-1).payload).toMatchObject({ status: 'COMPLETED', rowsProposed: 2, mode: 'PROPOSE' });
    expect(events.filter((e) => e.type === 'BULK_CHANGE_PROPOSED')).toHaveLength(2);
  });
});
