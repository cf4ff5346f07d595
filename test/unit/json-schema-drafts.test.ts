/**
 * Every draft Canon accepts, read in its own vocabulary: the same meaning spelled in two drafts is no
 * change, every keyword of every draft is either compared or listed as not compared, and the draft
 * of a document is recognised by its `$schema`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ajvFor, DRAFT_URIS, DRAFTS, draftOfUri } from '../../codegen/drafts.ts';
import { ALL_CHANGE_KINDS } from '../../src/modules/contracts/compatibility/change-kinds.ts';
import { compareSchemas } from '../../src/modules/contracts/compatibility/compatibility.ts';
import { KEYWORD_COVERAGE } from '../../src/modules/contracts/compatibility/keyword-coverage.ts';
import { withContractIds } from '../../src/modules/contracts/contract-ids.ts';
import { assertValidJsonSchema } from '../../src/modules/contracts/schema-checks.ts';
import { translateTo2020 } from '../support/draft-translation.ts';

const require = createRequire(import.meta.url);
const D04 = DRAFT_URIS['draft-04'];
const D07 = DRAFT_URIS['draft-07'];
const D19 = DRAFT_URIS['2019-09'];
const D20 = DRAFT_URIS['2020-12'];

const same = (a: unknown, b: unknown) => {
  const r = compareSchemas(a as never, b as never);
  return {
    changes: r.changes.map((c) => `${c.kind} ${c.path}`),
    forward: r.forwardChanges.map((c) => c.kind),
  };
};
const noChange = { changes: [], forward: [] };

/** The keywords a meta-schema (and its vocabulary meta-schemas) defines. */
function metaKeywords(): Map<string, Set<string>> {
  const byDraft = new Map<string, Set<string>>();
  const add = (draft: string, file: string) => {
    const meta = JSON.parse(readFileSync(file, 'utf8'));
    const set = byDraft.get(draft) ?? new Set<string>();
    for (const k of Object.keys(meta.properties ?? {})) set.add(k);
    byDraft.set(draft, set);
  };
  const ajvRefs = dirname(require.resolve('ajv/dist/refs/json-schema-draft-07.json'));
  add('draft-04', require.resolve('ajv-draft-04/dist/refs/json-schema-draft-04.json'));
  add('draft-06', join(ajvRefs, 'json-schema-draft-06.json'));
  add('draft-07', join(ajvRefs, 'json-schema-draft-07.json'));
  for (const [draft, folder] of [
    ['2019-09', 'json-schema-2019-09'],
    ['2020-12', 'json-schema-2020-12'],
  ]) {
    add(draft, join(ajvRefs, folder, 'schema.json'));
    for (const f of readdirSync(join(ajvRefs, folder, 'meta'))) add(draft, join(ajvRefs, folder, 'meta', f));
  }
  return byDraft;
}

