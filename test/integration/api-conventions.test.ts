/**
 * What API 1.0 promises on every type, through real requests: global ids that `node` / `nodes`
 * find again, keyset cursors that stay right while rows are inserted, idempotency keys on the
 * mutations that had none, and the documented result selection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectorFor,
  createRecord,
  itemData,
  mutate,
  nodes,
  registerSystem,
  registerVersion,
  setApprovalPolicy,
  uniqueCode,
} from '../support/factories.ts';
import { closedObject, uniqueName } from '../support/schemas.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('global ids', () => {
  it('find records, proposals, contract versions, systems and tokens again, in input order', async () => {
    const item = await createRecord(t, 'item', itemData(uniqueCode('NODE')));
    const system = await registerSystem(t, { code: uniqueCode('node-sys') });
    const ids = await t.gql(
      `query($id: ID!, $cr: ID!, $code: String!) {
        record(id: $id) { nodeId }
        changeRequest(id: $cr) { nodeId }
        contract(name: "item") { nodeId latestVersion { nodeId } }
        system(code: $code) { nodeId }
        me { tokenId }
      }`,
      { id: item.recordId, cr: item.id, code: system.code },
    );
    const wanted = [
      ids.data.record.nodeId,
      ids.data.changeRequest.nodeId,
      ids.data.contract.latestVersion.nodeId,
      ids.data.system.nodeId,
      ids.data.contract.nodeId,
    ];
    const found = await t.gql(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename nodeId
        ... on Item { id code } ... on ChangeRequest { id } ... on ContractVersion { version }
        ... on System { code } ... on Contract { name } } }`,
      { ids: [...wanted, Buffer.from('Item:01900000-0000-7000-8000-000000000009').toString('base64')] },
    );
    expect(found.errors).toBeUndefined();
    expect(found.data.nodes.map((n: any) => n?.__typename ?? null)).toEqual([
      'Item',
      'ChangeRequest',
      'ContractVersion',
      'System',
      'Contract',
      null,
    ]);
    expect(found.data.nodes[0]).toMatchObject({ id: item.recordId, nodeId: wanted[0] });
    expect(found.data.nodes[3].code).toBe(system.code);
    const one = await t.gql('query($id: ID!) { node(id: $id) { ... on Item { id } } }', { id: wanted[0] });
    expect(one.data.node.id).toBe(item.recordId);
    const malformed = await t.gql('{ node(id: "not a global id") { nodeId } }');
    expect(malformed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('give nothing away to a caller who may not read the object', async () => {
    const item = await createRecord(t, 'item', itemData(uniqueCode('HIDE')));
    const nodeId = (await t.gql(`{ record(id: "${item.recordId}") { nodeId } }`)).data.record.nodeId;
    const pipeline = await t.tokenFor('pipeline');
    const r = await t.gql('query($id: ID!) { node(id: $id) { nodeId } }', { id: nodeId }, pipeline);
    expect(r.data?.node ?? null).toBeNull();
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('names kept from before 1.0', () => {
  it('answer the change feed and map page shapes of the API before 1.0, marked deprecated', async () => {
    const item = await createRecord(t, 'item', itemData(uniqueCode('OLD')));
    const system = await registerSystem(t, { code: uniqueCode('old-sys') });
    await mutate(
      t,
      'linkXrefs',
      { system: system.code, domain: 'item', links: [{ externalId: 'O-1', recordId: item.recordId }] },
      'linked',
    );
    // the queries a connector written before 1.0 sends, unchanged
    const feed = await t.gql(
      'query($a: BigIntString!) { changeFeed(afterSequence: $a, first: 1000) { events { sequence type } lastSequence } }',
      { a: '0' },
    );
    expect(feed.errors).toBeUndefined();
    const events = feed.data.changeFeed.events;
    expect(events.length).toBeGreaterThan(0);
    expect(feed.data.changeFeed.lastSequence).toBe(events.at(-1).sequence);
    const empty = await t.gql(
      'query($a: BigIntString!) { changeFeed(afterSequence: $a) { events { sequence } lastSequence } }',
      {
        a: feed.data.changeFeed.lastSequence,
      },
    );
    expect(empty.data.changeFeed).toEqual({ events: [], lastSequence: feed.data.changeFeed.lastSequence });
    const map = await t.gql(
      'query($s: String!) { xrefMap(system: $s, domain: "item", first: 10) { nodes { externalId } endCursor hasNextPage } }',
      { s: system.code },
    );
    expect(map.data.xrefMap).toMatchObject({ nodes: [{ externalId: 'O-1' }], hasNextPage: false });
    expect(map.data.xrefMap.endCursor).toEqual(expect.any(String));
    // and introspection says they go
    const fields = await t.gql(
      '{ __type(name: "ChangeEventConnection") { fields(includeDeprecated: true) { name isDeprecated } } }',
    );
    expect(fields.data.__type.fields).toContainEqual({ name: 'lastSequence', isDeprecated: true });
  });
});

describe('keyset cursors', () => {
  it('continue after the last row seen while rows are inserted before and after it', async () => {
    const prefix = uniqueCode('KS').toUpperCase();
    for (const n of ['B', 'D', 'F']) await createRecord(t, 'item', itemData(`${prefix}-${n}`));
    const page = (after?: string) =>
      t.gql(
        'query($p: String!, $a: String) { items(first: 2, after: $a, filter: { keyPrefix: $p }) { totalCount edges { cursor node { code } } pageInfo { endCursor hasNextPage } } }',
        { p: prefix, a: after },
      );
    const first = await page();
    expect(nodes(first.data.items).map((n: any) => n.code)).toEqual([`${prefix}-B`, `${prefix}-D`]);
    expect(first.data.items.pageInfo.hasNextPage).toBe(true);
    // one row lands before the cursor, one after it
    await createRecord(t, 'item', itemData(`${prefix}-A`));
    await createRecord(t, 'item', itemData(`${prefix}-E`));
    const second = await page(first.data.items.pageInfo.endCursor);
    expect(nodes(second.data.items).map((n: any) => n.code)).toEqual([`${prefix}-E`, `${prefix}-F`]);
    expect(second.data.items.totalCount).toBe(5);
    const refused = await t.gql('{ items(last: 2) { totalCount } }');
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const foreign = await page(Buffer.from('audit:["1"]').toString('base64url'));
    expect(foreign.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(foreign.errors?.[0].message).toMatch(/not a cursor of this list/);
  });

  it('page the stewards inbox newest first without repeating a proposal', async () => {
    const [a, b] = [await t.tokenFor('steward'), await t.tokenFor('steward')];
    const domain = uniqueName('inbox');
    await registerVersion(t, {
      contract: domain,
      version: '1.0.0',
      schema: closedObject({ code: { type: 'string' } }),
    });
    await mutate(
      t,
      'publishContractVersion',
      { contract: domain, version: '1.0.0' },
      'contractVersion { status }',
    );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const cr = await mutate(
        t,
        'proposeChange',
        { domain, data: { code: `C${i}` } },
        'changeRequest { id }',
        {
          token: i % 2 ? a : b,
        },
      );
      ids.push(cr.changeRequest.id);
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const r: any = await t.gql(
        'query($d: String!, $a: String) { changeRequests(domain: $d, first: 2, after: $a) { totalCount edges { node { id } } pageInfo { endCursor hasNextPage } } }',
        { d: domain, a: after },
      );
      expect(r.data.changeRequests.totalCount).toBe(5);
      seen.push(...nodes(r.data.changeRequests).map((n: any) => n.id));
      if (!r.data.changeRequests.pageInfo.hasNextPage) break;
      after = r.data.changeRequests.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });
});

describe('typed refusals', () => {
  it('tell a connector which fields its system owns when it changes others, and change nothing', async () => {
    const location = await createRecord(t, 'location', {
      code: uniqueCode('LOC').toUpperCase(),
      name: 'Hall',
      usage: 'internal',
    });
    const { token } = await connectorFor(t, { domain: 'location', fields: ['/name', '/scrap'] });
    const before = await t.gql('query($id: ID!) { record(id: $id) { revision } }', { id: location.recordId });
    const refused = await mutate(
      t,
      'proposeChange',
      { domain: 'location', recordId: location.recordId, patch: { usage: 'view', name: 'Hall 2' } },
      'changeRequest { id }',
      { token, errors: '... on NotSystemOfRecordError { ownedFields refusedFields }' },
    );
    expect(refused).toMatchObject({
      __typename: 'NotSystemOfRecordError',
      code: 'FIELD_NOT_OWNED',
      ownedFields: ['/name', '/scrap'],
      refusedFields: ['/usage'],
    });
    const after = await t.gql('query($id: ID!) { record(id: $id) { revision } }', { id: location.recordId });
    expect(after.data.record.revision).toBe(before.data.record.revision);
    const allowed = await mutate(
      t,
      'proposeChange',
      { domain: 'location', recordId: location.recordId, patch: { name: 'Hall 2' } },
      'changeRequest { status }',
      { token },
    );
    expect(allowed.changeRequest.status).toBe('APPLIED');
  });
});

describe('idempotency keys on every mutation', () => {
  it('answer retried registry, system, policy and token mutations with the first answer', async () => {
    const key = () => uniqueName('key');
    const contract = uniqueName('idem');
    const register = {
      contract,
      version: '1.0.0',
      schema: closedObject({ code: { type: 'string' } }),
      idempotencyKey: key(),
    };
    const first = await registerVersion(t, register);
    expect((await registerVersion(t, register)).id).toBe(first.id);
    const publish = { contract, version: '1.0.0', idempotencyKey: key() };
    const published = await mutate(t, 'publishContractVersion', publish, 'contractVersion { id status }');
    expect(published.contractVersion.status).toBe('PUBLISHED');
    expect(
      (await mutate(t, 'publishContractVersion', publish, 'contractVersion { id }')).contractVersion.id,
    ).toBe(first.id);
    // the same key with another operation's input is refused, whatever the operation
    const reused = await mutate(
      t,
      'deprecateContractVersion',
      { ...publish, reason: 'x' },
      'contractVersion { id }',
    );
    expect(reused).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', path: ['idempotencyKey'] });

    const system = { code: uniqueCode('idem-sys'), idempotencyKey: key() };
    expect((await registerSystem(t, system)).code).toBe(system.code);
    const update = { code: system.code, name: 'Renamed', expectedLockVersion: 1, idempotencyKey: key() };
    const updated = await mutate(t, 'updateSystem', update, 'system { name lockVersion }');
    expect(updated.system).toEqual({ name: 'Renamed', lockVersion: 2 });
    // a retry of the same update is not a stale lock: it gets the first answer, as it is now
    expect((await mutate(t, 'updateSystem', update, 'system { name lockVersion }')).system).toEqual({
      name: 'Renamed',
      lockVersion: 2,
    });
    const stale = await mutate(t, 'updateSystem', { ...update, idempotencyKey: key() }, 'system { name }', {
      errors: '... on VersionConflictError { currentLockVersion }',
    });
    expect(stale).toMatchObject({ __typename: 'VersionConflictError', currentLockVersion: 2 });

    const policy = { domain: contract, requiredApprovals: 2, idempotencyKey: key() };
    await mutate(t, 'setApprovalPolicy', policy, 'approvalPolicy { requiredApprovals }');
    await setApprovalPolicy(t, contract, 0);
    // the retry answers the policy as it is now, and changes nothing
    const replay = await mutate(t, 'setApprovalPolicy', policy, 'approvalPolicy { requiredApprovals }');
    expect(replay.approvalPolicy.requiredApprovals).toBe(0);
  });

  it('run a mutation once when the same key arrives five times at once', async () => {
    const input = { code: uniqueCode('burst'), idempotencyKey: uniqueName('burst') };
    const answers = await Promise.all(Array.from({ length: 5 }, () => registerSystem(t, input)));
    expect(answers.map((a) => a.code)).toEqual(Array(5).fill(input.code));
    const audit = await t.gql(
      'query($id: String!) { auditEvents(subjectType: "System", subjectId: $id) { totalCount } }',
      { id: input.code },
    );
    expect(audit.data.auditEvents.totalCount).toBe(1);
  });
});
