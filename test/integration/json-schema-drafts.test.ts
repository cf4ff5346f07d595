/**
 * A contract in each JSON Schema draft, end to end: registered and published under its own draft,
 * records validated with that draft's rules, type packages generated, compiled and run; a contract
 * moving from draft-07 to 2020-12 in a new version, and a contract's default draft for documents
 * without $schema.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAFT_URIS, type Draft } from '../../codegen/drafts.ts';
import { generatePackage } from '../../codegen/generate.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { translateTo2020 } from '../support/draft-translation.ts';
import {
  mutate,
  propose,
  publishVersion,
  registerVersion,
  setApprovalPolicy,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';
import { uniqueName } from '../support/schemas.ts';

const run = promisify(execFile);
const TSC = resolve(import.meta.dirname, '../../node_modules/.bin/tsc');

let t: TestApp;
let steward: string;
let work: string;
beforeAll(async () => {
  t = await startTestApp({ logLevel: (process.env.DEBUG_LOG as never) ?? 'silent' });
  [steward] = await stewardPair(t);
  work = mkdtempSync(join(tmpdir(), 'canon-drafts-'));
});
afterAll(async () => {
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * A gauge reading in each draft's own words: a code (the key), a reading above zero, a closed
 * [label, position] tuple and a unit defined once and referenced.
 */
const GAUGES: Record<Draft, Record<string, unknown>> = {
  'draft-04': {
    $schema: DRAFT_URIS['draft-04'],
    type: 'object',
    'x-canon-key': ['/code'],
    required: ['code', 'reading'],
    definitions: { unit: { id: '#unit', type: 'string', enum: ['bar', 'psi'] } },
    properties: {
      code: { type: 'string' },
      reading: { type: 'number', minimum: 0, exclusiveMinimum: true },
      tag: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false },
      unit: { $ref: '#unit' },
    },
    additionalProperties: false,
  },
  'draft-06': {
    $schema: DRAFT_URIS['draft-06'],
    type: 'object',
    'x-canon-key': ['/code'],
    required: ['code', 'reading'],
    definitions: { unit: { $id: '#unit', type: 'string', enum: ['bar', 'psi'] } },
    properties: {
      code: { type: 'string' },
      reading: { type: 'number', exclusiveMinimum: 0 },
      tag: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false },
      unit: { $ref: '#unit' },
    },
    additionalProperties: false,
  },
  'draft-07': {
    $schema: DRAFT_URIS['draft-07'],
    type: 'object',
    'x-canon-key': ['/code'],
    required: ['code', 'reading'],
    definitions: { unit: { $id: '#unit', type: 'string', enum: ['bar', 'psi'] } },
    properties: {
      code: { type: 'string' },
      reading: { type: 'number', exclusiveMinimum: 0 },
      tag: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false },
      unit: { $ref: '#unit' },
    },
    additionalProperties: false,
  },
  '2019-09': {
    $schema: DRAFT_URIS['2019-09'],
    type: 'object',
    'x-canon-key': ['/code'],
    required: ['code', 'reading'],
    $defs: { unit: { $anchor: 'unit', type: 'string', enum: ['bar', 'psi'] } },
    properties: {
      code: { type: 'string' },
      reading: { type: 'number', exclusiveMinimum: 0 },
      tag: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false },
      unit: { $ref: '#unit' },
    },
    additionalProperties: false,
  },
  '2020-12': {
    $schema: DRAFT_URIS['2020-12'],
    type: 'object',
    'x-canon-key': ['/code'],
    required: ['code', 'reading'],
    $defs: { unit: { $anchor: 'unit', type: 'string', enum: ['bar', 'psi'] } },
    properties: {
      code: { type: 'string' },
      reading: { type: 'number', exclusiveMinimum: 0 },
      tag: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
      unit: { $ref: '#unit' },
    },
    additionalProperties: false,
  },
};

const versionOf = async (contract: string, version: string) =>
  (
    await t.gql(
      'query($c: String!, $v: SemVer!) { contract(name: $c) { defaultDraft version(version: $v) { draft schema } } }',
      { c: contract, v: version },
    )
  ).data.contract;

const diff = async (from: unknown, to: unknown) =>
  (
    await t.gql(
      'query($f: JSON!, $t: JSON!) { schemaDiff(from: $f, to: $t) { ... on SchemaDiff { requiredBump changes { kind path } } ... on Error { code message } } }',
      { f: from, t: to },
    )
  ).data.schemaDiff;

