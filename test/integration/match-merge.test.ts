/**
 * Match and merge end to end: Odoo-like duplicates (the same part under two codes from two systems,
 * one with a barcode) found on proposal with the expected score and reason; merged with a field choice
 * under four eyes; both systems' ids resolve to the survivor; the map and the feed show the move once;
 * unmerge restores records, references and xrefs exactly; refusals are typed; a concurrent edit and
 * merge end in one winner; "not a duplicate" is remembered by the domain match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { runCanon } from '../support/cli.ts';
import {
  approve,
  createRecord,
  ERROR_FIELDS,
  itemData,
  mutate,
  propose,
  registerSystem,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let proposer: string;
let approver: string;
beforeAll(async () => {
  t = await startTestApp();
  [proposer, approver] = await stewardPair(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const CR =
  'id status recordId operation requiredApprovals possibleDuplicates { recordId key score rule reasons { rule kind score message fields { path left right } } } merge { survivorId mergedId fields { path source rule } }';

const merge = (input: Record<string, unknown>, token = proposer) =>
  mutate(t, 'mergeRecords', input, CR, { token, field: 'changeRequest' });
const unmerge = (input: Record<string, unknown>, token = proposer) =>
  mutate(t, 'unmergeRecord', input, CR, { token, field: 'changeRequest' });

async function recordById(id: string) {
  const r = await t.gql(
    `query($id: ID!) { record(id: $id) { id key status data latestRevision mergedInto mergedFrom followedFrom } }`,
    { id },
  );
  expect(r.errors).toBeUndefined();
  return r.data.record;
}

async function history(id: string) {
  const r = await t.gql(
    `query($id: ID!) { history(recordId: $id, first: 100) { edges { node { revision operation status data } } } }`,
    { id },
  );
  return r.data.history.edges.map((e: { node: unknown }) => e.node);
}

async function resolve(system: string, ids: string[]) {
  const r = await t.gql(
    `query($s: String!, $ids: [String!]!) { resolveXrefs(system: $s, domain: "item", externalIds: $ids) { ... on ResolveXrefsPayload { resolutions { externalId recordId key } } ${ERROR_FIELDS} } }`,
    { s: system, ids },
  );
  return r.data.resolveXrefs.resolutions as {
    externalId: string;
    recordId: string | null;
    key: string | null;
  }[];
}

async function references(recordId: string): Promise<unknown[]> {
  const conn = t.app.services.orm.em.fork().getConnection();
  return conn.execute(
    'select from_record, field, to_record from record_reference where from_record = ? or to_record = ? order by 1, 2',
    [recordId, recordId],
  );
}

async function feed(types: string[], after: string) {
  const r = await t.gql(
    `query($a: BigIntString!, $types: [ChangeType!]) { changeFeed(afterSequence: $a, types: $types, first: 1000) { events { sequence type subjectId payload } } }`,
    { a: after, types },
  );
  expect(r.errors).toBeUndefined();
  return r.data.changeFeed.events as {
    sequence: string;
    type: string;
    subjectId: string;
    payload: Record<string, unknown>;
  }[];
}

async function lastSequence(): Promise<string> {
  const [row] = await t.app.services.orm.em
    .fork()
    .getConnection()
    .execute<{ s: string }[]>('select coalesce(max(sequence), 0)::text as s from outbox_event');
  return row.s;
}

/** The same part twice: Odoo's (with a barcode) and PLM's (same code but for punctuation), with ids in both. */
async function duplicates() {
  const tag = uniqueCode('HX').replace(/-/g, '');
  const odoo = await registerSystem(t, { code: uniqueCode('odoo') });
  const plm = await registerSystem(t, { code: uniqueCode('plm') });
  const gtin = gtin13(`40${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`);
  const a = await createRecord(
    t,
    'item',
    itemData(`${tag}-100`, { name: `Hex bolt M8x40 zinc ${tag}`, barcode: gtin, tracking: 'lot' }),
  );
  const proposal = await propose(
    t,
    {
      domain: 'item',
      data: itemData(`${tag.toLowerCase()}100`, {
        name: `Hex Bolt M8x40 Zinc ${tag}`,
        tracking: 'lot',
        weight: { quantity: '0.02', uom: 'KGM' },
      }),
    },
    proposer,
  );
  const b = await approve(t, proposal.id, approver);
  expect(b.status).toBe('APPLIED');
  const lot = await createRecord(t, 'lot', { item: `${tag.toLowerCase()}100`, number: 'L-1' });
  await mutate(
    t,
    'linkXrefs',
    { system: odoo.code, domain: 'item', links: [{ externalId: '101', recordId: a.recordId }] },
    'linked',
  );
  await mutate(
    t,
    'linkXrefs',
    { system: plm.code, domain: 'item', links: [{ externalId: 'PLM-7', recordId: b.recordId }] },
    'linked',
  );
  return {
    tag,
    a: a.recordId as string,
    b: b.recordId as string,
    lot: lot.recordId as string,
    proposalId: proposal.id as string,
    odoo: odoo.code as string,
    plm: plm.code as string,
    gtin,
  };
}

