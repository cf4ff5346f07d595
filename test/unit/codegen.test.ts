import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePackage } from '../../codegen/generate.ts';
import { packTarball } from '../../codegen/tarball.ts';
import { CodegenError } from '../../codegen/validator.ts';
import { builtInDocs, builtInPackages, TYPE_FIXTURES_DIR } from '../support/type-packages.ts';

const work = mkdtempSync(join(tmpdir(), 'canon-codegen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Reads a ustar archive's headers: name, mode, mtime, size. */
function entries(tgz: Buffer) {
  const tar = gunzipSync(tgz);
  const out: { name: string; mode: number; mtime: number; uid: number; size: number }[] = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) =>
      header
        .subarray(start, start + len)
        .toString('utf8')
        .replace(/\0.*$/s, '')
        .trim();
    const size = Number.parseInt(field(124, 12), 8);
    out.push({
      name: field(0, 100),
      mode: Number.parseInt(field(100, 8), 8),
      uid: Number.parseInt(field(108, 8), 8),
      mtime: Number.parseInt(field(136, 12), 8),
      size,
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('generated packages', () => {
  it('name root types as json-schema-to-typescript declares them, digits followed by letters too', async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:canon:contract:iso9001-c8a9:1.0.0',
      type: 'object',
    };
    const pkg = await generatePackage({ contract: 'iso9001-c8a9', version: '1.0.0', schema }, [], {
      scope: '@canon',
    });
    expect(pkg.files['index.d.ts']).toContain('export interface Iso9001C8A9 {');
    expect(pkg.files['index.d.ts']).toContain('export declare const validate: Validator<Iso9001C8A9>;');
  });

  it('are byte-identical across runs', async () => {
    const a = await builtInPackages();
    const b = await builtInPackages();
    for (let i = 0; i < a.length; i++) {
      expect(Buffer.compare(a[i].tgz, b[i].tgz), a[i].name).toBe(0);
      expect(a[i].integrity).toBe(b[i].integrity);
    }
  });

  it('pack sorted entries under package/ with fixed mtimes, modes and owners, and a gzip header without time or OS', async () => {
    const [uom] = await builtInPackages();
    const list = entries(uom.tgz);
    expect(list.map((e) => e.name)).toEqual([
      'package/README.md',
      'package/index.d.ts',
      'package/index.js',
      'package/package.json',
      'package/schema.json',
    ]);
    for (const e of list) {
      expect(e.mode).toBe(0o644);
      expect(e.uid).toBe(0);
      expect(e.mtime).toBe(Date.parse('1985-10-26T08:15:00Z') / 1000);
    }
    expect(uom.tgz.readUInt32LE(4)).toBe(0); // gzip MTIME
    expect(uom.tgz[9]).toBe(255); // gzip OS: unknown
    expect(uom.integrity).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
    expect(uom.shasum).toMatch(/^[0-9a-f]{40}$/);
  });

  it('declare the same types as the committed fixtures (npm run fixtures:types after an intended change)', async () => {
    for (const pkg of await builtInPackages()) {
      const fixture = readFileSync(
        join(TYPE_FIXTURES_DIR, `${pkg.name.split('/')[1]}-${pkg.version}.d.ts`),
        'utf8',
      );
      expect(pkg.files['index.d.ts'], pkg.name).toBe(fixture);
    }
  });

  it('name the package, pin references to compatible ranges and declare ESM entry points', async () => {
    const item = (await builtInPackages()).find((p) => p.name === '@canon/item')!;
    const manifest = JSON.parse(item.files['package.json']);
    expect(manifest).toMatchObject({
      name: '@canon/item',
      version: '1.0.0',
      type: 'module',
      types: './index.d.ts',
      sideEffects: false,
      dependencies: { '@canon/uom': '^1.0.0' },
      exports: { '.': { types: './index.d.ts', import: './index.js' } },
    });
    expect(item.files['index.d.ts']).toContain("import type { UomCode } from '@canon/uom';");
    expect(item.files['index.d.ts']).toMatch(/export interface Item \{/);
    expect(item.files['index.d.ts']).toContain(
      'export declare function isItem(value: unknown): value is Item;',
    );
    expect(item.files['README.md']).toContain('npm install @canon/item@^1.0.0');
    expect(item.files['README.md']).toContain('| `purchaseUom` |');
    expect(JSON.parse(item.files['schema.json']).$id).toBe('urn:canon:contract:item:1.0.0');
  });

  it('validate without ajv at run time: accept the examples, reject bad values with every problem listed', async () => {
    for (const pkg of await builtInPackages()) {
      expect(pkg.files['index.js']).not.toMatch(/require\(|from ['"]ajv/);
      const dir = join(work, pkg.name.split('/')[1]);
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of Object.entries(pkg.files)) writeFileSync(join(dir, file), content);
    }
    const item = await import(join(work, 'item', 'index.js'));
    const example = JSON.parse(readFileSync(join(work, 'item', 'schema.json'), 'utf8')).examples[0];
    expect(item.isItem(example)).toBe(true);
    expect(item.isItem({ ...example, code: 42 })).toBe(false);
    expect(() => item.assertItem({ code: 'A' })).toThrow(/Invalid Item: .*name.*type/);
    const lot = await import(join(work, 'lot', 'index.js'));
    expect(lot.isLot({ item: 'A', number: '1', manufacturedOn: '2024-02-29' })).toBe(true);
    expect(lot.isLot({ item: 'A', number: '1', manufacturedOn: '2023-02-29' })).toBe(false);
    expect(lot.isLot({ item: 'A', number: '1', expiresAt: '2026-01-01T10:00:00+01:00' })).toBe(true);
    expect(lot.isLot({ item: 'A', number: '1', expiresAt: '2026-01-01T10:00:00' })).toBe(false);
    expect(lot.validate.errors[0]).toMatchObject({ instancePath: '/expiresAt', keyword: 'format' });
    const uom = await import(join(work, 'uom', 'index.js'));
    expect(
      uom.isUom({ code: 'KGM', name: 'kg', dimension: 'mass', ratio: '1/2.20462', rounding: '0.01' }),
    ).toBe(true);
    expect(uom.isUom({ code: 'KGM', name: 'kg', dimension: 'mass', ratio: 'abc', rounding: '0.01' })).toBe(
      false,
    );
  });

  it('refuse a format they cannot bundle and a reference they cannot resolve', async () => {
    const doc = {
      contract: 'x',
      version: '1.0.0',
      schema: { $id: 'urn:canon:contract:x:1.0.0', type: 'integer', format: 'int32' },
    };
    await expect(generatePackage(doc, [], { scope: '@canon' })).rejects.toThrow(CodegenError);
    const ref = {
      contract: 'y',
      version: '1.0.0',
      schema: { $id: 'urn:canon:contract:y:1.0.0', $ref: 'urn:canon:contract:zzz:1.0.0' },
    };
    await expect(generatePackage(ref, [], { scope: '@canon' })).rejects.toThrow(CodegenError);
  });

  it('pack arbitrary files deterministically', async () => {
    const a = await packTarball({ 'b.txt': 'b', 'a.txt': 'a' });
    const b = await packTarball({ 'a.txt': 'a', 'b.txt': 'b' });
    expect(a.integrity).toBe(b.integrity);
    expect(builtInDocs()).toHaveLength(31);
  });
});

describe('offline codegen of a folder that refers to built-in contracts', () => {
  const out = mkdtempSync(join(tmpdir(), 'canon-codegen-refs-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const gauge = (ref: string) => ({
    contract: 'gauge',
    version: '1.0.0',
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:canon:contract:gauge:1.0.0',
      type: 'object',
      properties: { code: { type: 'string' }, unit: { $ref: ref } },
    },
  });

  it('resolves references to the built-in contracts without writing their packages', async () => {
    const { writePackages } = await import('../../codegen/write-packages.ts');
    const written = await writePackages(
      [gauge('urn:canon:contract:uom:1.0.0#/$defs/code')],
      out,
      '@acme',
      builtInDocs(),
    );
    expect(written.map((p) => p.name)).toEqual(['@acme/gauge', '@acme/contracts']);
    expect(JSON.parse(readFileSync(join(out, 'gauge/1.0.0/package.json'), 'utf8')).dependencies).toEqual({
      '@acme/uom': '^1.0.0',
    });
  });

  it('names the contract a reference cannot be resolved to', async () => {
    const { MissingContractError, writePackages } = await import('../../codegen/write-packages.ts');
    await expect(
      writePackages([gauge('urn:canon:contract:thread:2.0.0')], out, '@acme', builtInDocs()),
    ).rejects.toThrow(MissingContractError);
    await expect(writePackages([gauge('urn:canon:contract:thread:2.0.0')], out, '@acme')).rejects.toThrow(
      /refers to thread 2\.0\.0/,
    );
  });
});
