import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  approve,
  assignSystemOfRecord,
  mutation,
  nodes,
  propose as proposeChange,
  registerSystem,
  setApprovalPolicy,
} from '../support/factories.ts';

let t: TestApp;
let plm: string;
let wms: string;
let mes: string;
let odoo: string;
let steward: string;

const LANDSCAPE = [
  ['plm', 'PLM', []],
  ['wms-eu', 'WMS', ['EU1', 'EU2']],
  ['mes-plant1', 'MES', ['EU1']],
  ['odoo-main', 'ERP', []],
] as const;

// the landscape every test here works in, so any one of them runs alone (vitest -t)
beforeAll(async () => {
  t = await startTestApp();
  steward = await t.tokenFor('steward');
  for (const [code, kind, sites] of LANDSCAPE)
    await registerSystem(t, { code, name: code.toUpperCase(), kind, sites: [...sites] });
  await assignSystemOfRecord(t, { domain: 'item', system: 'plm' });
  await assignSystemOfRecord(t, { domain: 'location', system: 'wms-eu', site: 'EU1' });
  await assignSystemOfRecord(t, {
    domain: 'work-center',
    system: 'mes-plant1',
    fields: ['/timeEfficiency', '/capacity'],
  });
  await assignSystemOfRecord(t, { domain: 'work-center', system: 'odoo-main', fields: ['/costPerHour'] });
  plm = await t.tokenFor('connector', { systemCode: 'plm' });
  wms = await t.tokenFor('connector', { systemCode: 'wms-eu' });
  mes = await t.tokenFor('connector', { systemCode: 'mes-plant1' });
  odoo = await t.tokenFor('connector', { systemCode: 'odoo-main' });
});
afterAll(async () => {
  await t?.close();
});

const propose = (input: Record<string, unknown>, token: string) => proposeChange(t, input, token);
const register = (input: Record<string, unknown>, token?: string) =>
  mutation(t, 'registerSystem', input, 'system', 'systemCode: code kind sites active', token).then(
    (r) => r.data.registerSystem,
  );
const assign = (input: Record<string, unknown>) =>
  mutation(
    t,
    'assignSystemOfRecord',
    input,
    'systemOfRecordRule',
    'id domain system: systemCode site fields requiredApprovals',
  ).then((r) => r.data.assignSystemOfRecord);

describe('systems', () => {
  it('are registered by admins, idempotently', async () => {
    for (const [code, kind, sites] of LANDSCAPE) {
      // the same details again change nothing
      expect(await register({ code, name: code.toUpperCase(), kind, sites })).toMatchObject({
        systemCode: code,
        kind,
        active: true,
      });
    }
    expect((await register({ code: 'plm', name: 'Other', kind: 'PLM' })).code).toBe('DUPLICATE_KEY');
    expect((await register({ code: 'Bad Code', name: 'x', kind: 'OTHER' })).code).toBe('BAD_USER_INPUT');
    expect((await register({ code: 'x1', name: 'x', kind: 'OTHER' }, steward)).code).toBe('FORBIDDEN');
    const list = await t.gql('{ systems { totalCount edges { node { code } } } }', {}, steward);
    expect(nodes(list.data.systems).map((s: any) => s.code)).toEqual([
      'mes-plant1',
      'odoo-main',
      'plm',
      'wms-eu',
    ]);
    expect(list.data.systems.totalCount).toBe(4);
  });
});