const DRAFT_ENUM: Record<Draft, string> = {
  'draft-04': 'DRAFT_04',
  'draft-06': 'DRAFT_06',
  'draft-07': 'DRAFT_07',
  '2019-09': 'DRAFT_2019_09',
  '2020-12': 'DRAFT_2020_12',
};

describe('a contract in each draft', () => {
  const stored = new Map<Draft, { contract: string; schema: Record<string, unknown> }>();

  for (const draft of Object.keys(GAUGES) as Draft[]) {
    it(`${draft}: registers, publishes, validates records with its own rules, and diffs`, async () => {
      const contract = uniqueName(`gauge-${draft.replace(/[^a-z0-9]/g, '')}`);
      expect(await registerVersion(t, { contract, version: '1.0.0', schema: GAUGES[draft] })).toMatchObject({
        status: 'DRAFT',
      });
      expect(await publishVersion(t, contract, '1.0.0')).toMatchObject({ status: 'PUBLISHED' });
      const v = await versionOf(contract, '1.0.0');
      expect(v.version.draft).toBe(DRAFT_ENUM[draft]);
      expect(v.version.schema.$schema).toBe(DRAFT_URIS[draft]);
      expect(v.version.schema[draft === 'draft-04' ? 'id' : '$id']).toBe(
        `urn:canon:contract:${contract}:1.0.0`,
      );
      stored.set(draft, { contract, schema: v.version.schema });

      await setApprovalPolicy(t, contract, 0);
      const good = await propose(
        t,
        { domain: contract, data: { code: uniqueCode('G'), reading: 0.5, tag: ['inlet', 2], unit: 'bar' } },
        steward,
      );
      expect(good.status, JSON.stringify(good)).toBe('APPLIED');
      // zero is outside the exclusive bound, in draft-04's boolean spelling too
      const zero = await propose(
        t,
        { domain: contract, data: { code: uniqueCode('G'), reading: 0 } },
        steward,
      );
      expect(zero).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED' });
      expect(JSON.stringify(zero.details)).toContain('/reading');
      const long = await propose(
        t,
        { domain: contract, data: { code: uniqueCode('G'), reading: 1, tag: ['a', 1, 'extra'] } },
        steward,
      );
      expect(long).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED' });
      const unit = await propose(
        t,
        { domain: contract, data: { code: uniqueCode('G'), reading: 1, unit: 'kPa' } },
        steward,
      );
      expect(unit).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED' });

      // a new optional property in the same draft: a MINOR change, at the document's own pointer
      const next = structuredClone(GAUGES[draft]) as Record<string, any>;
      next.properties.note = { type: 'string' };
      const check = await t.gql(
        'query($c: String!, $s: JSON!) { checkCompatibility(contract: $c, schema: $s) { ... on CompatibilityReport { compatible requiredBump suggestedVersion changes { kind path } } ... on Error { code message } } }',
        { c: contract, s: next },
      );
      expect(check.data.checkCompatibility).toMatchObject({
        compatible: true,
        requiredBump: 'MINOR',
        suggestedVersion: '1.1.0',
        changes: [{ path: '#/properties/note' }],
      });
      // the same content again is no change
      expect(await diff(GAUGES[draft], v.version.schema)).toEqual({ requiredBump: 'NONE', changes: [] });
    });
  }

  it('every draft is the same gauge: any two of them compare as no change', async () => {
    const drafts = Object.keys(GAUGES) as Draft[];
    for (const a of drafts)
      for (const b of drafts)
        if (a < b)
          expect(await diff(GAUGES[a], GAUGES[b]), `${a} → ${b}`).toEqual({
            requiredBump: 'NONE',
            changes: [],
          });
  });

  it('generates type packages whose declarations compile and whose validators follow the draft', async () => {
    expect(stored.size).toBe(5);
    const consumer: string[] = [];
    for (const [draft, { contract, schema }] of stored) {
      const pkg = await generatePackage({ contract, version: '1.0.0', schema }, [], { scope: '@canon' });
      const dir = join(work, 'node_modules', '@canon', contract);
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of Object.entries(pkg.files)) writeFileSync(join(dir, file), content);
      expect(pkg.files['index.d.ts'], draft).toMatch(/export interface Gauge\w*\s*\{/);
      const mod = await import(join(dir, 'index.js'));
      expect(mod.validate({ code: 'G-1', reading: 2, tag: ['x', 1], unit: 'psi' }), draft).toBe(true);
      expect(mod.validate({ code: 'G-1', reading: 0 }), draft).toBe(false);
      expect(mod.validate({ code: 'G-1', reading: 1, tag: ['x', 1, 2] }), draft).toBe(false);
      const type = /export interface (Gauge\w*)/.exec(pkg.files['index.d.ts'])![1];
      const alias = `T${consumer.length}`;
      consumer.push(
        `import type { ${type} as ${alias} } from '@canon/${contract}';`,
        `export const ok${alias}: ${alias} = { code: 'G-1', reading: 2, tag: ['x', 1], unit: 'psi' };`,
      );
    }
    writeFileSync(join(work, 'consumer.ts'), `${consumer.join('\n')}\n`);
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    await run(TSC, ['-p', work], { cwd: work }).catch((e) => {
      throw new Error(`tsc: ${e.stdout}`);
    });
    // a wrong unit does not compile, in any draft
    writeFileSync(
      join(work, 'consumer.ts'),
      `${consumer.join('\n').replace(/unit: 'psi'/g, "unit: 'kPa'")}\n`,
    );
    await expect(run(TSC, ['-p', work], { cwd: work })).rejects.toMatchObject({
      stdout: expect.stringContaining('kPa'),
    });
  }, 120_000);
});

