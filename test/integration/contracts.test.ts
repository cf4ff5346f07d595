import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../../src/modules/contracts/contracts-folder.ts';
import { systemContext } from '../../src/startup.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { mutation, nodes } from '../support/factories.ts';
import { closedObject, uniqueName } from '../support/schemas.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const VERSION_FIELDS =
  'id contractName version status fingerprint uri lockVersion requiredBump changes { kind path }';

/** A registry mutation; `data[name]` is the contract version, or the error. */
const versionOp = (name: string, input: Record<string, unknown>, token?: string) =>
  mutation(t, name, input, 'contractVersion', VERSION_FIELDS, token);
const register = (input: Record<string, unknown>, token?: string) =>
  versionOp('registerContractVersion', input, token);
const publish = (contract: string, version: string, allowBreaking = false, token?: string) =>
  versionOp('publishContractVersion', { contract, version, allowBreaking }, token);
const registerAndPublish = async (
  contract: string,
  version: string,
  schema: unknown,
  extra: Record<string, unknown> = {},
) => {
  const r = await register({ contract, version, schema, ...extra });
  expect(r.data.registerContractVersion.status).toBe('DRAFT');
  return publish(contract, version);
};
const countRows = async (table: string) => {
  const rows = await t.app.orm.em
    .getConnection()
    .execute<{ n: string }[]>(`select count(*)::text as n from ${table}`);
  return Number(rows[0].n);
};

describe('built-in contracts', () => {
  it('are registered and published on first start: uom at 1.0.0, the others at 1.1.0 (free-text codes)', async () => {
    const r = await t.gql(
      `{ contracts(first: 50) { edges { node { name builtIn compatibility latestVersion { version status uri schema } } } } }`,
    );
    const byName = Object.fromEntries(r.data.contracts.edges.map((e: any) => [e.node.name, e.node]));
    for (const name of ['uom', 'item', 'location', 'lot', 'work-center']) {
      expect(byName[name].builtIn).toBe(true);
      const version = name === 'uom' ? '1.0.0' : '1.1.0';
      expect(byName[name].latestVersion.version).toBe(version);
      expect(byName[name].latestVersion.status).toBe('PUBLISHED');
      expect(byName[name].latestVersion.schema.$id).toBe(`urn:canon:contract:${name}:${version}`);
    }
    // item references the uom contract's code definition, resolved from the registry
    expect(JSON.stringify(byName.item.latestVersion.schema)).toContain(
      'urn:canon:contract:uom:1.0.0#/$defs/code',
    );
  });

  it('are listed with their versions in a fixed number of queries, however many contracts there are', async () => {
    const query =
      '{ contracts(first: 100) { edges { node { name versions { version } latestVersion { version } } } } }';
    await t.gql(query); // warm up
    const before = await t.countQueries(() => t.gql(query));
    await registerAndPublish(uniqueName('extra'), '1.0.0', closedObject({ a: { type: 'string' } }));
    await registerAndPublish(uniqueName('extra'), '1.0.0', closedObject({ a: { type: 'string' } }));
    const after = await t.countQueries(() => t.gql(query));
    expect(after).toBe(before);
    expect(after).toBeLessThanOrEqual(5); // contracts, versions, latest versions (the caller is not counted)
  });

  it('are described on every property and closed to unknown fields', async () => {
    const r = await t.gql(`{ contract(name: "item") { latestVersion { schema } } }`);
    const schema = r.data.contract.latestVersion.schema;
    expect(schema.additionalProperties).toBe(false);
    for (const [name, prop] of Object.entries<any>(schema.properties)) {
      expect(prop.description ?? schema.$defs?.[name]?.description, name).toBeTruthy();
    }
    expect(schema.examples.length).toBeGreaterThan(0);
  });

  it('are checked again in full at start when one differs: a new version is published, changed content refused', async () => {
    const ctx = systemContext();
    const docs = readContractsFolder(BUILT_IN_CONTRACTS_DIR);
    // all in place: nothing published, nothing refused
    const again = await t.app.services.contracts.registerBuiltIns(ctx, docs);
    expect(new Set(again.map((r) => r.outcome))).toEqual(new Set(['UNCHANGED']));
    // one more version (as a newer Canon ships it): published, and the contract stays built-in
    const name = uniqueName('shipped');
    const added = await t.app.services.contracts.registerBuiltIns(ctx, [
      ...docs,
      {
        contract: name,
        version: '1.0.0',
        schema: closedObject({ a: { type: 'string', description: 'A.' } }),
      },
    ]);
    expect(added.find((r) => r.contract === name)?.outcome).toBe('PUBLISHED');
    const r = await t.gql(`{ contract(name: "${name}") { builtIn } }`);
    expect(r.data.contract.builtIn).toBe(true);
    // a published version's content cannot change under the same number, at start either
    const item = docs.find((d) => d.contract === 'item' && d.version === '1.1.0')!;
    const changed = { ...item, schema: { ...item.schema, description: 'Edited in place.' } };
    await expect(t.app.services.contracts.registerBuiltIns(ctx, [changed])).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
    });
  });
});

