/**
 * docs/asyncapi.json is the AsyncAPI document of the change events for Canon's defaults, valid
 * against the AsyncAPI 3.0 JSON Schema, and describes every event kind with its contract.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { asyncApiDocument, asyncApiOptionsOf } from '../../src/modules/events/asyncapi.ts';
import { EVENT_KINDS, eventContractVersionOf } from '../../src/modules/events/event-catalogue.ts';
import { ASYNCAPI_FILE, asyncApiText } from '../../src/modules/events/print-asyncapi.ts';
import { defaultStreamSettings } from '../../src/modules/events/relay/nats-env.ts';

const require = createRequire(import.meta.url);
const specSchema = require('@asyncapi/specs/schemas/3.0.0-without-$id.json');

describe('the AsyncAPI document', () => {
  it('is committed as docs/asyncapi.json (npm run docs:asyncapi after a change)', () => {
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(asyncApiText());
  });

  it('is a valid AsyncAPI 3.0 document', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    ajvFormats.default(ajv);
    const validate = ajv.compile(specSchema);
    const doc = asyncApiDocument();
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    // the schema does check: a channel whose address is not a string is refused
    expect(validate({ ...doc, channels: { broken: { address: 5 } } })).toBe(false);
  });

  it('has a channel, a send operation and a message with its contract for every event kind', () => {
    const doc = asyncApiDocument() as any;
    for (const kind of EVENT_KINDS) {
      expect(doc.channels[kind.name].address).toBe(`canon.{domain}.${kind.name}`);
      const ref = doc.channels[kind.name].messages;
      const message = doc.components.messages[Object.keys(ref)[0]];
      expect(message.name).toBe(kind.type);
      const { version } = eventContractVersionOf(kind.type);
      expect(message['x-canon-contract']).toBe(`event.${kind.name}@${version}`);
      expect(version).toMatch(/^1\./);
      expect(message.payload.schema.properties.type.const).toBe(kind.type);
    }
    expect(Object.values(doc.operations).every((o: any) => o.action === 'send')).toBe(true);
  });

  it('names the configured servers without their credentials, and the configured prefix', () => {
    const doc = asyncApiDocument(
      asyncApiOptionsOf({
        servers: ['nats://relay:secret@nats-a.example:4222', 'nats://nats-b.example:4222'],
        stream: defaultStreamSettings({ name: 'MDM', subjectPrefix: 'acme.mdm' }),
      }),
    ) as any;
    expect(JSON.stringify(doc)).not.toContain('secret');
    expect(Object.values(doc.servers).map((s: any) => s.host)).toEqual([
      'nats-a.example:4222',
      'nats-b.example:4222',
    ]);
    expect(doc.channels['record.changed'].address).toBe('acme.mdm.{domain}.record.changed');
  });
});