describe('drafts', () => {
  it('are recognised by $schema in every spelling, and an unknown one names the accepted drafts', () => {
    expect(draftOfUri('http://json-schema.org/draft-04/schema#')).toBe('draft-04');
    expect(draftOfUri('https://json-schema.org/draft-06/schema')).toBe('draft-06');
    expect(draftOfUri('http://json-schema.org/draft-07/schema')).toBe('draft-07');
    expect(draftOfUri('https://json-schema.org/draft/2019-09/schema#')).toBe('2019-09');
    expect(draftOfUri('https://json-schema.org/draft/2020-12/schema')).toBe('2020-12');
    expect(draftOfUri('http://json-schema.org/draft-03/schema#')).toBeUndefined();
    for (const draft of DRAFTS)
      expect(assertValidJsonSchema({ $schema: DRAFT_URIS[draft] }, 's')).toBe(draft);
    expect(assertValidJsonSchema({ type: 'string' }, 's')).toBe('2020-12');
    expect(assertValidJsonSchema({ type: 'string' }, 's', { defaultDraft: 'draft-04' })).toBe('draft-04');
    expect(() => assertValidJsonSchema({ $schema: 'http://json-schema.org/draft-03/schema#' }, 's')).toThrow(
      /draft-04 .*draft-06 .*draft-07 .*2019-09 .*2020-12/,
    );
  });

  it('are stored under the $schema ajv knows, keeping a spelling that differs only by the empty fragment', () => {
    const stored = (schema: Record<string, unknown>) => withContractIds('x', '1.0.0', schema);
    expect(stored({ $schema: 'https://json-schema.org/draft-07/schema' })).toMatchObject({ $schema: D07 });
    expect(stored({ $schema: `${D20}#` }).$schema).toBe(`${D20}#`);
    expect(stored({ $schema: D04 })).toEqual({ $schema: D04, id: 'urn:canon:contract:x:1.0.0' });
    expect(stored({})).toEqual({ $schema: D20, $id: 'urn:canon:contract:x:1.0.0' });
  });

  it("are checked against their own meta-schema: draft-04's boolean exclusive bound is valid only there", () => {
    const bounded = { type: 'number', minimum: 0, exclusiveMinimum: true };
    expect(assertValidJsonSchema({ $schema: D04, ...bounded }, 's')).toBe('draft-04');
    expect(() => assertValidJsonSchema({ $schema: D07, ...bounded }, 's')).toThrow(
      /not a valid JSON Schema draft-07/,
    );
    expect(() => assertValidJsonSchema({ $schema: D20, items: [{}] }, 's')).toThrow(/2020-12/);
    expect(assertValidJsonSchema({ $schema: D07, items: [{}] }, 's')).toBe('draft-07');
  });

  it('validate data with the matching ajv class', () => {
    const exclusive = ajvFor('draft-04').compile({
      $schema: D04,
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
    });
    expect([exclusive(0), exclusive(1)]).toEqual([false, true]);
    const tuple = ajvFor('draft-07').compile({
      $schema: D07,
      items: [{ type: 'string' }],
      additionalItems: false,
    });
    expect([tuple(['a']), tuple(['a', 'b'])]).toEqual([true, false]);
    const recursive = ajvFor('2019-09').compile({
      $schema: D19,
      $recursiveAnchor: true,
      type: 'object',
      properties: { kids: { type: 'array', items: { $recursiveRef: '#' } } },
    });
    expect([recursive({ kids: [{ kids: [] }] }), recursive({ kids: [1] })]).toEqual([true, false]);
    const prefix = ajvFor('2020-12').compile({
      $schema: D20,
      prefixItems: [{ type: 'string' }],
      items: false,
    });
    expect([prefix(['a']), prefix(['a', 1])]).toEqual([true, false]);
  });
});

describe('every keyword of every draft', () => {
  it('is compared, with change kinds that exist, or listed as not compared with a reason', () => {
    const missing: string[] = [];
    for (const [draft, keywords] of metaKeywords())
      for (const k of keywords) if (!KEYWORD_COVERAGE[k]) missing.push(`${draft}: ${k}`);
    expect(missing).toEqual([]);
    for (const [k, c] of Object.entries(KEYWORD_COVERAGE)) {
      if (c.compared) for (const kind of c.kinds) expect(ALL_CHANGE_KINDS, k).toContain(kind);
      else expect(c.reason.length, k).toBeGreaterThan(20);
    }
  });

  it('is in the table of docs/contracts.md', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/contracts.md'), 'utf8');
    for (const k of Object.keys(KEYWORD_COVERAGE)) expect(doc, k).toContain(`| \`${k}\` |`);
  });
});