describe('contract lifecycle', () => {
  it('registers a draft idempotently, edits it, publishes, deprecates and retires it', async () => {
    const name = uniqueName('pallet');
    const schema = closedObject({ code: { type: 'string' } }, ['code']);
    const first = await register({
      contract: name,
      version: '1.0.0',
      schema,
      description: 'Pallets',
      ownerTeam: 'logistics',
    });
    expect(first.data.registerContractVersion).toMatchObject({
      status: 'DRAFT',
      version: '1.0.0',
      uri: `urn:canon:contract:${name}:1.0.0`,
    });
    const again = await register({ contract: name, version: '1.0.0', schema });
    expect(again.data.registerContractVersion.id).toBe(first.data.registerContractVersion.id);

    const conflict = await register({
      contract: name,
      version: '1.0.0',
      schema: closedObject({ other: { type: 'string' } }),
    });
    expect(conflict.data.registerContractVersion.code).toBe('VERSION_CONFLICT');

    const edit = await versionOp('updateContractDraft', {
      contract: name,
      version: '1.0.0',
      schema: closedObject({ code: { type: 'string', maxLength: 20 } }, ['code']),
      expectedLockVersion: 1,
    });
    expect(edit.data.updateContractDraft.lockVersion).toBe(2);
    const stale = await versionOp('updateContractDraft', {
      contract: name,
      version: '1.0.0',
      schema,
      expectedLockVersion: 1,
    });
    expect(stale.data.updateContractDraft).toMatchObject({
      __typename: 'VersionConflictError',
      code: 'VERSION_CONFLICT',
    });
    const current = await t.gql(
      `mutation($input: UpdateContractDraftInput!) { updateContractDraft(input: $input) {
        ... on VersionConflictError { currentLockVersion } } }`,
      { input: { contract: name, version: '1.0.0', schema, expectedLockVersion: 1 } },
    );
    expect(current.data.updateContractDraft.currentLockVersion).toBe(2);

    const pub = await publish(name, '1.0.0');
    expect(pub.data.publishContractVersion.status).toBe('PUBLISHED');
    const republish = await publish(name, '1.0.0');
    expect(republish.data.publishContractVersion.status).toBe('PUBLISHED');

    const editPublished = await versionOp('updateContractDraft', {
      contract: name,
      version: '1.0.0',
      schema,
    });
    expect(editPublished.data.updateContractDraft.code).toBe('INVALID_STATE');

    const retireEarly = await versionOp('retireContractVersion', { contract: name, version: '1.0.0' });
    expect(retireEarly.data.retireContractVersion.code).toBe('INVALID_STATE');
    const dep = await versionOp('deprecateContractVersion', {
      contract: name,
      version: '1.0.0',
      reason: 'use 2.x',
    });
    expect(dep.data.deprecateContractVersion.status).toBe('DEPRECATED');
    const ret = await versionOp('retireContractVersion', { contract: name, version: '1.0.0' });
    expect(ret.data.retireContractVersion.status).toBe('RETIRED');

    const audit = await t.gql(
      `query($id: String!) { auditEvents(subjectId: $id) { edges { node { action actorName } } } }`,
      { id: first.data.registerContractVersion.id },
    );
    expect(nodes(audit.data.auditEvents).map((e: any) => e.action)).toEqual([
      'CONTRACT_VERSION_REGISTERED',
      'CONTRACT_DRAFT_UPDATED',
      'CONTRACT_VERSION_PUBLISHED',
      'CONTRACT_VERSION_DEPRECATED',
      'CONTRACT_VERSION_RETIRED',
    ]);
  });

  it('stores one content once', async () => {
    const name = uniqueName('bin');
    const schema = closedObject({ code: { type: 'string' } });
    await register({ contract: name, version: '1.0.0', schema });
    const twin = await register({
      contract: name,
      version: '1.0.1',
      schema: { ...schema, $schema: 'https://json-schema.org/draft/2020-12/schema' },
    });
    expect(twin.data.registerContractVersion.code).toBe('DUPLICATE_SCHEMA');
  });

  it('deletes drafts but not published versions', async () => {
    const name = uniqueName('tray');
    await register({ contract: name, version: '1.0.0', schema: closedObject({ a: { type: 'string' } }) });
    const del = await t.gql(
      `mutation($c: String!) { deleteContractDraft(input: { contract: $c, version: "1.0.0" }) {
        ... on DeleteContractDraftPayload { deletedContractVersionId } ... on Error { code } } }`,
      { c: name },
    );
    expect(del.data.deleteContractDraft.deletedContractVersionId).toBeTruthy();
    const gone = await t.gql(
      `query($c: String!) { contract(name: $c) { versions { totalCount edges { node { version } } } } }`,
      { c: name },
    );
    expect(gone.data.contract.versions).toEqual({ totalCount: 0, edges: [] });
  });
});