function gtin13(twelve: string): string {
  const sum = [...twelve].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${twelve}${(10 - (sum % 10)) % 10}`;
}

describe('match on proposal', () => {
  it('shows the live record a proposal duplicates, with score and reasons, and queues the pair once applied', async () => {
    const d = await duplicates();
    const cr = (await t.gql(`query($id: ID!) { changeRequest(id: $id) { ${CR} } }`, { id: d.proposalId }))
      .data.changeRequest;
    const hit = cr.possibleDuplicates.find((p: { recordId: string }) => p.recordId === d.a);
    expect(hit).toMatchObject({ key: `${d.tag}-100`, rule: 'same-code', score: 0.95 });
    const rules = hit.reasons.map((r: { rule: string }) => r.rule);
    expect(rules).toContain('same-code');
    expect(rules).toContain('similar-name');
    expect(hit.reasons[0].fields[0]).toMatchObject({
      path: '/code',
      left: `${d.tag.toLowerCase()}100`,
      right: `${d.tag}-100`,
    });

    const queue = await t.gql(
      `{ matchCandidates(domain: "item", minScore: 0.9, first: 500) { totalCount edges { node { id score rule foundBy leftId rightId left { key } right { key } reasons { rule } } } } }`,
    );
    const pair = queue.data.matchCandidates.edges
      .map((e: { node: any }) => e.node)
      .find((n: any) => [n.leftId, n.rightId].sort().join() === [d.a, d.b].sort().join());
    expect(pair).toMatchObject({ score: 0.95, rule: 'same-code', foundBy: 'PROPOSAL' });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^canon_match_candidates_open\{domain="item"\} [1-9]/m);
  });
});

describe('merge and unmerge', () => {
  it('merges under four eyes, re-points references and xrefs once, and unmerge restores exactly', async () => {
    const d = await duplicates();
    const before = { a: await recordById(d.a), b: await recordById(d.b), lot: await recordById(d.lot) };
    const refsBefore = { a: await references(d.a), b: await references(d.b), lot: await references(d.lot) };
    const since = await lastSequence();

    const cr = await merge({
      survivor: d.a,
      merged: d.b,
      fieldChoices: [{ path: '/name', source: 'MERGED' }],
      reason: 'same part in Odoo and PLM',
      idempotencyKey: `m-${d.tag}`,
    });
    expect(cr).toMatchObject({ status: 'PENDING', operation: 'MERGE', recordId: d.a, requiredApprovals: 1 });
    const fields = Object.fromEntries(
      cr.merge.fields.map((f: { path: string; source: string; rule: string }) => [f.path, f]),
    );
    expect(fields['/name']).toMatchObject({ source: 'MERGED', rule: 'CHOSEN' });
    expect(fields['/code']).toMatchObject({ source: 'SURVIVOR', rule: 'KEY' });
    expect(fields['/weight']).toMatchObject({ source: 'MERGED', rule: 'MOST_COMPLETE' });
    // a retry with the same key answers the same proposal
    expect(
      (
        await merge({
          survivor: d.a,
          merged: d.b,
          fieldChoices: [{ path: '/name', source: 'MERGED' }],
          reason: 'same part in Odoo and PLM',
          idempotencyKey: `m-${d.tag}`,
        })
      ).id,
    ).toBe(cr.id);
    // the proposer cannot approve it
    const self = await mutate(t, 'approveChange', { id: cr.id }, 'id', {
      token: proposer,
      field: 'changeRequest',
    });
    expect(self.code).toBe('SELF_APPROVAL');
    const applied = await approve(t, cr.id, approver);
    expect(applied.status).toBe('APPLIED');

    const survivor = await recordById(d.a);
    expect(survivor.data).toMatchObject({
      code: `${d.tag}-100`,
      name: before.b.data.name,
      barcode: d.gtin,
      weight: { quantity: '0.02', uom: 'KGM' },
    });
    expect(survivor.mergedFrom).toEqual([d.b]);
    // a read of the merged id answers the survivor
    const followed = await recordById(d.b);
    expect(followed).toMatchObject({ id: d.a, followedFrom: d.b });
    const mergedHistory = await history(d.b);
    expect(mergedHistory.at(-1)).toMatchObject({ operation: 'MERGE', status: 'MERGED' });
    // the lot of the merged item now belongs to the survivor
    expect((await recordById(d.lot)).data.item).toBe(`${d.tag}-100`);
    // both systems' ids resolve to the survivor
    expect(await resolve(d.plm, ['PLM-7'])).toEqual([
      { externalId: 'PLM-7', recordId: d.a, key: `${d.tag}-100` },
    ]);
    expect((await resolve(d.odoo, ['101']))[0].recordId).toBe(d.a);
    const map = await (
      await fetch(`${t.url}/maps/${d.plm}/item?format=ndjson`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      })
    ).text();
    expect(map).toContain(`"externalId":"PLM-7"`);
    expect(map).toContain(d.a);
    expect(map).not.toContain(d.b);
    const events = await feed(['RECORD_MERGED', 'XREF_REPOINTED'], since);
    expect(events.filter((e) => e.type === 'XREF_REPOINTED')).toEqual([
      expect.objectContaining({
        subjectId: d.a,
        payload: expect.objectContaining({
          system: d.plm,
          externalId: 'PLM-7',
          fromRecordId: d.b,
          recordId: d.a,
        }),
      }),
    ]);
    expect(events.filter((e) => e.type === 'RECORD_MERGED').map((e) => e.subjectId)).toEqual([d.b]);

    // merging again what is merged, into itself, or across domains: typed refusals
    expect((await merge({ survivor: d.a, merged: d.b })).code).toBe('INVALID_STATE');
    expect((await merge({ survivor: d.a, merged: d.a })).code).toBe('MERGE_NOT_ALLOWED');
    const across = await merge({ survivor: d.a, merged: d.lot });
    expect(across).toMatchObject({ code: 'MERGE_NOT_ALLOWED', path: ['merged'] });

    const sinceMerge = await lastSequence();
    const undone = await unmerge({ merged: d.b, reason: 'they differ after all' });
    expect(undone).toMatchObject({ status: 'APPLIED', operation: 'UNMERGE', recordId: d.b });
    const after = { a: await recordById(d.a), b: await recordById(d.b), lot: await recordById(d.lot) };
    expect(after.a.data).toEqual(before.a.data);
    expect(after.b).toMatchObject({ id: d.b, status: 'ACTIVE', mergedInto: null, data: before.b.data });
    expect(after.lot.data).toEqual(before.lot.data);
    expect(after.a.mergedFrom).toEqual([]);
    expect({ a: await references(d.a), b: await references(d.b), lot: await references(d.lot) }).toEqual(
      refsBefore,
    );
    expect((await resolve(d.plm, ['PLM-7']))[0]).toMatchObject({
      recordId: d.b,
      key: `${d.tag.toLowerCase()}100`,
    });
    expect((await resolve(d.odoo, ['101']))[0].recordId).toBe(d.a);
    const back = await feed(['RECORD_UNMERGED', 'XREF_REPOINTED'], sinceMerge);
    expect(back.map((e) => e.type).sort()).toEqual(['RECORD_UNMERGED', 'XREF_REPOINTED']);
    expect((await history(d.b)).at(-1)).toMatchObject({ operation: 'UNMERGE', status: 'ACTIVE' });
    // unmerged twice: the record is no longer merged
    expect((await unmerge({ merged: d.b })).code).toBe('INVALID_STATE');
    // operators see merges and the queue in /metrics
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^canon_records_merged_total\{domain="item",operation="MERGE"\} [1-9]/m);
    expect(metrics).toMatch(/^canon_records_merged_total\{domain="item",operation="UNMERGE"\} [1-9]/m);
    // an unmerge is remembered: the pair is not a duplicate
    const pair = await t.app.services.orm.em
      .fork()
      .getConnection()
      .execute<{ status: string }[]>(
        'select status from match_candidate where record_a = ? and record_b = ?',
        [d.a < d.b ? d.a : d.b, d.a < d.b ? d.b : d.a],
      );
    expect(pair[0].status).toBe('NOT_DUPLICATE');
  });

  it('a concurrent edit and merge of the same record: one wins, the other is a conflict', async () => {
    const d = await duplicates();
    const cr = await merge({ survivor: d.a, merged: d.b });
    expect(cr.status).toBe('PENDING');
    const edit = await propose(
      t,
      { domain: 'item', recordId: d.a, patch: { name: 'edited meanwhile' }, baseRevision: 1 },
      proposer,
    );
    expect((await approve(t, edit.id, approver)).status).toBe('APPLIED');
    const late = await approve(t, cr.id, approver);
    expect(late.status).toBe('CONFLICT');
    expect((await recordById(d.b)).status).toBe('ACTIVE');

    // the other way round: merged first, then an edit of the merged record on its old base
    const again = await merge({ survivor: d.a, merged: d.b });
    expect((await approve(t, again.id, approver)).status).toBe('APPLIED');
    const stale = await propose(
      t,
      { domain: 'item', recordId: d.b, patch: { name: 'too late' }, baseRevision: 1 },
      proposer,
    );
    expect(stale.code).toBe('VERSION_CONFLICT');
    // merge proposals naming a revision that moved are refused
    const moved = await merge({ survivor: d.a, merged: d.lot, survivorRevision: 1 });
    expect(['VERSION_CONFLICT', 'MERGE_NOT_ALLOWED']).toContain(moved.code);
  });

  it('refuses connectors and viewers, and records with a change scheduled for later', async () => {
    const d = await duplicates();
    const viewer = await t.tokenFor('viewer');
    expect((await merge({ survivor: d.a, merged: d.b }, viewer)).code).toBe('FORBIDDEN');
    const later = await propose(
      t,
      {
        domain: 'item',
        recordId: d.b,
        patch: { name: 'from next year' },
        effectiveFrom: '2099-01-01T00:00:00Z',
      },
      proposer,
    );
    expect((await approve(t, later.id, approver)).status).toBe('APPLIED');
    const scheduled = await merge({ survivor: d.a, merged: d.b });
    expect(scheduled).toMatchObject({ code: 'INVALID_STATE', path: ['merged'] });
    expect(scheduled.message).toMatch(/scheduled for 2099-01-01/);
  });
});

describe('match over a domain', () => {
  it('finds planted pairs in the background, reports progress, and never suggests a dismissed pair again', async () => {
    const tag = uniqueCode('MJ').replace(/-/g, '');
    await mutate(t, 'setApprovalPolicy', { domain: 'work-center', requiredApprovals: 0 }, 'domain', {
      field: 'approvalPolicy',
    });
    const ids: string[] = [];
    for (const [code, name] of [
      [`${tag}-A`, `Assembly line ${tag} station 12`],
      [`${tag}-B`, `Assembly Line ${tag} Station 12`],
      [`${tag}-C`, `Assembly line ${tag} station 14`],
      [`${tag}-D`, `Paint booth ${tag} 3`],
    ]) {
      const cr = await propose(t, { domain: 'work-center', data: { code, name, capacity: 1 } }, proposer);
      expect(cr.status).toBe('APPLIED');
      ids.push(cr.recordId);
    }
    const start = await mutate(t, 'startMatchJob', { domain: 'work-center' }, 'id status', {
      token: proposer,
      field: 'job',
    });
    const jobId = start.id;
    await t.app.services.matching.jobs.wait(jobId);
    const job = (
      await t.gql(
        `query($id: ID!) { matchJob(id: $id) { status phase records found comparisons compared } }`,
        { id: jobId },
      )
    ).data.matchJob;
    expect(job).toMatchObject({ status: 'COMPLETED', phase: 'DONE' });
    expect(job.records).toBeGreaterThanOrEqual(4);
    expect(job.compared).toBe(job.comparisons);
    const queue = async () =>
      (
        await t.gql(
          `{ matchCandidates(domain: "work-center", first: 500) { edges { node { id lockVersion leftId rightId rule } } } }`,
        )
      ).data.matchCandidates.edges
        .map((e: { node: any }) => e.node)
        .filter((n: any) => ids.includes(n.leftId) && ids.includes(n.rightId));
    const found = await queue();
    // A and B are one; C has another number (station 14); D is another thing
    expect(found.map((n: any) => [n.leftId, n.rightId].sort().join())).toEqual([
      [ids[0], ids[1]].sort().join(),
    ]);
    expect(found[0].rule).toBe('similar-name');

    // two stewards dismiss at once with the version they saw: one wins, the other is a typed conflict
    const dismiss = (token: string) =>
      t.gql(
        `mutation($i: MarkNotDuplicateInput!) { markNotDuplicate(input: $i) { ... on MarkNotDuplicatePayload { candidate { status } } ${ERROR_FIELDS} } }`,
        { i: { id: found[0].id, note: 'different stations', lockVersion: found[0].lockVersion } },
        token,
      );
    const results = await Promise.all([dismiss(proposer), dismiss(approver)]);
    const outcomes = results
      .map((r) => r.data.markNotDuplicate.candidate?.status ?? r.data.markNotDuplicate.code)
      .sort();
    expect(outcomes).toEqual(['NOT_DUPLICATE', 'VERSION_CONFLICT']);

    const rerun = await mutate(t, 'startMatchJob', { domain: 'work-center' }, 'id', {
      token: proposer,
      field: 'job',
    });
    await t.app.services.matching.jobs.wait(rerun.id);
    expect(await queue()).toEqual([]);
  });

  it('reads a page of the queue with both records in a fixed number of statements', async () => {
    const tag = uniqueCode('QN').replace(/-/g, '');
    await mutate(t, 'setApprovalPolicy', { domain: 'work-center', requiredApprovals: 0 }, 'domain', {
      field: 'approvalPolicy',
    });
    for (let i = 0; i < 4; i++)
      for (const code of [`${tag}-${i}`, `${tag}${i}`])
        expect(
          (
            await propose(
              t,
              { domain: 'work-center', data: { code, name: `Cell ${code}`, capacity: 1 } },
              proposer,
            )
          ).status,
        ).toBe('APPLIED');
    const page = (n: number) =>
      t.gql(
        `{ matchCandidates(domain: "work-center", first: ${n}) { edges { node { score left { key } right { key } reasons { rule } } } } }`,
      );
    expect((await page(10)).data.matchCandidates.edges.length).toBeGreaterThanOrEqual(4);
    const one = await t.countQueries(() => page(1));
    const ten = await t.countQueries(() => page(10));
    expect(ten).toBe(one);
  });

  it("proposes the merge of a pair at a rule's auto-merge threshold (the older record survives; stewards approve)", async () => {
    const tag = uniqueCode('AM').replace(/-/g, '');
    await mutate(t, 'setApprovalPolicy', { domain: 'location', requiredApprovals: 1 }, 'domain', {
      field: 'approvalPolicy',
    });
    const ids: string[] = [];
    for (const code of [`${tag}-A`, `${tag}A`]) {
      const cr = await propose(
        t,
        { domain: 'location', data: { code, name: `Rack ${code}`, usage: 'internal', site: 'AM1' } },
        proposer,
      );
      ids.push((await approve(t, cr.id, approver)).recordId);
    }
    const rule = await mutate(
      t,
      'setMatchRule',
      {
        domain: 'location',
        name: 'same-code',
        kind: 'EXACT',
        fields: ['/code', '/site'],
        score: 0.95,
        suggestAt: 0.9,
        autoMergeAt: 0.95,
      },
      'rule { autoMergeAt }',
    );
    expect(rule.rule.autoMergeAt).toBe(0.95);
    const job = await mutate(t, 'startMatchJob', { domain: 'location' }, 'id', {
      token: proposer,
      field: 'job',
    });
    await t.app.services.matching.jobs.wait(job.id);
    const done = (await t.gql(`query($id: ID!) { matchJob(id: $id) { status autoMerges } }`, { id: job.id }))
      .data.matchJob;
    expect(done.status).toBe('COMPLETED');
    expect(done.autoMerges).toBeGreaterThanOrEqual(1);
    const pending = await t.gql(
      `query($r: ID) { changeRequests(status: PENDING, recordId: $r) { edges { node { operation merge { mergedId } proposedByName } } } }`,
      { r: ids[0] },
    );
    const merges = pending.data.changeRequests.edges
      .map((e: { node: any }) => e.node)
      .filter((n: any) => n.operation === 'MERGE');
    expect(merges).toEqual([expect.objectContaining({ merge: { mergedId: ids[1] } })]);
    // the proposer of an automatic merge is who started the match: another steward approves it
    const cr = (
      await t.gql(
        `query($r: ID) { changeRequests(status: PENDING, recordId: $r) { edges { node { id operation } } } }`,
        { r: ids[0] },
      )
    ).data.changeRequests.edges
      .map((e: { node: any }) => e.node)
      .find((n: any) => n.operation === 'MERGE');
    expect((await approve(t, cr.id, approver)).status).toBe('APPLIED');
    expect((await recordById(ids[1])).followedFrom).toBe(ids[1]);
  });

  it('edits rules with typed errors for bad input', async () => {
    const set = (input: Record<string, unknown>, token?: string) =>
      t.gql(
        `mutation($i: SetMatchRuleInput!) { setMatchRule(input: $i) { ... on SetMatchRulePayload { rule { name kind suggestAt lockVersion } } ${ERROR_FIELDS} } }`,
        { i: input },
        token,
      );
    const ok = await set({
      domain: 'item',
      name: 'same-volume-and-name',
      kind: 'EXACT',
      fields: ['/name', '/volume'],
      score: 0.8,
      suggestAt: 0.8,
    });
    expect(ok.data.setMatchRule.rule).toMatchObject({ name: 'same-volume-and-name', kind: 'EXACT' });
    const bad = await set({
      domain: 'item',
      name: 'x',
      kind: 'FUZZY',
      fields: ['/name', '/code'],
      score: 0.8,
      suggestAt: 0.8,
      minSimilarity: 0.5,
    });
    expect(bad.data.setMatchRule).toMatchObject({ code: 'BAD_USER_INPUT', path: ['fields'] });
    const unknown = await set({
      domain: 'no-such-domain',
      name: 'x',
      kind: 'EXACT',
      fields: ['/code'],
      score: 1,
      suggestAt: 1,
    });
    expect(unknown.data.setMatchRule.code).toBe('NOT_FOUND');
    const steward = await set(
      { domain: 'item', name: 'x', kind: 'EXACT', fields: ['/code'], score: 1, suggestAt: 1 },
      proposer,
    );
    expect(steward.data.setMatchRule.code).toBe('FORBIDDEN');
    const stale = await set({
      domain: 'item',
      name: 'same-volume-and-name',
      kind: 'EXACT',
      fields: ['/name'],
      score: 0.8,
      suggestAt: 0.8,
      lockVersion: ok.data.setMatchRule.rule.lockVersion + 5,
    });
    expect(stale.data.setMatchRule.code).toBe('VERSION_CONFLICT');
    const removed = await t.gql(
      `mutation { removeMatchRule(input: { domain: "item", name: "same-volume-and-name" }) { ... on RemoveMatchRulePayload { name } ${ERROR_FIELDS} } }`,
    );
    expect(removed.data.removeMatchRule).toEqual({ name: 'same-volume-and-name' });
  });
});

describe('on the command line', () => {
  it('matches a domain with progress, lists candidates and rules, merges and unmerges', async () => {
    const canon = (args: string[], token = t.adminToken) =>
      runCanon(args, { CANON_URL: t.url, CANON_TOKEN: token });
    const d = await duplicates();
    const run = await canon(['match', '--domain', 'item', '--json'], proposer);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'COMPLETED', phase: 'DONE' });
    const listed = JSON.parse(
      (
        await canon([
          'match',
          'candidates',
          '--domain',
          'item',
          '--min-score',
          '0.9',
          '--limit',
          '500',
          '--json',
        ])
      ).stdout,
    );
    expect(
      listed.some(
        (c: any) =>
          [c.left.key, c.right.key].sort().join() ===
          [`${d.tag}-100`, `${d.tag.toLowerCase()}100`].sort().join(),
      ),
    ).toBe(true);
    const rules = await canon(['match', 'rules', '--domain', 'item']);
    expect(rules.stdout).toMatch(/item\s+same-barcode\s+EXACT\s+\/barcode/);
    const bad = await canon([
      'match',
      'set-rule',
      '--domain',
      'item',
      '--name',
      'x',
      '--kind',
      'FUZZY',
      '--fields',
      '/name,/code',
      '--score',
      '1',
      '--suggest-at',
      '1',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^BAD_USER_INPUT: A FUZZY rule compares one text field/);
    const merged = await canon(['merge', d.a, d.b, '--take', '/name=merged', '--reason', 'cli'], proposer);
    expect(merged.stdout).toMatch(/\/name: merged \(chosen\)/);
    expect(merged.stdout).toMatch(/is PENDING: 1 approval\(s\) needed/);
    const id = /Change request (\S+) is PENDING/.exec(merged.stdout)![1];
    expect((await approve(t, id, approver)).status).toBe('APPLIED');
    const undone = await canon(['unmerge', d.b, '--reason', 'cli'], proposer);
    expect(undone.stdout).toMatch(/^Unmerged \(change request /);
    expect((await recordById(d.b)).status).toBe('ACTIVE');
  }, 180_000);
});