describe('the same meaning in two drafts', () => {
  it('draft-04: boolean exclusive bounds, id, definitions', () => {
    const d04 = {
      $schema: D04,
      type: 'object',
      definitions: { positive: { id: '#positive', type: 'number', minimum: 0, exclusiveMinimum: true } },
      properties: {
        qty: { $ref: '#positive' },
        max: { type: 'integer', maximum: 9, exclusiveMaximum: true },
      },
      dependencies: { qty: ['max'] },
    };
    const d20 = {
      $schema: D20,
      type: 'object',
      $defs: { positive: { $anchor: 'positive', type: 'number', exclusiveMinimum: 0 } },
      properties: { qty: { $ref: '#positive' }, max: { type: 'integer', exclusiveMaximum: 9 } },
      dependentRequired: { qty: ['max'] },
    };
    expect(same(d04, d20)).toEqual(noChange);
    expect(same(d04, translateTo2020(d04, 'draft-04'))).toEqual(noChange);
    // an inclusive bound made exclusive narrows, at the draft-04 document's own keyword
    const inclusive = { ...d04, definitions: { positive: { id: '#positive', type: 'number', minimum: 0 } } };
    expect(same(inclusive, d04).changes).toEqual([
      'MINIMUM_REMOVED #/properties/qty/minimum',
      'EXCLUSIVE_MINIMUM_ADDED #/properties/qty/exclusiveMinimum',
    ]);
  });

  it('draft-07: plain-name $id anchors, tuples, both forms of dependencies, if/then/else', () => {
    const d07 = {
      $schema: D07,
      definitions: { address: { $id: '#address', type: 'object', properties: { city: { type: 'string' } } } },
      type: 'object',
      properties: {
        ship: { $ref: '#address' },
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], additionalItems: false },
        kind: { enum: ['a', 'b'] },
      },
      dependencies: { ship: ['kind'], pair: { required: ['kind'] } },
      if: { properties: { kind: { const: 'a' } } },
      then: { required: ['pair'] },
    };
    expect(same(d07, translateTo2020(d07, 'draft-07'))).toEqual(noChange);
    // equal alternatives in other spellings pair with each other, not crosswise (found by the property below)
    const alternatives = {
      $schema: D07,
      anyOf: [
        { anyOf: [{ type: 'array', items: true }] },
        { type: 'array', items: [true], additionalItems: true },
      ],
    };
    expect(same(alternatives, translateTo2020(alternatives, 'draft-07'))).toEqual(noChange);
    // the same schema under `not` is no change (it once read as NOT_TYPE_NARROWED)
    expect(same({ not: { type: 'string' } }, { not: { type: 'string' } })).toEqual(noChange);
    // a change is reported at the pointer of the document it is in
    const wider = translateTo2020(d07, 'draft-07') as Record<string, any>;
    wider.properties.pair.items = { type: 'boolean' };
    expect(same(d07, wider).changes).toEqual(['ADDITIONAL_ITEMS_ADDED #/properties/pair/items']);
  });

  it('2019-09: $recursiveRef and $recursiveAnchor as 2020-12 $dynamicRef and $dynamicAnchor', () => {
    const tree19 = {
      $schema: D19,
      $recursiveAnchor: true,
      type: 'object',
      properties: { name: { type: 'string' }, kids: { type: 'array', items: { $recursiveRef: '#' } } },
    };
    const tree20 = {
      $schema: D20,
      $dynamicAnchor: 'node',
      type: 'object',
      properties: { name: { type: 'string' }, kids: { type: 'array', items: { $dynamicRef: '#node' } } },
    };
    expect(same(tree19, tree20)).toEqual(noChange);
    const closed = { ...tree20, additionalProperties: false };
    expect(same(tree19, closed).changes).toEqual(['ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties']);
  });

  it('2020-12: a $dynamicRef lands on the entry document when it redefines the anchor', () => {
    const base = {
      $schema: D20,
      $defs: { list: { $dynamicAnchor: 'item', type: 'array', items: { $dynamicRef: '#item' } } },
      $dynamicAnchor: 'item',
      type: 'string',
    };
    const numbers = { ...base, type: 'number' };
    expect(same(base, numbers).changes).toEqual(['TYPE_CHANGED #/']);
  });

  it('any draft-07 document and its 2020-12 translation (generated)', () => {
    fc.assert(
      fc.property(draft07Schema, (doc) => {
        const body = typeof doc === 'object' && doc !== null ? doc : {};
        const doc07 = { $schema: D07, definitions: { named: { $id: '#named', type: 'string' } }, ...body };
        expect(same(doc07, translateTo2020(doc07, 'draft-07'))).toEqual(noChange);
        expect(same(translateTo2020(doc07, 'draft-07'), doc07)).toEqual(noChange);
      }),
      { numRuns: Number(process.env.DRAFT_RUNS ?? 300) },
    );
  });
});

const leaf = fc.oneof(
  fc.constant({ type: 'string' }),
  fc.record({ type: fc.constant('number'), minimum: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ type: fc.constant('integer'), exclusiveMaximum: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ enum: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 1, null), { minLength: 1 }) }),
  fc.record({ const: fc.constantFrom('x', 2, true) }),
  fc.constant({ $ref: '#named' }),
  fc.constant({ $ref: '#/definitions/named' }),
  fc.constant(true),
);

const { schema: draft07Schema } = fc.letrec<{ schema: unknown }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .record({
        properties: fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('schema'), { maxKeys: 3 }),
        additionalProperties: fc.boolean(),
        dependencies: fc.dictionary(fc.constantFrom('a', 'b'), fc.oneof(fc.constant(['c']), tie('schema')), {
          maxKeys: 2,
        }),
      })
      .map((o) => ({ type: 'object', ...o })),
    fc
      .record({
        items: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }),
        additionalItems: fc.oneof(fc.boolean(), leaf),
      })
      .map((o) => ({ type: 'array', ...o })),
    fc.record({ type: fc.constant('array'), items: tie('schema') }),
    fc.record({ anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ if: leaf, then: tie('schema'), else: tie('schema') }),
    fc.record({ not: leaf }),
  ),
}));
