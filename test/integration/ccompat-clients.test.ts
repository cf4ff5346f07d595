/**
 * Canon as a drop-in Confluent Schema Registry for two clients written by others:
 * @kafkajs/confluent-schema-registry and Confluent's own @confluentinc/schemaregistry. Each registers
 * a JSON schema, fetches it by id, checks compatibility, and encodes and decodes a message in the
 * Confluent wire format (magic byte, schema id, JSON) against Canon.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/schemas.ts';

const run = promisify(execFile);
const SCENARIO = resolve(import.meta.dirname, '../support/confluent-client-scenario.ts');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A work order as a connector would put it on a topic: draft-07, as most Confluent users write. */
const workOrder = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'WorkOrder',
  type: 'object',
  additionalProperties: false,
  required: ['number', 'item', 'quantity'],
  properties: {
    number: { type: 'string', pattern: '^WO-[0-9]+$' },
    item: { type: 'string' },
    quantity: { type: 'number', exclusiveMinimum: 0 },
  },
};
const withDue = {
  ...workOrder,
  properties: { ...workOrder.properties, due: { type: 'string', format: 'date' } },
};
const breaking = { ...workOrder, required: [...workOrder.required, 'due'], properties: withDue.properties };

describe('@kafkajs/confluent-schema-registry', () => {
  it('registers, fetches by id, checks compatibility and encodes/decodes a message against Canon', async () => {
    const topic = uniqueName('work-orders');
    const subject = `${topic}-value`;
    // the client validates locally with ajv; formats come from ajv-formats, as its users set it up
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    const registry = new SchemaRegistry(
      { host: `${t.url}/ccompat`, auth: { username: 'canon', password: t.adminToken } },
      { [SchemaType.JSON]: { ajvInstance: ajv as never } },
    );
    const { id } = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(workOrder) },
      { subject },
    );
    expect(id).toBeGreaterThan(0);
    // the same schema again is the same id; the subject maps to the contract without -value
    expect(
      (await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(workOrder) }, { subject })).id,
    ).toBe(id);
    expect(await registry.getLatestSchemaId(subject)).toBe(id);
    expect(
      await registry.getRegistryIdBySchema(subject, {
        type: SchemaType.JSON,
        schema: JSON.stringify(workOrder),
      }),
    ).toBe(id);
    const fetched = (await registry.getSchema(id)) as unknown as { validate?: unknown };
    expect(fetched).toBeTruthy();

    const message = { number: 'WO-1001', item: 'RM-1', quantity: 12.5 };
    const encoded = await registry.encode(id, message);
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual(message);
    await expect(registry.encode(id, { ...message, quantity: 0 })).rejects.toThrow();

    // a compatible change becomes a new version (a MINOR one in Canon), a breaking one is refused
    const next = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(withDue) },
      { subject },
    );
    expect(next.id).toBeGreaterThan(id);
    await expect(
      registry.register({ type: SchemaType.JSON, schema: JSON.stringify(breaking) }, { subject }),
    ).rejects.toMatchObject({ status: 409 });
    const versions = await t.gql(
      'query($c: String!) { contract(name: $c) { versions { edges { node { version registryId registryVersion } } } } }',
      { c: topic },
    );
    expect(versions.data.contract.versions.edges.map((e: any) => e.node)).toEqual([
      { version: '1.1.0', registryId: next.id, registryVersion: 2 },
      { version: '1.0.0', registryId: id, registryVersion: 1 },
    ]);
  });

  it('is refused without a token, with a wrong one, and for a role that may not publish', async () => {
    const subject = `${uniqueName('wo')}-value`;
    const anonymous = new SchemaRegistry({ host: `${t.url}/ccompat` });
    await expect(
      anonymous.register({ type: SchemaType.JSON, schema: JSON.stringify(workOrder) }, { subject }),
    ).rejects.toMatchObject({ status: 401 });
    const wrong = new SchemaRegistry({ host: `${t.url}/ccompat`, auth: { username: 'x', password: 'nope' } });
    await expect(wrong.getLatestSchemaId('item')).rejects.toMatchObject({ status: 401 });
    const viewer = new SchemaRegistry({
      host: `${t.url}/ccompat`,
      auth: { username: 'viewer', password: await t.tokenFor('viewer') },
    });
    await expect(
      viewer.register({ type: SchemaType.JSON, schema: JSON.stringify(workOrder) }, { subject }),
    ).rejects.toMatchObject({ status: 403 });
  });
});

describe('@confluentinc/schemaregistry', () => {
  it('registers, fetches by id, tests compatibility and serializes/deserializes with its JSON serde', async () => {
    const topic = uniqueName('work-orders');
    // run by Node itself, as an application runs it (see the script)
    const { stdout } = await run(process.execPath, [SCENARIO, `${t.url}/ccompat`, t.adminToken, topic], {
      env: {
        ...process.env,
        SCENARIO_SCHEMA: JSON.stringify(workOrder),
        SCENARIO_COMPATIBLE: JSON.stringify(withDue),
        SCENARIO_BREAKING: JSON.stringify(breaking),
      },
    });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(seen.id).toBeGreaterThan(0);
    expect(seen).toMatchObject({
      again: seen.id,
      byId: { schemaType: 'JSON', properties: workOrder.properties },
      versions: [1],
      latestId: seen.id,
      compatibleOk: true,
      breakingOk: false,
      compatibility: 'BACKWARD',
      wire: { magic: 0, id: seen.id },
      decoded: { number: 'WO-77', item: 'RM-2', quantity: 3 },
      invalid: 'rejected',
      softDeleted: 1,
      afterSoft: 404,
      hardDeleted: 1,
    });
    expect(seen.subjects).toContain(topic);
    // soft delete then permanent delete: deprecated, then retired, in Canon
    const state = await t.gql(
      'query($c: String!) { contract(name: $c) { version(version: "1.0.0") { status } } }',
      {
        c: topic,
      },
    );
    expect(state.data.contract.version.status).toBe('RETIRED');
  }, 120_000);
});
