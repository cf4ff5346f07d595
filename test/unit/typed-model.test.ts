/** JSON Schema → GraphQL type model (records/typed/typed-model.ts) and the schema built from it. */
import { lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { builtInSchema } from '../../src/graphql/print-schema.ts';
import { schema as handWritten } from '../../src/graphql/schema.ts';
import { domainModel, fieldNameOf, type ModelOptions } from '../../src/modules/records/typed/typed-model.ts';
import { buildTypedSchema } from '../../src/modules/records/typed/typed-schema.ts';

const options = (extra: Partial<ModelOptions> = {}): ModelOptions => ({
  documents: new Map(),
  taken: new Set(),
  reservedFields: new Set(['id', 'key', 'status']),
  newest: true,
  keyFields: ['/code'],
  ...extra,
});
const model = (schema: Record<string, unknown>, extra: Partial<ModelOptions> = {}) =>
  domainModel({ domain: 'supplier', major: 1, version: 'supplier@1.0.0', schema }, options(extra));
const shapes = (schema: Record<string, unknown>) =>
  Object.fromEntries(model(schema).root.fields.map((f) => [f.name, f.shape]));

describe('the type model of a contract', () => {
  it('maps scalars, formats, decimals and 32-bit integers', () => {
    expect(
      shapes({
        type: 'object',
        properties: {
          name: { type: 'string' },
          price: { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$' },
          signed: { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' },
          looseText: { type: 'string', pattern: '^.+$' },
          exact: { type: 'string', format: 'decimal' },
          day: { type: 'string', format: 'date' },
          at: { type: 'string', format: 'date-time' },
          days: { type: 'integer', minimum: 0 },
          huge: { type: 'integer', maximum: 2 ** 40 },
          ratio: { type: 'number' },
          flag: { type: 'boolean' },
          maybe: { type: ['string', 'null'] },
          either: { type: ['string', 'integer'] },
        },
      }),
    ).toEqual({
      name: { kind: 'scalar', scalar: 'String' },
      price: { kind: 'scalar', scalar: 'Decimal' },
      signed: { kind: 'scalar', scalar: 'Decimal' },
      looseText: { kind: 'scalar', scalar: 'String' },
      exact: { kind: 'scalar', scalar: 'Decimal' },
      day: { kind: 'scalar', scalar: 'Date' },
      at: { kind: 'scalar', scalar: 'DateTime' },
      days: { kind: 'scalar', scalar: 'Int' },
      huge: { kind: 'scalar', scalar: 'Float' },
      ratio: { kind: 'scalar', scalar: 'Float' },
      flag: { kind: 'scalar', scalar: 'Boolean' },
      maybe: { kind: 'scalar', scalar: 'String' },
      either: { kind: 'scalar', scalar: 'JSON' },
    });
  });

  it('makes enums, nested objects (one type per definition), lists, and JSON of what GraphQL cannot type', () => {
    const m = model({
      type: 'object',
      $defs: { address: { type: 'object', title: 'Address', properties: { city: { type: 'string' } } } },
      properties: {
        rating: { type: 'string', enum: ['approved', 'on-probation', '2nd-tier'] },
        mixed: { enum: ['a', 1] },
        clash: { type: 'string', enum: ['a-b', 'a_b'] },
        billing: { $ref: '#/$defs/address' },
        shipping: { $ref: '#/$defs/address' },
        tags: { type: 'array', items: { type: 'string' } },
        lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
        matrix: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
        tuple: { type: 'array', prefixItems: [{ type: 'string' }] },
        free: { type: 'object', additionalProperties: true },
        choice: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        merged: {
          allOf: [
            { type: 'object', properties: { a: { type: 'string' } } },
            { type: 'object', properties: { b: { type: 'integer' } } },
          ],
        },
      },
    });
    const byName = Object.fromEntries(m.root.fields.map((f) => [f.name, f.shape]));
    expect(m.enums).toEqual([
      {
        name: 'SupplierRating',
        description: undefined,
        values: [
          { name: 'APPROVED', value: 'approved' },
          { name: 'ON_PROBATION', value: 'on-probation' },
          { name: '_2ND_TIER', value: '2nd-tier' },
        ],
      },
    ]);
    expect(byName.mixed).toEqual({ kind: 'scalar', scalar: 'JSON' });
    expect(byName.clash).toEqual({ kind: 'scalar', scalar: 'String' });
    expect(byName.billing).toEqual({ kind: 'object', objectName: 'SupplierAddress' });
    expect(byName.shipping).toEqual(byName.billing);
    expect(byName.tags).toEqual({ kind: 'list', of: { kind: 'scalar', scalar: 'String' } });
    expect(byName.lines).toEqual({ kind: 'list', of: { kind: 'object', objectName: 'SupplierLine' } });
    expect(byName.matrix).toEqual({ kind: 'scalar', scalar: 'JSON' });
    expect(byName.tuple).toEqual({ kind: 'scalar', scalar: 'JSON' });
    expect(byName.free).toEqual({ kind: 'scalar', scalar: 'JSON' });
    expect(byName.choice).toEqual({ kind: 'scalar', scalar: 'JSON' });
    expect(byName.merged).toEqual({ kind: 'object', objectName: 'SupplierMerged' });
    expect(m.objects.find((o) => o.name === 'SupplierMerged')?.fields.map((f) => f.name)).toEqual(['a', 'b']);
  });

  it('links references to other records, never the key itself', () => {
    const m = model({
      type: 'object',
      'x-canon-references': [{ path: '/items/*', domain: 'item' }],
      $defs: { code: { type: 'string' } },
      properties: {
        code: { $ref: '#/$defs/code' },
        uom: { $ref: 'urn:canon:contract:uom:1.0.0#/$defs/code' },
        items: { type: 'array', items: { type: 'string' } },
        parent: { $ref: 'urn:canon:contract:supplier:1.0.0#/$defs/code' },
      },
    });
    expect(Object.fromEntries(m.root.fields.map((f) => [f.name, f.shape]))).toEqual({
      code: { kind: 'scalar', scalar: 'String' },
      uom: { kind: 'link', domain: 'uom' },
      items: { kind: 'list', of: { kind: 'link', domain: 'item' } },
      parent: { kind: 'link', domain: 'supplier' },
    });
  });

  it('leaves in data what GraphQL cannot name or Canon already defines, and says so', () => {
    const m = model({
      type: 'object',
      properties: { 'odoo-id': { type: 'integer' }, status: { type: 'string' }, '€': { type: 'string' } },
    });
    expect(m.root.fields.map((f) => [f.name, f.property])).toEqual([['odooId', 'odoo-id']]);
    expect(m.skipped.map((s) => s.property)).toEqual(['status', '€']);
    expect(fieldNameOf('__secret')).toBeNull();
    expect(fieldNameOf('2nd')).toBeNull();
  });
});

describe('the schema of the built-in contracts', () => {
  it('extends the hand-written types and leaves the hand-written schema as it was', () => {
    const before = printSchema(lexicographicSortSchema(handWritten));
    const built = builtInSchema();
    expect(printSchema(lexicographicSortSchema(handWritten))).toBe(before);
    expect(Object.keys((built.getType('Item') as any).getFields())).toEqual(
      expect.arrayContaining(['code', 'uom', 'weight', 'shelfLife', 'history']),
    );
    expect(Object.keys((built.getType('BomLine') as any).getFields()).sort()).toEqual(
      ['component', 'operation', 'quantity', 'sequence', 'uom'].sort(),
    );
  });

  it('builds the same schema from the same contracts, and a domain named like a Canon type gets a suffix', () => {
    const contract = (domain: string) => ({
      id: `urn:canon:contract:${domain}:1.0.0`,
      domain,
      major: 1,
      version: `${domain}@1.0.0`,
      schema: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
    });
    const a = buildTypedSchema(handWritten, [contract('system'), contract('widget')]);
    const b = buildTypedSchema(handWritten, [contract('widget'), contract('system')]);
    expect(printSchema(a.schema)).toBe(printSchema(b.schema));
    expect(a.schema.getType('SystemRecord')).toBeDefined();
    expect(a.schema.getType('Widget')).toBeDefined();
    expect(Object.keys(a.schema.getQueryType()!.getFields())).toEqual(
      expect.arrayContaining(['widgets', 'widget', 'systemRecord', 'systemRecords']),
    );
    expect(Object.keys(a.schema.getMutationType()!.getFields())).toEqual(
      expect.arrayContaining(['proposeWidgetChange', 'proposeSystemRecordChange']),
    );
  });
});

describe('contracts the generator cannot fully map', () => {
  const contract = (domain: string, schema: Record<string, unknown>) => ({
    id: `urn:canon:contract:${domain}:1.0.0`,
    domain,
    major: 1,
    version: `${domain}@1.0.0`,
    schema,
  });

  it('keeps an object without a nameable property as JSON, and a domain without any off the proposals', () => {
    const built = buildTypedSchema(handWritten, [
      contract('odd', {
        type: 'object',
        properties: {
          code: { type: 'string' },
          meta: { type: 'object', properties: { '€': { type: 'string' } } },
        },
      }),
      contract('bare', { type: 'object', properties: { 'ä-ö': { type: 'string' } } }),
    ]);
    expect(built.failed).toBeUndefined();
    expect(String((built.schema.getType('Odd') as any).getFields().meta.type)).toBe('JSON');
    expect(built.schema.getType('Bare')).toBeDefined();
    expect(built.schema.getMutationType()!.getFields().proposeBareChange).toBeUndefined();
  });

  it('leaves out a domain whose types cannot be built, and builds the others', () => {
    const built = buildTypedSchema(handWritten, [
      contract('widget', { type: 'object', properties: { code: { type: 'string' } } }),
      // not a name the registry accepts: as if a contract got past it
      contract('9lives', { type: 'object', properties: { code: { type: 'string' } } }),
    ]);
    expect(built.failed?.map((f) => f.domain)).toEqual(['9lives']);
    expect(built.schema.getType('Widget')).toBeDefined();
    expect(built.schema.getQueryType()!.getFields().widgets).toBeDefined();
  });

  it('renames a type whose companion names another domain took', () => {
    const built = buildTypedSchema(handWritten, [
      contract('gizmo', { type: 'object', properties: { code: { type: 'string' } } }),
      contract('gizmo-connection', { type: 'object', properties: { code: { type: 'string' } } }),
    ]);
    expect(built.failed).toBeUndefined();
    expect(built.schema.getType('GizmoConnection')).toBeDefined();
    expect(built.schema.getType('GizmoConnectionRecord')).toBeDefined();
  });
});
