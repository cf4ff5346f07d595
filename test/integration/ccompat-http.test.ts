/**
 * The Confluent-compatible API over raw HTTP: every endpoint, the subject/version/id mapping, schema
 * references, Canon's lifecycle behind delete, and each Confluent error code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../src/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/schemas.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const MEDIA = 'application/vnd.schemaregistry.v1+json';
const basic = (token: string) => `Basic ${Buffer.from(`canon:${token}`).toString('base64')}`;

async function cc(method: string, path: string, body?: unknown, auth: string | null = basic(t.adminToken)) {
  const res = await fetch(`${t.url}/ccompat${path}`, {
    method,
    headers: {
      accept: MEDIA,
      ...(body === undefined ? {} : { 'content-type': MEDIA }),
      ...(auth ? { authorization: auth } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
}

const json = (schema: unknown, extra: Record<string, unknown> = {}) => ({
  schemaType: 'JSON',
  schema: JSON.stringify(schema),
  ...extra,
});
const address = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
};
const customer = (extra: Record<string, unknown> = {}) => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://example.com/customer.schema.json',
  type: 'object',
  properties: { name: { type: 'string' }, ship: { $ref: 'address.json' }, ...extra },
});

describe('reading and registering', () => {
  it('maps subjects to contracts, versions to the publication order and ids to registry ids', async () => {
    const topic = uniqueName('cust');
    const addr = await cc('POST', `/subjects/${topic}.address/versions`, json(address));
    expect(addr.status).toBe(200);
    expect(addr.type).toContain(MEDIA);
    const ref = { name: 'address.json', subject: `${topic}.address`, version: 1 };
    const first = await cc(
      'POST',
      `/subjects/${topic}-value/versions`,
      json(customer(), { references: [ref] }),
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: expect.any(Number), version: 1 });
    const second = await cc(
      'POST',
      `/subjects/${topic}-value/versions`,
      json({ ...customer(), description: 'A customer' }, { references: [ref] }),
    );
    expect(second.body).toMatchObject({ version: 2 });
    expect(second.body.id).toBeGreaterThan(first.body.id);

    expect((await cc('GET', '/subjects')).body).toEqual(expect.arrayContaining([topic, `${topic}.address`]));
    expect((await cc('GET', `/subjects?subjectPrefix=${topic}.`)).body).toEqual([`${topic}.address`]);
    expect((await cc('GET', `/subjects/${topic}-value/versions`)).body).toEqual([1, 2]);
    expect((await cc('GET', `/subjects/${topic}/versions`)).body).toEqual([1, 2]);
    const latest = await cc('GET', `/subjects/${topic}-value/versions/latest`);
    expect(latest.body).toMatchObject({
      subject: `${topic}-value`,
      version: 2,
      id: second.body.id,
      schemaType: 'JSON',
    });
    // the reference became Canon's cross-contract $ref, and is listed back as a reference
    const stored = JSON.parse(latest.body.schema);
    expect(stored.properties.ship.$ref).toBe(`urn:canon:contract:${topic}.address:1.0.0`);
    expect(stored.$id).toBe(`urn:canon:contract:${topic}:1.0.1`);
    expect(latest.body.references).toEqual([
      { name: `urn:canon:contract:${topic}.address:1.0.0`, subject: `${topic}.address`, version: 1 },
    ]);
    expect((await cc('GET', `/subjects/${topic}-value/versions/-1`)).body.version).toBe(2);
    expect((await cc('GET', `/subjects/${topic}-value/versions/1/schema`)).body.properties.name).toEqual({
      type: 'string',
    });

    const byId = await cc('GET', `/schemas/ids/${first.body.id}`);
    expect(byId.body).toMatchObject({ schemaType: 'JSON', references: [{ subject: `${topic}.address` }] });
    expect((await cc('GET', `/schemas/ids/${first.body.id}/schema`)).body.type).toBe('object');
    expect((await cc('GET', `/schemas/ids/${first.body.id}/subjects`)).body).toEqual([topic]);
    expect((await cc('GET', `/schemas/ids/${first.body.id}/versions`)).body).toEqual([
      { subject: topic, version: 1 },
    ]);
    expect((await cc('GET', `/schemas/guids/${byId.body.guid}`)).body.schema).toBe(byId.body.schema);

    // registering the same content again is the same id; lookup finds it, a new content is 40403
    const again = await cc(
      'POST',
      `/subjects/${topic}-value/versions`,
      json(customer(), { references: [ref] }),
    );
    expect(again.body.id).toBe(first.body.id);
    const lookup = await cc('POST', `/subjects/${topic}-value`, json(customer(), { references: [ref] }));
    expect(lookup.body).toMatchObject({ subject: `${topic}-value`, id: first.body.id, version: 1 });
    const missing = await cc(
      'POST',
      `/subjects/${topic}-value`,
      json({ ...customer(), title: 'other' }, { references: [ref] }),
    );
    expect(missing).toMatchObject({ status: 404, body: { error_code: 40403 } });

    // Canon's semver: a description alone is a PATCH
    const versions = await t.gql(
      'query($c: String!) { contract(name: $c) { versions { edges { node { version } } } } }',
      {
        c: topic,
      },
    );
    expect(versions.data.contract.versions.edges.map((e: any) => e.node.version)).toEqual(['1.0.1', '1.0.0']);
  });

  it('answers the types, the root and the mode', async () => {
    expect((await cc('GET', '/schemas/types')).body).toEqual(['JSON']);
    expect((await cc('GET', '/')).body).toEqual({});
    expect((await cc('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
    expect((await cc('PUT', '/mode', { mode: 'READWRITE' })).body).toEqual({ mode: 'READWRITE' });
    expect(await cc('PUT', '/mode', { mode: 'IMPORT' })).toMatchObject({
      status: 422,
      body: { error_code: 42204 },
    });
  });

  it('refuses Avro, Protobuf, a schema without a type, bad JSON and an invalid document', async () => {
    const subject = uniqueName('bad');
    for (const schemaType of ['AVRO', 'PROTOBUF', undefined]) {
      const r = await cc('POST', `/subjects/${subject}/versions`, {
        schema: '{"type":"string"}',
        schemaType,
      });
      expect(r, String(schemaType)).toMatchObject({ status: 422, body: { error_code: 42201 } });
      expect(r.body.message).toContain(`Invalid schema type ${schemaType ?? 'AVRO'}`);
    }
    expect(
      await cc('POST', `/subjects/${subject}/versions`, { schemaType: 'JSON', schema: '{not json' }),
    ).toMatchObject({
      status: 422,
      body: { error_code: 42201 },
    });
    expect(
      await cc('POST', `/subjects/${subject}/versions`, json({ type: 'object', minProperties: -1 })),
    ).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await cc('POST', `/subjects/${subject}/versions`, '{"schema":')).toMatchObject({
      status: 400,
      body: { error_code: 400 },
    });
    expect(
      await cc(
        'POST',
        `/subjects/${subject}/versions`,
        json({ properties: { a: { $ref: 'missing.json' } } }),
      ),
    ).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(
      await cc(
        'POST',
        `/subjects/${subject}/versions`,
        json(address, { references: [{ name: 'x', subject: 'nope', version: 3 }] }),
      ),
    ).toMatchObject({ status: 422, body: { error_code: 42201 } });
    // nothing was stored
    expect((await cc('GET', `/subjects/${subject}/versions`)).body.error_code).toBe(40401);
    expect(await t.gql('query($c: String!) { contract(name: $c) { name } }', { c: subject })).toMatchObject({
      data: { contract: null },
    });
  });

  it('answers 40401, 40402, 40403, 42202 and 42208 with Confluent messages', async () => {
    expect(await cc('GET', '/subjects/no-such-subject/versions')).toMatchObject({
      status: 404,
      body: { error_code: 40401, message: "Subject 'no-such-subject' not found." },
    });
    expect(await cc('GET', '/subjects/item/versions/99')).toMatchObject({
      status: 404,
      body: { error_code: 40402, message: 'Version 99 not found.' },
    });
    expect(await cc('GET', '/schemas/ids/999999')).toMatchObject({
      status: 404,
      body: { error_code: 40403 },
    });
    expect(await cc('GET', '/schemas/ids/abc')).toMatchObject({ status: 404, body: { error_code: 40403 } });
    for (const v of ['0', 'abc', '2147483648'])
      expect(await cc('GET', `/subjects/item/versions/${v}`), v).toMatchObject({
        status: 422,
        body: { error_code: 42202 },
      });
    expect(await cc('POST', '/subjects/Not%20Valid/versions', json(address))).toMatchObject({
      status: 422,
      body: { error_code: 42208 },
    });
    expect(await cc('POST', '/subjects/event.mine-value/versions', json(address))).toMatchObject({
      status: 422,
    });
    expect(await cc('GET', '/nowhere')).toMatchObject({ status: 404 });
    expect(await cc('PATCH', '/subjects')).toMatchObject({ status: 405 });
  });

  it('answers bad %-encoding with 400 and an oversized body with 413, storing nothing', async () => {
    expect(await cc('GET', '/subjects/%E0%A4%A/versions')).toMatchObject({
      status: 400,
      body: { error_code: 400 },
    });
    const subject = uniqueName('big');
    const huge = json({ type: 'object', description: 'x'.repeat(3 * 1024 * 1024) });
    expect(await cc('POST', `/subjects/${subject}/versions`, huge)).toMatchObject({
      status: 413,
      body: { error_code: 413 },
    });
    expect((await cc('GET', `/subjects/${subject}/versions`)).body.error_code).toBe(40401);
  });

  it("registers a draft-04 document as draft-04, its foreign id replaced by Canon's", async () => {
    const subject = uniqueName('legacy');
    const doc = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: 'http://example.com/legacy.json',
      type: 'object',
      properties: { qty: { type: 'number', minimum: 0, exclusiveMinimum: true } },
    };
    const r = await cc('POST', `/subjects/${subject}-value/versions`, json(doc));
    expect(r.status).toBe(200);
    const stored = JSON.parse((await cc('GET', `/schemas/ids/${r.body.id}`)).body.schema);
    expect(stored).toMatchObject({ $schema: doc.$schema, id: `urn:canon:contract:${subject}:1.0.0` });
    // the same document again (its own id and all) is the same version
    expect((await cc('POST', `/subjects/${subject}-value/versions`, json(doc))).body.id).toBe(r.body.id);
    const version = await t.gql('query($c: String!) { contract(name: $c) { latestVersion { draft } } }', {
      c: subject,
    });
    expect(version.data.contract.latestVersion.draft).toBe('DRAFT_04');
  });

  it('serves the built-in contracts, already published, with their ids', async () => {
    const versions = await cc('GET', '/subjects/item-value/versions');
    expect(versions.body[0]).toBe(1);
    const v1 = await cc('GET', '/subjects/item/versions/1');
    expect(JSON.parse(v1.body.schema).$id).toBe('urn:canon:contract:item:1.0.0');
  });
});

describe('compatibility and config', () => {
  it('checks a schema against one version or as the mode says, verbose on request', async () => {
    const subject = uniqueName('compat');
    await cc('POST', `/subjects/${subject}/versions`, json(address));
    const closed = {
      ...address,
      required: ['city', 'zip'],
      properties: { ...address.properties, zip: { type: 'string' } },
    };
    const r = await cc(
      'POST',
      `/compatibility/subjects/${subject}/versions/latest?verbose=true`,
      json(closed),
    );
    expect(r.body.is_compatible).toBe(false);
    expect(r.body.messages[0]).toContain('#/properties/zip');
    expect((await cc('POST', `/compatibility/subjects/${subject}/versions/1`, json(closed))).body).toEqual({
      is_compatible: false,
    });
    expect((await cc('POST', `/compatibility/subjects/${subject}/versions`, json(address))).body).toEqual({
      is_compatible: true,
    });
    // a breaking registration is 409 with the changes; nothing is stored
    const refused = await cc('POST', `/subjects/${subject}/versions`, json(closed));
    expect(refused).toMatchObject({ status: 409, body: { error_code: 409 } });
    expect(refused.body.message).toContain('#/properties/zip');
    expect((await cc('GET', `/subjects/${subject}/versions`)).body).toEqual([1]);
  });

  it('reads and sets the global and per-subject compatibility', async () => {
    const subject = uniqueName('cfg');
    expect((await cc('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await cc('GET', `/config/${subject}`)).toMatchObject({ status: 404, body: { error_code: 40408 } });
    expect((await cc('GET', `/config/${subject}?defaultToGlobal=true`)).body).toEqual({
      compatibilityLevel: 'BACKWARD',
    });
    expect(await cc('PUT', `/config/${subject}`, { compatibility: 'FULL' })).toMatchObject({
      status: 404,
      body: { error_code: 40401 },
    });
    expect(await cc('PUT', '/config', { compatibility: 'SIDEWAYS' })).toMatchObject({
      status: 422,
      body: { error_code: 42203 },
    });

    expect((await cc('PUT', '/config', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
    // the same setting in GraphQL
    expect((await t.gql('{ registrySettings { defaultCompatibility } }')).data.registrySettings).toEqual({
      defaultCompatibility: 'FULL',
    });
    try {
      await cc('POST', `/subjects/${subject}/versions`, json(address));
      expect((await cc('GET', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'FULL' });
      expect((await cc('PUT', `/config/${subject}`, { compatibility: 'none' })).body).toEqual({
        compatibility: 'NONE',
      });
      // mode NONE: a breaking change is published as a new major
      const breaking = { ...address, properties: { city: { type: 'integer' } } };
      expect((await cc('POST', `/subjects/${subject}/versions`, json(breaking))).body).toMatchObject({
        version: 2,
      });
      const v2 = await cc('GET', `/subjects/${subject}/versions/2`);
      expect(JSON.parse(v2.body.schema).$id).toBe(`urn:canon:contract:${subject}:2.0.0`);
      expect((await cc('DELETE', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'NONE' });
      expect((await cc('GET', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'FULL' });
    } finally {
      const reset = await t.gql(
        'mutation { updateRegistrySettings(input: { defaultCompatibility: BACKWARD }) { ... on UpdateRegistrySettingsPayload { registrySettings { defaultCompatibility } } } }',
      );
      expect(reset.data.updateRegistrySettings.registrySettings.defaultCompatibility).toBe('BACKWARD');
    }
    expect((await cc('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    const audit = await t.gql(
      '{ auditEvents(action: REGISTRY_SETTINGS_UPDATED, first: 5) { edges { node { action } } } }',
    );
    expect(audit.data.auditEvents.edges.length).toBe(2);
  });
});

describe('concurrent registrations', () => {
  it('each get a version of their own, none lost; the same schema twice at once is one version', async () => {
    const subject = uniqueName('race');
    await cc('POST', `/subjects/${subject}/versions`, json(address));
    const variants = ['a', 'b', 'c', 'd'].map((d) => json({ ...address, description: `variant ${d}` }));
    const results = await Promise.all([
      ...variants.map((v) => cc('POST', `/subjects/${subject}/versions`, v)),
      cc('POST', `/subjects/${subject}/versions`, variants[0]),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results[4].body.id).toBe(results[0].body.id);
    expect(new Set(results.slice(0, 4).map((r) => r.body.id)).size).toBe(4);
    expect((await cc('GET', `/subjects/${subject}/versions`)).body).toEqual([1, 2, 3, 4, 5]);
    const drafts = await t.gql(
      'query($c: String!) { contract(name: $c) { versions { edges { node { status version } } } } }',
      {
        c: subject,
      },
    );
    // no draft left behind by a registration that lost a race
    expect(drafts.data.contract.versions.edges.map((e: any) => e.node.status)).toEqual(
      Array(5).fill('PUBLISHED'),
    );
    expect(drafts.data.contract.versions.edges.map((e: any) => e.node.version).sort()).toEqual([
      '1.0.0',
      '1.0.1',
      '1.0.2',
      '1.0.3',
      '1.0.4',
    ]);
    // one new schema sent four times at once while another registration publishes: one version, the
    // same answer for all (a registration that met the other's draft waits for it, never 422)
    const again = json({ ...address, description: 'variant e' });
    const other = json({ ...address, description: 'variant f' });
    const same = await Promise.all([
      ...Array.from({ length: 4 }, () => cc('POST', `/subjects/${subject}/versions`, again)),
      cc('POST', `/subjects/${subject}/versions`, other),
    ]);
    expect(same.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(same.slice(0, 4).map((r) => r.body.id)).size).toBe(1);
    expect((await cc('GET', `/subjects/${subject}/versions`)).body).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('deleting', () => {
  it('soft-deletes (deprecates) and permanently deletes (retires) versions and subjects, in order', async () => {
    const subject = uniqueName('del');
    await cc('POST', `/subjects/${subject}/versions`, json(address));
    await cc('POST', `/subjects/${subject}/versions`, json({ ...address, title: 'Address' }));
    expect(await cc('DELETE', `/subjects/${subject}/versions/1?permanent=true`)).toMatchObject({
      status: 404,
      body: { error_code: 40407 },
    });
    expect((await cc('DELETE', `/subjects/${subject}/versions/1`)).body).toBe(1);
    expect((await cc('GET', `/subjects/${subject}/versions`)).body).toEqual([2]);
    expect((await cc('GET', `/subjects/${subject}/versions?deleted=true`)).body).toEqual([1, 2]);
    expect(await cc('DELETE', `/subjects/${subject}?permanent=true`)).toMatchObject({
      status: 404,
      body: { error_code: 40405 },
    });
    expect((await cc('DELETE', `/subjects/${subject}`)).body).toEqual([2]);
    expect(await cc('DELETE', `/subjects/${subject}`)).toMatchObject({
      status: 404,
      body: { error_code: 40404 },
    });
    expect((await cc('GET', '/subjects')).body).not.toContain(subject);
    expect((await cc('GET', '/subjects?deleted=true')).body).toContain(subject);
    expect((await cc('DELETE', `/subjects/${subject}?permanent=true`)).body).toEqual([1, 2]);
    expect((await cc('GET', `/subjects/${subject}/versions?deleted=true`)).body.error_code).toBe(40401);
    const states = await t.gql(
      'query($c: String!) { contract(name: $c) { versions { edges { node { status } } } } }',
      {
        c: subject,
      },
    );
    // nothing is erased: the versions are retired, with their history
    expect(states.data.contract.versions.edges.map((e: any) => e.node.status)).toEqual([
      'RETIRED',
      'RETIRED',
    ]);
    // the content of a retired version is not published again
    expect(await cc('POST', `/subjects/${subject}/versions`, json(address))).toMatchObject({
      status: 422,
      body: { error_code: 42205 },
    });
    // registering again starts a new major above every earlier version; numbers are never reused
    const again = await cc(
      'POST',
      `/subjects/${subject}/versions`,
      json({ ...address, title: 'Address v2' }),
    );
    expect(again.body).toMatchObject({ version: 3 });
    const v3 = await cc('GET', `/subjects/${subject}/versions/latest`);
    expect(JSON.parse(v3.body.schema).$id).toBe(`urn:canon:contract:${subject}:2.0.0`);
  });
});

describe('credentials', () => {
  it('takes Bearer tokens and Basic auth with the token as password, and refuses anything else', async () => {
    expect((await cc('GET', '/subjects', undefined, `Bearer ${t.adminToken}`)).status).toBe(200);
    const keyOnly = `Basic ${Buffer.from(`${t.adminToken}:`).toString('base64')}`;
    expect((await cc('GET', '/subjects', undefined, keyOnly)).status).toBe(200);
    const none = await cc('GET', '/subjects', undefined, null);
    expect(none).toMatchObject({ status: 401, body: { error_code: 401 } });
    expect(await cc('GET', '/subjects', undefined, basic('wrong'))).toMatchObject({ status: 401 });
    const viewer = basic(await t.tokenFor('viewer'));
    // a contract with only a draft does not exist for those who may not read drafts, here too
    const draftOnly = uniqueName('draft-only');
    await t.gql(
      'mutation($c: String!) { registerContractVersion(input: { contract: $c, version: "1.0.0", schema: {type: "string"} }) { __typename } }',
      { c: draftOnly },
    );
    expect((await cc('GET', `/config/${draftOnly}`)).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await cc('GET', `/config/${draftOnly}`, undefined, viewer)).toMatchObject({
      status: 404,
      body: { error_code: 40408 },
    });
    expect((await cc('GET', '/subjects/item/versions', undefined, viewer)).status).toBe(200);
    expect(await cc('PUT', '/config', { compatibility: 'NONE' }, viewer)).toMatchObject({
      status: 403,
      body: { error_code: 40301 },
    });
    expect(await cc('DELETE', '/subjects/item', undefined, viewer)).toMatchObject({ status: 403 });
  });
});

describe('the prefix', () => {
  it('is configurable, and the API can be switched off', async () => {
    // anonymous callers get almost nothing: Basic-auth callers must count as their token's role
    const moved = await startTestApp({
      ccompatPath: '/apis/ccompat/v7',
      rateLimits: { ...DEFAULT_RATE_LIMITS, anonymous: { perSecond: 1, burst: 2 } },
    });
    const off = await startTestApp({ ccompatPath: null });
    try {
      const at = (app: TestApp, path: string) =>
        fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${app.adminToken}` } });
      expect((await at(moved, '/apis/ccompat/v7/schemas/types')).status).toBe(200);
      const viaBasic = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${moved.url}/apis/ccompat/v7/subjects`, {
            headers: { authorization: basic(moved.adminToken) },
          }),
        ),
      );
      expect(viaBasic.map((r) => r.status)).toEqual(Array(20).fill(200));
      const anonymous = await Promise.all(
        Array.from({ length: 5 }, () => fetch(`${moved.url}/apis/ccompat/v7/subjects`)),
      );
      const limited = anonymous.find((r) => r.status === 429);
      expect(await limited?.json()).toMatchObject({ error_code: 42901 });
      expect((await at(moved, '/ccompat/schemas/types')).status).toBe(404);
      expect((await at(off, '/ccompat/schemas/types')).status).toBe(404);
    } finally {
      await moved.close();
      await off.close();
    }
  });
});
