/**
 * The loop back, end to end: an Odoo and a MES connector follow the item feed and acknowledge what
 * they did. The MES refuses an item (its unit unknown there) → an exception owned by the item data
 * team, the record quarantined; a steward fixes the item; the MES applies it → the exception resolves
 * itself, its resolution time is in /metrics, both systems are CURRENT; a MES that stopped before
 * acknowledging resumes from its acknowledged sequence with no gap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { runCanon } from '../support/cli.ts';
import {
  acknowledgeChanges,
  approve,
  connectorFor,
  createRecord,
  ERROR_FIELDS,
  itemData,
  mutate,
  propose,
  publishVersion,
  registerVersion,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let odoo: { system: string; token: string };
let mes: { system: string; token: string };
let plm: string;
let steward: string;
let approver: string;

const acknowledge = acknowledgeChanges;

async function feedAfter(token: string, after: string) {
  const r = await t.gql(
    `query($after: BigIntString) { changeFeed(afterSequence: $after, domain: "item", types: [RECORD_CHANGED], first: 1000) {
       edges { node { sequence subjectId revision payload } } } }`,
    { after },
    token,
  );
  expect(r.errors).toBeUndefined();
  return r.data.changeFeed.edges.map((e: { node: any }) => e.node) as {
    sequence: string;
    subjectId: string;
    revision: number;
    payload: { data: { uom: string; code: string } };
  }[];
}

async function syncStatus(system: string) {
  const r = await t.gql(
    `query($c: String!) { system(code: $c) { syncStatus { acknowledgedSequence highestAcknowledgedSequence headSequence
       lagSequences behindRecords failedRecords oldestUnacknowledgedAge } } }`,
    { c: system },
  );
  expect(r.errors).toBeUndefined();
  return r.data.system.syncStatus;
}

async function propagation(recordId: string) {
  const r = await t.gql(
    `query($id: ID!) { record(id: $id) { latestRevision quarantine { exceptionId } propagation { systemCode state appliedRevision expectedRevision behindSince lastError { code message } } } }`,
    { id: recordId },
  );
  expect(r.errors).toBeUndefined();
  return r.data.record;
}

/** A connector run: every item change after its cursor, applied unless `refuse` says otherwise. */
async function connectorRun(
  c: { system: string; token: string },
  refuse: (data: { uom: string; code: string }) => string | null,
  options: { stopAfter?: number; prefix?: string } = {},
) {
  const { acknowledgedSequence } = await syncStatus(c.system);
  const events = (await feedAfter(c.token, acknowledgedSequence)).filter((e) =>
    e.payload.data.code.startsWith(options.prefix ?? ''),
  );
  const handled = events.slice(0, options.stopAfter ?? events.length);
  const answer = await acknowledge(
    t,
    c.token,
    handled.map((e) => {
      const reason = refuse(e.payload.data);
      return reason
        ? { sequence: e.sequence, status: 'REFUSED', code: 'UNKNOWN_UOM', message: reason, blocking: true }
        : { sequence: e.sequence, status: 'APPLIED', externalId: `${c.system}-${e.payload.data.code}` };
    }),
  );
  return { events, handled, answer };
}

