import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { isEventContract } from '../../src/modules/contracts/contract-ids.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../../src/modules/contracts/contracts-folder.ts';
import { assertValidJsonSchema, referencedContracts } from '../../src/modules/contracts/schema-checks.ts';
import { eventContractOf } from '../../src/modules/events/event-catalogue.ts';
import { OUTBOX_EVENT_TYPES } from '../../src/modules/events/outbox.service.ts';

const docs = readContractsFolder(BUILT_IN_CONTRACTS_DIR);
const domainDocs = docs.filter((d) => !isEventContract(d.contract));

describe('built-in contracts', () => {
  it('are the seven domains (bom and routing at 1.0.0, the others at 1.1.0 with free-text codes), referenced contracts first', () => {
    expect(domainDocs.map((d) => `${d.contract}@${d.version}`)).toEqual([
      'uom@1.0.0',
      'item@1.0.0',
      'item@1.1.0',
      'bom@1.0.0',
      'location@1.0.0',
      'location@1.1.0',
      'lot@1.0.0',
      'lot@1.1.0',
      'routing@1.0.0',
      'work-center@1.0.0',
      'work-center@1.1.0',
    ]);
  });

  it('describe every change event from 1.0.0, one contract per outbox event type (later versions minor)', () => {
    const events = docs.filter((d) => isEventContract(d.contract));
    expect([...new Set(events.map((d) => d.contract))].sort()).toEqual(
      [...OUTBOX_EVENT_TYPES].map((type) => eventContractOf(type)).sort(),
    );
    for (const type of OUTBOX_EVENT_TYPES)
      expect(events.map((d) => `${d.contract}@${d.version}`)).toContain(`${eventContractOf(type)}@1.0.0`);
    expect(events.filter((d) => !d.version.startsWith('1.'))).toEqual([]);
  });

  for (const doc of docs) {
    describe(doc.contract, () => {
      const ajv = new Ajv2020({
        allErrors: true,
        strict: true,
        strictRequired: false,
        allowUnionTypes: true,
        // Canon's own keywords (contracts/canon-keywords.ts), beside JSON Schema
        keywords: ['x-canon-key', 'x-canon-references'],
      });
      ajvFormats.default(ajv);
      for (const other of docs) ajv.addSchema(other.schema);

      it('is a valid, closed 2020-12 schema with a description on every property', () => {
        expect(assertValidJsonSchema(doc.schema, 'schema')).toBe('2020-12');
        expect(doc.schema.$id).toBe(`urn:canon:contract:${doc.contract}:${doc.version}`);
        expect(doc.schema.additionalProperties).toBe(false);
        const defs = (doc.schema.$defs ?? {}) as Record<string, { description?: string }>;
        for (const [name, prop] of Object.entries(doc.schema.properties as Record<string, any>)) {
          const described =
            prop.description ??
            (prop.$ref?.startsWith('#/$defs/') ? defs[prop.$ref.slice(8)]?.description : undefined);
          expect(described, `${doc.contract}.${name}`).toBeTruthy();
        }
      });

      it('references only other built-in contracts', () => {
        for (const ref of referencedContracts(doc.schema, 'schema'))
          expect(docs.some((d) => d.contract === ref.name && d.version === ref.version)).toBe(true);
      });

      it('accepts its own examples and rejects unknown fields', () => {
        const validate = ajv.getSchema(doc.schema.$id as string)!;
        const examples = doc.schema.examples as Record<string, unknown>[];
        expect(examples.length).toBeGreaterThan(0);
        for (const example of examples) expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
        expect(validate({ ...examples[0], surprise: 1 })).toBe(false);
      });
    });
  }
});