describe('moving between drafts', () => {
  it('a draft-07 contract moves to 2020-12 in a new version: only the real change is reported', async () => {
    const contract = uniqueName('gauge-move');
    await registerVersion(t, { contract, version: '1.0.0', schema: GAUGES['draft-07'] });
    await publishVersion(t, contract, '1.0.0');
    const translated = translateTo2020(GAUGES['draft-07'], 'draft-07') as Record<string, any>;
    const same = await t.gql(
      'query($c: String!, $s: JSON!) { checkCompatibility(contract: $c, schema: $s) { ... on CompatibilityReport { requiredBump changes { kind } } } }',
      { c: contract, s: translated },
    );
    expect(same.data.checkCompatibility).toEqual({ requiredBump: 'NONE', changes: [] });
    translated.properties.tag.prefixItems.push({ type: 'string' });
    expect(await registerVersion(t, { contract, version: '1.1.0', schema: translated })).toMatchObject({
      status: 'DRAFT',
    });
    const published = await publishVersion(t, contract, '1.1.0');
    expect(published).toMatchObject({
      status: 'PUBLISHED',
      requiredBump: 'MINOR',
      changes: [{ kind: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', path: '#/properties/tag/prefixItems/2' }],
    });
    expect((await versionOf(contract, '1.1.0')).version.draft).toBe('DRAFT_2020_12');
  });

  it("reads documents without $schema in the contract's default draft, set at creation or later", async () => {
    const contract = uniqueName('gauge-default');
    const { $schema: _s, ...bare } = GAUGES['draft-04'];
    expect(
      await registerVersion(t, { contract, version: '1.0.0', schema: bare, defaultDraft: 'DRAFT_04' }),
    ).toMatchObject({ status: 'DRAFT' });
    let read = await versionOf(contract, '1.0.0');
    expect(read).toMatchObject({ defaultDraft: 'DRAFT_04', version: { draft: 'DRAFT_04' } });
    // the same bare document under 2020-12 is invalid (boolean exclusiveMinimum)
    const updated = await mutate(
      t,
      'updateContract',
      { name: contract, defaultDraft: 'DRAFT_2020_12' },
      'defaultDraft',
      {
        field: 'contract',
      },
    );
    expect(updated).toMatchObject({ defaultDraft: 'DRAFT_2020_12' });
    const refused = await registerVersion(t, { contract, version: '1.0.1', schema: { ...bare, title: 'x' } });
    expect(refused).toMatchObject({ code: 'INVALID_SCHEMA', message: expect.stringContaining('2020-12') });
    read = await versionOf(contract, '1.0.0');
    expect(read.version.draft).toBe('DRAFT_04');
  });

  it('refuses a reference to a contract of a draft its validator cannot load', async () => {
    const contract = uniqueName('gauge-ref');
    const r = await registerVersion(t, {
      contract,
      version: '1.0.0',
      schema: {
        $schema: DRAFT_URIS['draft-07'],
        type: 'object',
        properties: { uom: { $ref: 'urn:canon:contract:uom:1.0.0#/properties/code' } },
      },
    });
    expect(r).toMatchObject({ code: 'INVALID_SCHEMA', message: expect.stringMatching(/draft-07.*2020-12/) });
  });
});