beforeAll(async () => {
  t = await startTestApp();
  [steward, approver] = await stewardPair(t);
  plm = uniqueCode('plm');
  await mutate(t, 'registerSystem', { code: plm, name: 'PLM', kind: 'PLM', team: 'item-data-team' }, 'code', {
    field: 'system',
  });
  await mutate(t, 'assignSystemOfRecord', { domain: 'item', system: plm, fields: ['/description'] }, 'id', {
    field: 'systemOfRecordRule',
  });
  odoo = await connectorFor(t, { kind: 'ERP' });
  mes = await connectorFor(t, { kind: 'MES' });
  for (const s of [odoo.system, mes.system]) {
    const sub = await mutate(t, 'setSubscription', { system: s, domain: 'item' }, 'id domain', {
      field: 'subscription',
    });
    expect(sub.domain).toBe('item');
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('an Odoo and a MES connector following the item feed', () => {
  const prefix = uniqueCode('P');
  let good: string;
  let odd: string;

  it('files an exception owned by the item team when the MES refuses an item, and quarantines it', async () => {
    good = (await createRecord(t, 'item', itemData(`${prefix}-1`))).recordId;
    odd = (await createRecord(t, 'item', itemData(`${prefix}-2`, { uom: 'LTR' }))).recordId;
    const before = await propagation(odd);
    expect(before.propagation.map((p: any) => [p.systemCode, p.state]).sort()).toEqual(
      [
        [mes.system, 'BEHIND'],
        [odoo.system, 'BEHIND'],
      ].sort(),
    );

    const o = await connectorRun(odoo, () => null, { prefix });
    expect(o.answer.rejected).toBe(0);
    const m = await connectorRun(mes, (d) => (d.uom === 'LTR' ? 'The MES knows no unit LTR' : null), {
      prefix,
    });
    expect(m.answer.results.map((r: any) => r.outcome)).toEqual(['RECORDED', 'RECORDED']);

    const after = await propagation(odd);
    const bySystem = Object.fromEntries(after.propagation.map((p: any) => [p.systemCode, p]));
    expect(bySystem[odoo.system]).toMatchObject({ state: 'CURRENT', appliedRevision: 1 });
    expect(bySystem[mes.system]).toMatchObject({
      state: 'FAILED',
      appliedRevision: null,
      lastError: { code: 'UNKNOWN_UOM', message: 'The MES knows no unit LTR' },
    });
    expect(after.quarantine).not.toBeNull();

    const list = await t.gql(
      `query($s: String!) { exceptions(system: $s, domain: "item") { totalCount edges { node { id owner ownerReason state code recordId revision occurrences blocking source } } } }`,
      { s: mes.system },
    );
    expect(list.errors).toBeUndefined();
    const [x] = list.data.exceptions.edges.map((e: any) => e.node);
    expect(list.data.exceptions.totalCount).toBe(1);
    expect(x).toMatchObject({
      owner: 'item-data-team',
      ownerReason: 'SYSTEM',
      state: 'OPEN',
      code: 'UNKNOWN_UOM',
      recordId: odd,
      revision: 1,
      occurrences: 1,
      blocking: true,
      source: 'ACKNOWLEDGEMENT',
    });
    // the applied item's MES id is linked in the same call
    const resolved = await t.gql(
      `query($s: String!, $id: String!) { resolveXrefs(system: $s, domain: "item", externalIds: [$id]) { ... on ResolveXrefsPayload { resolutions { recordId } } ${ERROR_FIELDS} } }`,
      { s: mes.system, id: `${mes.system}-${prefix}-1` },
    );
    expect(resolved.data.resolveXrefs.resolutions[0].recordId).toBe(good);
    const status = await syncStatus(mes.system);
    expect(status.failedRecords).toBe(1);
    expect(status.acknowledgedSequence).toBe(status.headSequence);
  });

  it('resolves the exception by itself once the fixed item is applied, and both systems are CURRENT', async () => {
    const proposed = await propose(
      t,
      { domain: 'item', recordId: odd, patch: { uom: 'KGM' }, baseRevision: 1 },
      steward,
    );
    const fixed = proposed.status === 'PENDING' ? await approve(t, proposed.id, approver) : proposed;
    expect(fixed.status).toBe('APPLIED');
    const mesStatus = await syncStatus(mes.system);
    expect(mesStatus.lagSequences).not.toBe('0');
    expect(mesStatus.oldestUnacknowledgedAge).toBeGreaterThanOrEqual(0);
    await connectorRun(odoo, () => null, { prefix });
    const m = await connectorRun(mes, (d) => (d.uom === 'LTR' ? 'still unknown' : null), { prefix });
    expect(m.handled.map((e) => [e.subjectId, e.revision])).toEqual([[odd, 2]]);

    const after = await propagation(odd);
    expect(after.propagation.map((p: any) => p.state)).toEqual(['CURRENT', 'CURRENT']);
    expect(after.quarantine).toBeNull();
    const list = await t.gql(
      `query($s: String!) { exceptions(system: $s, states: [RESOLVED]) { edges { node { state resolution resolutionSeconds } } } }`,
      { s: mes.system },
    );
    const [x] = list.data.exceptions.edges.map((e: any) => e.node);
    expect(x.state).toBe('RESOLVED');
    expect(x.resolution).toMatch(/^AUTO: /);
    expect(x.resolutionSeconds).toBeGreaterThanOrEqual(0);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(
      /canon_exception_resolution_seconds\{owner="item-data-team",domain="item",code="UNKNOWN_UOM",stat="mean"\} [0-9.e-]+/,
    );
    expect(metrics).toContain(`canon_propagation_lag_sequences{system="${mes.system}"} 0`);
    expect(metrics).toMatch(
      new RegExp(`canon_acknowledgement_refusals_total\\{system="${mes.system}",code="UNKNOWN_UOM"\\} 1`),
    );
    const summary = await t.gql(
      '{ exceptionSummary(owner: "item-data-team") { code resolved meanResolutionSeconds p90ResolutionSeconds open } }',
    );
    expect(summary.data.exceptionSummary).toContainEqual(
      expect.objectContaining({ code: 'UNKNOWN_UOM', resolved: 1, open: 0 }),
    );
  });

  it('a MES that stopped before acknowledging resumes from its acknowledged sequence with no gap', async () => {
    const codes = [`${prefix}-3`, `${prefix}-4`, `${prefix}-5`];
    const ids: string[] = [];
    for (const code of codes) ids.push((await createRecord(t, 'item', itemData(code))).recordId);
    // it applies all three, but stops after acknowledging the first
    const first = await connectorRun(mes, () => null, { prefix, stopAfter: 1 });
    expect(first.events.map((e) => e.subjectId)).toEqual(ids);
    const cursor = (await syncStatus(mes.system)).acknowledgedSequence;
    expect(cursor).toBe(String(BigInt(first.events[1].sequence) - 1n));
    // restarted: it reads its cursor and gets exactly what it had not acknowledged
    const second = await connectorRun(mes, () => null, { prefix });
    expect(second.events.map((e) => e.subjectId)).toEqual(ids.slice(1));
    const status = await syncStatus(mes.system);
    expect(status).toMatchObject({ behindRecords: 0, failedRecords: 0, lagSequences: '0' });
  });
});

describe('canon exceptions', () => {
  const canon = (args: string[], token = steward) => runCanon(args, { CANON_URL: t.url, CANON_TOKEN: token });

  it('lists a queue, shows one, resolves several at once and summarises', async () => {
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const x = await mutate(
        t,
        'reportException',
        {
          domain: 'item',
          externalId: uniqueCode(`LOT-${n}`),
          code: 'CLI_LOT',
          message: `Odoo refused lot ${n}`,
        },
        'id',
        { token: odoo.token, field: 'exception' },
      );
      ids.push(x.id);
    }
    const listed = await canon([
      'exceptions',
      'list',
      '--system',
      odoo.system,
      '--code',
      'CLI_LOT',
      '--json',
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(
      JSON.parse(listed.stdout)
        .map((x: { id: string }) => x.id)
        .sort(),
    ).toEqual([...ids].sort());
    const table = await canon(['exceptions', 'list', '--system', odoo.system, '--code', 'CLI_LOT']);
    expect(table.stdout).toContain('CLI_LOT');
    expect(table.stdout).toContain('item-data-team');
    const shown = await canon(['exceptions', 'show', ids[0]]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Odoo refused lot 1');
    const missing = await canon(['exceptions', 'show', '00000000-0000-7000-8000-000000000099']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NOT_FOUND');
    const resolved = await canon([
      'exceptions',
      'resolve',
      ids.join(','),
      '--note',
      'Items created in Odoo',
      '--json',
    ]);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(JSON.parse(resolved.stdout).map((x: { state: string }) => x.state)).toEqual([
      'RESOLVED',
      'RESOLVED',
    ]);
    // all or none: one closed already makes the whole call a typed conflict
    const again = await canon(['exceptions', 'resolve', ids.join(','), '--note', 'again']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('VERSION_CONFLICT');
    const summary = await canon(['exceptions', 'summary', '--owner', 'item-data-team', '--json']);
    expect(JSON.parse(summary.stdout)).toContainEqual(
      expect.objectContaining({ code: 'CLI_LOT', resolved: 2 }),
    );
  });
});

describe('a breaking item 2.0.0', () => {
  it('names odoo and mes as consumers and is held until both owners acknowledge', async () => {
    for (const [code, team] of [
      [odoo.system, 'erp-team'],
      [mes.system, 'mes-team'],
    ])
      await mutate(t, 'updateSystem', { code, team }, 'code team', { field: 'system' });
    // an item that still uses 'serial', and both connectors following the item feed (readers)
    await createRecord(t, 'item', itemData(uniqueCode('SER'), { tracking: 'serial' }));
    for (const c of [odoo, mes]) expect((await feedAfter(c.token, '0')).length).toBeGreaterThan(0);
    const latest = await t.gql('{ contract(name: "item") { latestVersion { version schema } } }');
    const current = latest.data.contract.latestVersion;
    const schema = structuredClone(current.schema);
    schema.$id = 'urn:canon:contract:item:2.0.0';
    schema.required = [...new Set([...(schema.required ?? []), 'name', 'type'])];
    const tracking = schema.properties.tracking;
    if (Array.isArray(tracking?.enum)) tracking.enum = tracking.enum.filter((v: string) => v !== 'serial');
    const draft = await registerVersion(t, { contract: 'item', version: '2.0.0', schema });
    expect(draft.status, JSON.stringify(draft)).toBe('DRAFT');

    const impact = await t.gql(
      `{ contractImpact(contract: "item", version: "2.0.0") { ... on ContractImpact { predecessor reasons state waitingFor
          consumers { systemCode kinds owner blocking acknowledged lastActivity notes } } ${ERROR_FIELDS} } }`,
    );
    expect(impact.errors).toBeUndefined();
    const view = impact.data.contractImpact;
    expect(view.reasons).toEqual(['MAJOR']);
    const blocking = view.consumers.filter((c: any) => c.blocking);
    expect(blocking.map((c: any) => [c.systemCode, c.owner]).sort()).toEqual(
      [
        [mes.system, 'mes-team'],
        [odoo.system, 'erp-team'],
      ].sort(),
    );
    expect(blocking.every((c: any) => c.kinds.includes('SUBSCRIBER') && c.lastActivity)).toBe(true);
    // both connectors read the item feed: counted per token, domain and day
    expect(blocking.every((c: any) => c.kinds.includes('READER'))).toBe(true);
    if (Array.isArray(tracking?.enum))
      expect(blocking[0].notes.join(' ')).toMatch(/live record\(s\) still hold serial at \/tracking/);

    // a build pipeline (which reads neither drafts nor subscriptions itself) sees what waits too
    const pipeline = await t.tokenFor('pipeline');
    const seen = await t.gql(
      `{ contractImpact(contract: "item", version: "2.0.0") { ... on ContractImpact { reasons consumers { systemCode blocking } } ${ERROR_FIELDS} } }`,
      {},
      pipeline,
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data.contractImpact.consumers.filter((c: any) => c.blocking)).toHaveLength(2);
    const held = await publishVersion(t, 'item', '2.0.0', { allowBreaking: true });
    expect(held).toMatchObject({ code: 'IMPACT_PENDING', path: ['version'] });
    expect(held.details.map((d: any) => d.path).sort()).toEqual([mes.system, odoo.system].sort());
    const feed = await t.gql(
      '{ changeFeed(types: [CONTRACT_IMPACT_PENDING, CONTRACT_IMPACT_ACKNOWLEDGED], first: 10) { edges { node { type payload } } } }',
    );
    expect(feed.data.changeFeed.edges.map((e: any) => e.node.type)).toEqual(['CONTRACT_IMPACT_PENDING']);

    // the MES's connector acknowledges for its own system only
    const foreign = await mutate(
      t,
      'acknowledgeContractImpact',
      { contract: 'item', version: '2.0.0', system: odoo.system },
      'impact { state }',
      { token: mes.token },
    );
    expect(foreign.code).toBe('FORBIDDEN');
    const first = await mutate(
      t,
      'acknowledgeContractImpact',
      { contract: 'item', version: '2.0.0', system: mes.system, note: 'MES reads 2.x from next release' },
      'impact { state waitingFor }',
      { token: mes.token },
    );
    expect(first.impact).toEqual({ state: 'PENDING', waitingFor: [odoo.system] });
    expect((await publishVersion(t, 'item', '2.0.0', { allowBreaking: true })).code).toBe('IMPACT_PENDING');
    const second = await mutate(
      t,
      'acknowledgeContractImpact',
      { contract: 'item', version: '2.0.0', system: odoo.system },
      'impact { state waitingFor consumers { systemCode acknowledged acknowledgedBy } }',
      { token: steward },
    );
    expect(second.impact.state).toBe('CLEARED');
    expect(second.impact.waitingFor).toEqual([]);
    const published = await publishVersion(t, 'item', '2.0.0', { allowBreaking: true });
    expect(published.status, JSON.stringify(published)).toBe('PUBLISHED');
    const after = await t.gql(
      '{ changeFeed(types: [CONTRACT_IMPACT_ACKNOWLEDGED], first: 10) { edges { node { payload } } } }',
    );
    expect(after.data.changeFeed.edges.map((e: any) => e.node.payload.waitingFor)).toEqual([
      [odoo.system],
      [],
    ]);
  });
});