describe('systems of record', () => {
  it('are assigned per domain, site and field, and overlaps are refused', async () => {
    const rules = await t.gql(
      '{ systemOfRecordRules { edges { node { domain systemCode site fields requiredApprovals } } } }',
    );
    expect(nodes(rules.data.systemOfRecordRules)).toEqual([
      { domain: 'item', systemCode: 'plm', site: null, fields: null, requiredApprovals: 0 },
      { domain: 'location', systemCode: 'wms-eu', site: 'EU1', fields: null, requiredApprovals: 0 },
      {
        domain: 'work-center',
        systemCode: 'mes-plant1',
        site: null,
        fields: ['/capacity', '/timeEfficiency'],
        requiredApprovals: 0,
      },
      {
        domain: 'work-center',
        systemCode: 'odoo-main',
        site: null,
        fields: ['/costPerHour'],
        requiredApprovals: 0,
      },
    ]);
    // the same rule again is harmless
    expect((await assign({ domain: 'item', system: 'plm' })).system).toBe('plm');

    expect(await assign({ domain: 'item', system: 'odoo-main' })).toMatchObject({ code: 'DUPLICATE_KEY' });
    expect(await assign({ domain: 'work-center', system: 'odoo-main', fields: ['/capacity'] })).toMatchObject(
      { code: 'DUPLICATE_KEY' },
    );
    expect(await assign({ domain: 'work-center', system: 'plm' })).toMatchObject({ code: 'DUPLICATE_KEY' });
    expect(await assign({ domain: 'location', system: 'odoo-main' })).toMatchObject({
      code: 'DUPLICATE_KEY',
    }); // all sites overlaps EU1
    expect(await assign({ domain: 'location', system: 'wms-eu', site: 'US1' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: ['site'],
    });
    expect(await assign({ domain: 'nothing', system: 'plm' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await assign({ domain: 'item', system: 'ghost' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await assign({ domain: 'lot', system: 'plm', fields: ['capacity'] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: ['fields'],
    });
  });

  it('let a connector propose only in its domains, applied as its rule says', async () => {
    const item = await propose(
      {
        domain: 'item',
        data: { code: 'PLM-1', name: 'From PLM', type: 'goods', uom: 'KGM', tracking: 'lot' },
      },
      plm,
    );
    expect(item).toMatchObject({ status: 'APPLIED', requiredApprovals: 0 });
    const me = await t.gql(
      '{ me { abilities { action subject conditions } } item(code: "PLM-1") { ... on Item { viewerCanPropose } } }',
      {},
      plm,
    );
    expect(me.data.me.abilities).toContainEqual({
      action: 'propose',
      subject: 'GoldenRecord',
      conditions: { domain: 'item' },
    });
    expect(me.data.item.viewerCanPropose).toBe(true);
    expect(
      (await t.gql('{ item(code: "PLM-1") { ... on Item { viewerCanPropose } } }', {}, wms)).data.item
        .viewerCanPropose,
    ).toBe(false);

    const notOwner = await propose({ domain: 'lot', data: { item: 'PLM-1', number: 'L1' } }, plm);
    expect(notOwner).toMatchObject({ code: 'NOT_SYSTEM_OF_RECORD' });
    const wrongDomain = await propose(
      { domain: 'item', data: { code: 'WMS-1', name: 'x', type: 'goods', uom: 'KGM', tracking: 'none' } },
      wms,
    );
    expect(wrongDomain.code).toBe('NOT_SYSTEM_OF_RECORD');
  });

  it('hold per site', async () => {
    const eu = await propose(
      { domain: 'location', data: { code: 'EU1-WH', name: 'Warehouse', usage: 'internal', site: 'EU1' } },
      wms,
    );
    expect(eu.status).toBe('APPLIED');
    const us = await propose(
      { domain: 'location', data: { code: 'US1-WH', name: 'Warehouse', usage: 'internal', site: 'US1' } },
      wms,
    );
    expect(us).toMatchObject({ code: 'NOT_SYSTEM_OF_RECORD' });
    expect(us.message).toContain('US1');
    const move = await propose({ domain: 'location', recordId: eu.recordId, patch: { site: 'US1' } }, wms);
    expect(move.code).toBe('NOT_SYSTEM_OF_RECORD');
  });

  it('hold per field: a system changes only the fields it owns', async () => {
    await setApprovalPolicy(t, 'work-center', 0);
    await propose(
      {
        domain: 'location',
        data: { code: 'EU1-PROD', name: 'Production', usage: 'production', site: 'EU1' },
      },
      wms,
    );
    const wc = await propose(
      {
        domain: 'work-center',
        data: {
          code: 'WC-P1',
          name: 'Press',
          site: 'EU1',
          location: 'EU1-PROD',
          capacity: 1,
          timeEfficiency: 90,
        },
      },
      steward,
    );
    expect(wc.status).toBe('APPLIED');
    const capacity = await propose(
      { domain: 'work-center', recordId: wc.recordId, patch: { capacity: 2, timeEfficiency: 95 } },
      mes,
    );
    expect(capacity.status).toBe('APPLIED');
    const cost = await propose(
      {
        domain: 'work-center',
        recordId: wc.recordId,
        patch: { costPerHour: [{ from: '2026-01-01', amount: '80.00', currency: 'EUR' }] },
      },
      mes,
    );
    expect(cost).toMatchObject({
      __typename: 'NotSystemOfRecordError',
      code: 'FIELD_NOT_OWNED',
      ownedFields: ['/capacity', '/timeEfficiency'],
      refusedFields: ['/costPerHour'],
    });
    expect(cost.details.map((d: any) => d.path)).toEqual(['/costPerHour']);
    const mixed = await propose(
      { domain: 'work-center', recordId: wc.recordId, patch: { capacity: 3, name: 'Renamed' } },
      mes,
    );
    expect(mixed.details.map((d: any) => d.path)).toEqual(['/name']);
    const odooCost = await propose(
      {
        domain: 'work-center',
        recordId: wc.recordId,
        patch: { costPerHour: [{ from: '2026-01-01', amount: '80.00', currency: 'EUR' }] },
      },
      odoo,
    );
    expect(odooCost.status).toBe('APPLIED');
    const create = await propose(
      { domain: 'work-center', data: { code: 'WC-P2', name: 'Lathe', capacity: 1 } },
      mes,
    );
    expect(create).toMatchObject({ code: 'FIELD_NOT_OWNED' });
    const read = await t.gql(
      '{ workCenter(code: "WC-P1") { ... on WorkCenter { capacity timeEfficiency currentCostPerHour revision } } }',
    );
    expect(read.data.workCenter).toMatchObject({ capacity: 2, timeEfficiency: 95, revision: 3 });
  });

  it("set the approvals a system's proposals need, and stop when the system is deactivated", async () => {
    const rules = await t.gql(
      '{ systemOfRecordRules(domain: "item") { edges { node { id system { code } } } } }',
    );
    const [rule] = nodes(rules.data.systemOfRecordRules);
    expect(rule.system.code).toBe('plm');
    const removed = await t.gql(
      'mutation($id: ID!) { removeSystemOfRecord(input: { id: $id }) { ... on RemoveSystemOfRecordPayload { removedRuleId } } }',
      { id: rule.id },
    );
    expect(removed.data.removeSystemOfRecord.removedRuleId).toBe(rule.id);
    expect(await assign({ domain: 'item', system: 'plm', requiredApprovals: 1 })).toMatchObject({
      requiredApprovals: 1,
    });
    const pending = await propose(
      {
        domain: 'item',
        data: { code: 'PLM-2', name: 'Needs a steward', type: 'goods', uom: 'KGM', tracking: 'none' },
      },
      plm,
    );
    expect(pending).toMatchObject({ status: 'PENDING', requiredApprovals: 1 });
    expect((await approve(t, pending.id, steward)).status).toBe('APPLIED');

    await t.gql(
      'mutation { updateSystem(input: { code: "plm", active: false }) { ... on UpdateSystemPayload { system { active } } } }',
    );
    // a deactivated system's connector tokens are disabled: nothing it sends gets through
    await expect(
      propose(
        { domain: 'item', data: { code: 'PLM-3', name: 'x', type: 'goods', uom: 'KGM', tracking: 'none' } },
        plm,
      ),
    ).rejects.toThrow(/UNAUTHENTICATED/);
    const audit = await t.gql(
      '{ auditEvents(subjectType: "System", subjectId: "plm") { edges { node { action } } } }',
    );
    expect(nodes(audit.data.auditEvents).map((e: any) => e.action)).toEqual([
      'SYSTEM_REGISTERED',
      'SYSTEM_DEACTIVATED',
    ]);
  });
});

describe('connector tokens and their system', () => {
  const createConnectorToken = (systemCode: string) =>
    t.gql(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
        __typename ... on CreateApiTokenPayload { token } ... on Error { code path message } } }`,
      { input: { role: 'CONNECTOR', systemCode, actorName: `connector-of-${systemCode}` } },
    );
  const setActive = (code: string, active: boolean) =>
    t.gql(
      `mutation($input: UpdateSystemInput!) { updateSystem(input: $input) { __typename ... on UpdateSystemPayload { system { active } } } }`,
      { input: { code, active } },
    );
  const resolveAs = (token: string, system: string) =>
    t.gql(
      `query($s: String!) { resolveXrefs(system: $s, domain: "item", externalIds: ["1"]) { __typename } }`,
      { s: system },
      token,
    );

  it('are issued only for a registered, active system', async () => {
    const typo = await createConnectorToken('odoo-mian');
    expect(typo.data.createApiToken).toMatchObject({ code: 'NOT_FOUND', path: ['systemCode'] });
    await registerSystem(t, { code: 'qms-retired', name: 'QMS', kind: 'QMS' });
    await setActive('qms-retired', false);
    const retired = await createConnectorToken('qms-retired');
    expect(retired.data.createApiToken).toMatchObject({ code: 'INVALID_STATE', path: ['systemCode'] });
  });

  it('stop working while their system is deactivated, and work again when it is reactivated', async () => {
    await registerSystem(t, { code: 'sched-1', name: 'Scheduler', kind: 'SCHEDULER' });
    const token = (await createConnectorToken('sched-1')).data.createApiToken.token as string;
    expect((await resolveAs(token, 'sched-1')).data.resolveXrefs.__typename).toBe('ResolveXrefsPayload');
    await setActive('sched-1', false);
    const refused = await resolveAs(token, 'sched-1');
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.errors?.[0]?.message).toContain('deactivated');
    await setActive('sched-1', true);
    expect((await resolveAs(token, 'sched-1')).data.resolveXrefs.__typename).toBe('ResolveXrefsPayload');
  });
});