describe('semver discipline and compatibility modes', () => {
  it('publishes a compatible addition as MINOR and refuses a PATCH number for it', async () => {
    const name = uniqueName('carrier');
    await registerAndPublish(name, '1.0.0', closedObject({ code: { type: 'string' } }, ['code']));
    const v2 = closedObject({ code: { type: 'string' }, name: { type: 'string' } }, ['code']);
    await register({ contract: name, version: '1.0.1', schema: v2 });
    const low = await publish(name, '1.0.1');
    expect(low.data.publishContractVersion.code).toBe('VERSION_TOO_LOW');
    expect(low.data.publishContractVersion.message).toContain('MINOR');
    expect(low.data.publishContractVersion.details.map((d: any) => d.keyword)).toContain(
      'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
    );

    await t.gql(
      `mutation($c: String!) { deleteContractDraft(input: { contract: $c, version: "1.0.1" }) { __typename } }`,
      { c: name },
    );
    await register({ contract: name, version: '1.1.0', schema: v2 });
    const ok = await publish(name, '1.1.0');
    expect(ok.data.publishContractVersion).toMatchObject({ status: 'PUBLISHED', requiredBump: 'MINOR' });
    expect(ok.data.publishContractVersion.changes).toEqual([
      { kind: 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', path: '#/properties/name' },
    ]);

    // a description-only change is a PATCH
    const v3 = closedObject(
      { code: { type: 'string', description: 'carrier code' }, name: { type: 'string' } },
      ['code'],
    );
    const patch = await registerAndPublish(name, '1.1.1', v3);
    expect(patch.data.publishContractVersion.requiredBump).toBe('PATCH');

    // older numbers than the published line are refused
    await register({
      contract: name,
      version: '1.0.5',
      schema: closedObject({ code: { type: 'string', maxLength: 9 } }, ['code']),
    });
    const older = await publish(name, '1.0.5');
    expect(older.data.publishContractVersion.code).toBe('VERSION_TOO_LOW');
  });

  it('refuses a breaking change under BACKWARD, and lets an admin publish it as a new MAJOR with allowBreaking', async () => {
    const name = uniqueName('route');
    await registerAndPublish(
      name,
      '1.0.0',
      closedObject({ code: { type: 'string' }, legacy: { type: 'string' } }, ['code']),
    );
    const breaking = closedObject({ code: { type: 'string' } }, ['code']);
    await register({ contract: name, version: '2.0.0', schema: breaking });
    const refused = await publish(name, '2.0.0');
    expect(refused.data.publishContractVersion.code).toBe('INCOMPATIBLE_SCHEMA');
    expect(refused.data.publishContractVersion.details).toEqual([
      expect.objectContaining({
        path: '#/properties/legacy',
        keyword: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
      }),
    ]);

    const steward = await t.tokenFor('steward');
    const notAdmin = await publish(name, '2.0.0', true, steward);
    expect(notAdmin.data.publishContractVersion.code).toBe('FORBIDDEN');

    const forced = await publish(name, '2.0.0', true);
    expect(forced.data.publishContractVersion).toMatchObject({ status: 'PUBLISHED', requiredBump: 'MAJOR' });
    const audit = await t.gql(
      `query($id: String!) { auditEvents(subjectId: $id, action: CONTRACT_VERSION_PUBLISHED) { edges { node { after } } } }`,
      {
        id: forced.data.publishContractVersion.id,
      },
    );
    expect(nodes(audit.data.auditEvents)[0].after.allowBreaking).toBe(true);
  });

  it('lets mode NONE publish a breaking MAJOR without allowBreaking, but not as a MINOR', async () => {
    const name = uniqueName('zone');
    await registerAndPublish(name, '1.0.0', closedObject({ code: { type: 'string' } }), {
      compatibility: 'NONE',
    });
    const breaking = closedObject({ code: { type: 'integer' } });
    await register({ contract: name, version: '1.1.0', schema: breaking });
    expect((await publish(name, '1.1.0')).data.publishContractVersion.code).toBe('VERSION_TOO_LOW');
    await t.gql(
      `mutation($c: String!) { deleteContractDraft(input: { contract: $c, version: "1.1.0" }) { __typename } }`,
      { c: name },
    );
    await register({ contract: name, version: '2.0.0', schema: breaking });
    expect((await publish(name, '2.0.0')).data.publishContractVersion.status).toBe('PUBLISHED');
  });

  it('checks FORWARD and FULL modes in the right direction', async () => {
    const name = uniqueName('dock');
    await registerAndPublish(name, '1.0.0', closedObject({ code: { type: 'string' } }), {
      compatibility: 'FORWARD',
    });
    // adding an optional field to a closed model: old readers reject the new field → forward-incompatible
    const added = closedObject({ code: { type: 'string' }, door: { type: 'integer' } });
    const check = await t.gql(
      `query($c: String!, $s: JSON!) { checkCompatibility(contract: $c, schema: $s) {
        ... on CompatibilityReport { compatible mode backwardCompatible forwardCompatible requiredBump suggestedVersion comparedWith violations { kind path } }
        ... on Error { code } } }`,
      { c: name, s: added },
    );
    expect(check.data.checkCompatibility).toMatchObject({
      compatible: false,
      mode: 'FORWARD',
      backwardCompatible: true,
      forwardCompatible: false,
      requiredBump: 'MINOR',
      suggestedVersion: '1.1.0',
      comparedWith: ['1.0.0'],
    });
    expect(check.data.checkCompatibility.violations).toEqual([
      { kind: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', path: '#/properties/door' },
    ]);

    // relaxing a bound is backward- but not forward-compatible; tightening is the reverse
    const mode = await t.gql(
      `mutation($c: String!) { updateContract(input: { name: $c, compatibility: FULL, expectedLockVersion: 1 }) { ... on UpdateContractPayload { contract { compatibility lockVersion } } ... on Error { code } } }`,
      { c: name },
    );
    expect(mode.data.updateContract.contract).toEqual({ compatibility: 'FULL', lockVersion: 2 });
    const described = closedObject({ code: { type: 'string', description: 'Dock code' } });
    const full = await t.gql(
      `query($c: String!, $s: JSON!) { checkCompatibility(contract: $c, schema: $s) { ... on CompatibilityReport { compatible requiredBump } } }`,
      {
        c: name,
        s: described,
      },
    );
    expect(full.data.checkCompatibility).toEqual({ compatible: true, requiredBump: 'PATCH' });
  });

  it('checks every earlier live version under a transitive mode', async () => {
    const name = uniqueName('lane');
    await registerAndPublish(name, '1.0.0', closedObject({ code: { type: 'string', maxLength: 10 } }), {
      compatibility: 'BACKWARD_TRANSITIVE',
    });
    await registerAndPublish(name, '1.1.0', closedObject({ code: { type: 'string', maxLength: 20 } }));
    // 15 is compatible with 1.0.0 (10 → 15) but not with 1.1.0 (20 → 15)
    const r = await t.gql(
      `query($c: String!, $s: JSON!) { checkCompatibility(contract: $c, schema: $s) { ... on CompatibilityReport { compatible comparedWith violations { kind message } } } }`,
      { c: name, s: closedObject({ code: { type: 'string', maxLength: 15 } }) },
    );
    expect(r.data.checkCompatibility.compatible).toBe(false);
    expect(r.data.checkCompatibility.comparedWith).toEqual(['1.0.0', '1.1.0']);
    expect(r.data.checkCompatibility.violations.map((v: any) => v.kind)).toEqual(['MAX_LENGTH_DECREASED']);
  });
});

describe('references between contracts', () => {
  it('resolves $ref to published contract versions from the registry', async () => {
    const name = uniqueName('pack');
    const schema = closedObject({ uom: { $ref: 'urn:canon:contract:uom:1.0.0#/$defs/code' } }, ['uom']);
    const r = await registerAndPublish(name, '1.0.0', schema);
    expect(r.data.publishContractVersion.status).toBe('PUBLISHED');
    // changing the referenced definition for an inline one with the same rules is no change at all
    const inline = await t.gql(
      `query($c: String!, $s: JSON!) { checkCompatibility(contract: $c, schema: $s) { ... on CompatibilityReport { requiredBump changes { kind } } } }`,
      {
        c: name,
        s: closedObject(
          {
            uom: {
              title: 'UomCode',
              type: 'string',
              pattern: '^[A-Z0-9][A-Z0-9_-]{0,19}$',
              description: 'x',
            },
          },
          ['uom'],
        ),
      },
    );
    expect(inline.data.checkCompatibility.changes.map((c: any) => c.kind)).toEqual(['DESCRIPTION_CHANGED']);
  });

  it('refuses remote references without fetching them, and unknown contract versions', async () => {
    const before = await countRows('contract_version');
    const remote = await register({
      contract: uniqueName('web'),
      version: '1.0.0',
      schema: closedObject({ a: { $ref: 'https://example.com/schema.json' } }),
    });
    expect(remote.data.registerContractVersion).toMatchObject({ code: 'INVALID_SCHEMA', path: ['schema'] });
    expect(remote.data.registerContractVersion.details[0].path).toBe('#/properties/a/$ref');
    const missing = await register({
      contract: uniqueName('ghost'),
      version: '1.0.0',
      schema: closedObject({ a: { $ref: 'urn:canon:contract:nothing:9.9.9' } }),
    });
    expect(missing.data.registerContractVersion.code).toBe('REFERENCE_NOT_FOUND');
    expect(await countRows('contract_version')).toBe(before);
    expect(await countRows("contract where name like 'web-%' or name like 'ghost-%'")).toBe(0);
  });
});

describe('bad input changes nothing', () => {
  it('answers invalid schemas, names and versions with typed errors', async () => {
    const before = await countRows('contract_version');
    const auditBefore = await countRows('audit_event');
    const invalid = await register({
      contract: uniqueName('bad'),
      version: '1.0.0',
      schema: { type: 'objekt' },
    });
    expect(invalid.data.registerContractVersion.code).toBe('INVALID_SCHEMA');
    expect(invalid.data.registerContractVersion.details.length).toBeGreaterThan(0);
    const badRegex = await register({
      contract: uniqueName('bad'),
      version: '1.0.0',
      schema: { type: 'string', pattern: '([' },
    });
    expect(['INVALID_SCHEMA']).toContain(badRegex.data.registerContractVersion.code);
    // a format Canon does not validate would let anything through: refused, with where
    const unknownFormat = await register({
      contract: uniqueName('bad'),
      version: '1.0.0',
      schema: {
        type: 'object',
        properties: { gtin: { type: 'string', format: 'gtin' }, at: { type: 'string', format: 'date-time' } },
        examples: [{ format: 'not-a-format-here' }],
      },
    });
    expect(unknownFormat.data.registerContractVersion).toMatchObject({
      code: 'INVALID_SCHEMA',
      details: [{ path: '#/properties/gtin/format', message: 'unknown format "gtin"' }],
    });
    const draft3 = await register({
      contract: uniqueName('bad'),
      version: '1.0.0',
      schema: { $schema: 'http://json-schema.org/draft-03/schema#', type: 'string' },
    });
    expect(draft3.data.registerContractVersion).toMatchObject({
      code: 'INVALID_SCHEMA',
      path: ['schema', '$schema'],
    });
    // the message names the drafts Canon accepts
    for (const draft of ['draft-04', 'draft-06', 'draft-07', '2019-09', '2020-12'])
      expect(draft3.data.registerContractVersion.message).toContain(draft);
    const wrongId = await register({
      contract: uniqueName('bad'),
      version: '1.0.0',
      schema: { $id: 'urn:canon:contract:other:1.0.0', type: 'string' },
    });
    expect(wrongId.data.registerContractVersion).toMatchObject({
      code: 'INVALID_SCHEMA',
      path: ['schema', '$id'],
    });
    const badName = await register({ contract: 'Not_Kebab', version: '1.0.0', schema: { type: 'string' } });
    expect(badName.data.registerContractVersion).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: ['contract'],
    });
    const badVersion = await t.gql(
      `mutation { registerContractVersion(input: { contract: "x", version: "1.0", schema: {} }) { ... on Error { code } } }`,
    );
    expect(badVersion.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknownPublish = await publish(uniqueName('nope'), '1.0.0');
    expect(unknownPublish.data.publishContractVersion.code).toBe('NOT_FOUND');
    expect(await countRows('contract_version')).toBe(before);
    expect(await countRows('audit_event')).toBe(auditBefore);
  });

  it('refuses an oversized schema document with PAYLOAD_TOO_LARGE', async () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 6000; i++)
      properties[`field_${i}_${'x'.repeat(40)}`] = { type: 'string', description: 'y'.repeat(40) };
    const r = await register({
      contract: uniqueName('huge'),
      version: '1.0.0',
      schema: { type: 'object', properties },
    });
    expect(r.data.registerContractVersion.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('schemaDiff', () => {
  it('compares any two documents, draft-07 too', async () => {
    const r = await t.gql(
      `query($f: JSON!, $t: JSON!) { schemaDiff(from: $f, to: $t) { ... on SchemaDiff { backwardCompatible forwardCompatible requiredBump changes { kind path message compatible } } ... on Error { code } } }`,
      {
        f: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'array',
          items: [{ type: 'string' }],
          additionalItems: false,
        },
        t: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'array',
          items: [{ type: 'string' }, { type: 'number' }],
          additionalItems: false,
        },
      },
    );
    expect(r.data.schemaDiff).toMatchObject({
      backwardCompatible: true,
      forwardCompatible: false,
      requiredBump: 'MINOR',
    });
    expect(r.data.schemaDiff.changes[0]).toMatchObject({
      kind: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
      path: '#/items/1',
      compatible: true,
    });
  });

  it('reads documents without $schema as 2020-12, or as draft-07 when only draft-07 accepts them', async () => {
    const r = await t.gql(
      `query($f: JSON!, $t: JSON!) { schemaDiff(from: $f, to: $t) { ... on SchemaDiff { backwardCompatible changes { kind path } } ... on Error { code message } } }`,
      {
        f: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], additionalItems: false },
        t: { type: 'array', items: [{ type: 'string' }], additionalItems: { type: 'number' } },
      },
    );
    expect(r.data.schemaDiff).toEqual({
      backwardCompatible: true,
      changes: [
        { kind: 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', path: '#/items/1' },
        { kind: 'ADDITIONAL_ITEMS_ADDED', path: '#/additionalItems' },
      ],
    });
  });

  it('answers an invalid document with INVALID_SCHEMA and its meta-schema findings', async () => {
    const r = await t.gql(
      `query($f: JSON!) { schemaDiff(from: $f, to: {}) { ... on Error { code path details { path message } } } }`,
      {
        f: { type: 'object', minProperties: -1 },
      },
    );
    expect(r.data.schemaDiff).toMatchObject({ code: 'INVALID_SCHEMA', path: ['from'] });
    expect(r.data.schemaDiff.details[0].path).toBe('#/minProperties');
  });
});

describe('visibility by role', () => {
  it('hides drafts from viewers and pipelines and forbids them to write', async () => {
    const name = uniqueName('crate');
    await register({ contract: name, version: '1.0.0', schema: closedObject({ a: { type: 'string' } }) });
    for (const role of ['viewer', 'pipeline', 'connector'] as const) {
      const token = await t.tokenFor(role, role === 'connector' ? { systemCode: 'wms-eu' } : {});
      const seen = await t.gql(
        `query($c: String!) { contract(name: $c) { versions { edges { node { version } } } } }`,
        { c: name },
        token,
      );
      // a contract with only drafts does not exist for them (unknown and invisible look alike)
      expect(seen.data.contract, role).toBeNull();
      const write = await register(
        { contract: name, version: '1.0.1', schema: closedObject({ b: { type: 'string' } }) },
        token,
      );
      expect(write.data.registerContractVersion.code, role).toBe('FORBIDDEN');
    }
    const steward = await t.tokenFor('steward');
    const seen = await t.gql(
      `query($c: String!) { contract(name: $c) { versions { edges { node { version status } } } } }`,
      { c: name },
      steward,
    );
    expect(nodes(seen.data.contract.versions)).toEqual([{ version: '1.0.0', status: 'DRAFT' }]);
  });
});

describe('publication and other writers', () => {
  it('builds the type package before taking the lock every audited write waits on', async () => {
    const name = uniqueName('gen');
    await register({ contract: name, version: '1.0.0', schema: closedObject({ a: { type: 'string' } }) });
    const publishing = t.app.services.publishing;
    const prepare = publishing.prepare.bind(publishing);
    let log: string[] = [];
    try {
      log = await t.logQueries(async (mark) => {
        publishing.prepare = async (...args) => {
          mark('PREPARE START');
          const prepared = await prepare(...args);
          mark('PREPARE END');
          return prepared;
        };
        expect((await publish(name, '1.0.0')).data.publishContractVersion.status).toBe('PUBLISHED');
      });
    } finally {
      publishing.prepare = prepare;
    }
    const firstLock = log.findIndex((q) => q.includes('pg_advisory_xact_lock'));
    expect(log.indexOf('PREPARE START')).toBeGreaterThan(-1);
    expect(log.indexOf('PREPARE END')).toBeLessThan(firstLock);
    // and the package it built is stored with the publication
    const pkg = await t.gql(
      `query($c: String!) { contract(name: $c) { latestVersion { package { version } } } }`,
      {
        c: name,
      },
    );
    expect(pkg.data.contract.latestVersion.package.version).toBe('1.0.0');
  });
});

describe('outbox and audit', () => {
  it('writes an outbox event with each publication and keeps the audit chain verifiable', async () => {
    const before = await countRows("outbox_event where type = 'CONTRACT_VERSION_PUBLISHED'");
    await registerAndPublish(uniqueName('cart'), '1.0.0', closedObject({ a: { type: 'string' } }));
    expect(await countRows("outbox_event where type = 'CONTRACT_VERSION_PUBLISHED'")).toBe(before + 1);
    const v = await t.gql(
      `{ verifyAuditChain { ... on AuditChainVerification { valid checked brokenAt } } }`,
    );
    expect(v.data.verifyAuditChain.valid).toBe(true);
    expect(v.data.verifyAuditChain.checked).toBe(await countRows('audit_event'));
  });
});

describe('concurrent writers', () => {
  it('registering the same new contract concurrently yields one version, never an internal error', async () => {
    const name = uniqueName('race');
    const schema = closedObject({ a: { type: 'string' } });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => register({ contract: name, version: '1.0.0', schema })),
    );
    const outcomes = results.map(
      (r) =>
        r.data?.registerContractVersion?.status ??
        r.data?.registerContractVersion?.code ??
        r.errors?.[0].extensions?.code,
    );
    for (const o of outcomes) expect(['DRAFT', 'VERSION_CONFLICT']).toContain(o);
    expect(
      await countRows(`contract_version v join contract c on c.id = v.contract_id where c.name = '${name}'`),
    ).toBe(1);
  });

  it('concurrent publications of one contract are serialised and each is checked against the other', async () => {
    const name = uniqueName('duel');
    await registerAndPublish(name, '1.0.0', closedObject({ a: { type: 'string', maxLength: 10 } }));
    await register({
      contract: name,
      version: '1.1.0',
      schema: closedObject({ a: { type: 'string', maxLength: 20 } }),
    });
    await register({
      contract: name,
      version: '1.2.0',
      schema: closedObject({ a: { type: 'string', maxLength: 15 } }),
    });
    const [p1, p2] = await Promise.all([publish(name, '1.1.0'), publish(name, '1.2.0')]);
    const statuses = [
      p1.data.publishContractVersion.status ?? p1.data.publishContractVersion.code,
      p2.data.publishContractVersion.status ?? p2.data.publishContractVersion.code,
    ];
    // 1.2.0 (max 15) is compatible with 1.0.0 (max 10) alone, but not after 1.1.0 (max 20)
    if (statuses[1] === 'PUBLISHED') expect(statuses[0]).toBe('VERSION_TOO_LOW');
    else expect(statuses).toEqual(['PUBLISHED', 'INCOMPATIBLE_SCHEMA']);
  });
});
