import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

const run = promisify(execFile);
const TSC = resolve(import.meta.dirname, '../../node_modules/.bin/tsc');

let t: TestApp;
let pipeline: string;
let work: string;
beforeAll(async () => {
  t = await startTestApp();
  pipeline = await t.tokenFor('pipeline');
  work = mkdtempSync(join(tmpdir(), 'canon-npm-'));
});
afterAll(async () => {
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const npmGet = (path: string, headers: Record<string, string> = {}, token: string | null = pipeline) =>
  fetch(`${t.url}${path}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });

const publishItem = async (version: string, extra: Record<string, unknown>) => {
  const latest = await t.gql('{ contract(name: "item") { latestVersion { schema } } }');
  const { $id: _id, $schema: _s, ...schema } = latest.data.contract.latestVersion.schema;
  schema.properties = { ...schema.properties, ...extra };
  const reg = await t.gql(
    'mutation($i: RegisterContractVersionInput!) { registerContractVersion(input: $i) { ... on RegisterContractVersionPayload { contractVersion { status } } ... on Error { code message } } }',
    { i: { contract: 'item', version, schema } },
  );
  expect(reg.data.registerContractVersion.contractVersion.status).toBe('DRAFT');
  const pub = await t.gql(
    'mutation($v: SemVer!) { publishContractVersion(input: { contract: "item", version: $v }) { ... on PublishContractVersionPayload { contractVersion { status } } ... on Error { code message } } }',
    { v: version },
  );
  expect(pub.data.publishContractVersion.contractVersion.status).toBe('PUBLISHED');
};

describe('npm registry protocol', () => {
  it('serves a packument for the scoped name, escaped or not', async () => {
    for (const path of ['/npm/@canon%2fitem', '/npm/@canon/item']) {
      const res = await npmGet(path);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as any;
      expect(doc).toMatchObject({
        _id: '@canon/item',
        name: '@canon/item',
        'dist-tags': { latest: '1.1.0' },
      });
      expect(doc.versions['1.0.0']).toMatchObject({
        name: '@canon/item',
        version: '1.0.0',
        _id: '@canon/item@1.0.0',
        dependencies: { '@canon/uom': '^1.0.0' },
        dist: { tarball: `${t.url}/npm/@canon/item/-/item-1.0.0.tgz` },
      });
      expect(doc.versions['1.0.0'].dist.integrity).toMatch(/^sha512-/);
      expect(doc.time['1.0.0']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }
  });

  it('serves the abbreviated packument npm asks for when installing', async () => {
    const res = await npmGet('/npm/@canon/uom', {
      accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8',
    });
    expect(res.headers.get('content-type')).toContain('application/vnd.npm.install-v1+json');
    const doc = (await res.json()) as any;
    expect(Object.keys(doc).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions']);
    expect(Object.keys(doc.versions['1.0.0']).sort()).toEqual(['dependencies', 'dist', 'name', 'version']);
  });

  it('serves tarballs whose bytes match the integrity, with an ETag and immutable caching', async () => {
    const doc = (await (await npmGet('/npm/@canon/item')).json()) as any;
    const { tarball, integrity, shasum } = doc.versions['1.0.0'].dist;
    const res = await npmGet(new URL(tarball).pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(`sha512-${createHash('sha512').update(bytes).digest('base64')}`).toBe(integrity);
    expect(createHash('sha1').update(bytes).digest('hex')).toBe(shasum);
    const etag = res.headers.get('etag')!;
    const again = await npmGet(new URL(tarball).pathname, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it("requires a token, answers unknown packages in npm's error shape, and is read-only", async () => {
    const anonymous = await npmGet('/npm/@canon/item', {}, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(((await anonymous.json()) as any).error).toMatch(/_authToken/);
    expect((await npmGet('/npm/@canon/item', {}, 'canon_aaaaaaaaaaaa_wrong')).status).toBe(401);
    for (const path of [
      '/npm/@canon/nothing',
      '/npm/@other/item',
      '/npm/lodash',
      '/npm/@canon/item/-/item-9.9.9.tgz',
      '/npm/@canon/item/-/uom-1.0.0.tgz',
    ]) {
      const res = await npmGet(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ error: 'Not found' });
    }
    const put = await fetch(`${t.url}/npm/@canon/item`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.adminToken}` },
      body: '{}',
    });
    expect(put.status).toBe(405);
  });

  it('lets every role that reads contracts install', async () => {
    for (const role of ['viewer', 'steward'] as const) {
      const token = await t.tokenFor(role);
      expect((await npmGet('/npm/@canon/uom', {}, token)).status, role).toBe(200);
    }
  });

  it("lists a contract's packages in GraphQL", async () => {
    const r = await t.gql('{ contract(name: "uom") { packages { name version integrity install } } }');
    expect(r.data.contract.packages).toEqual([
      expect.objectContaining({
        name: '@canon/uom',
        version: '1.0.0',
        install: 'npm install @canon/uom@^1.0.0',
      }),
    ]);
  });

  it("shows each contract version's package in GraphQL", async () => {
    const r = await t.gql(
      '{ contract(name: "item") { version(version: "1.0.0") { package { name version integrity install tarballPath size } } } }',
    );
    expect(r.data.contract.version.package).toMatchObject({
      name: '@canon/item',
      version: '1.0.0',
      install: 'npm install @canon/item@^1.0.0',
      tarballPath: '/npm/@canon/item/-/item-1.0.0.tgz',
    });
  });
});

describe('with the real npm client', () => {
  let project: string;
  const npm = (args: string[]) =>
    run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      env: { ...process.env, npm_config_cache: join(work, 'npm-cache') },
      timeout: 120_000,
    });

  beforeAll(() => {
    project = mkdtempSync(join(work, 'consumer-'));
    const host = new URL(t.url).host;
    writeFileSync(
      join(project, '.npmrc'),
      `@canon:registry=${t.url}/npm/\n//${host}/npm/:_authToken=${pipeline}\n`,
    );
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          types: [],
          allowImportingTsExtensions: true,
        },
      }),
    );
  });

  it('installs @canon/item@^1 with its dependency, and the types and validator work', async () => {
    await npm(['install', '@canon/item@^1']);
    const installed = JSON.parse(
      readFileSync(join(project, 'node_modules/@canon/item/package.json'), 'utf8'),
    );
    expect(installed.version).toBe('1.1.0');
    expect(
      JSON.parse(readFileSync(join(project, 'node_modules/@canon/uom/package.json'), 'utf8')).version,
    ).toBe('1.0.0');
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
    const registry = (await (await npmGet('/npm/@canon/item')).json()) as any;
    expect(lock.packages['node_modules/@canon/item'].integrity).toBe(
      registry.versions['1.1.0'].dist.integrity,
    );

    writeFileSync(
      join(project, 'consumer.ts'),
      [
        "import { type Item, assertItem, isItem } from '@canon/item';",
        "import type { UomCode } from '@canon/uom';",
        "const kg: UomCode = 'KGM';",
        "const item: Item = { code: 'RM-1', name: 'Steel', type: 'goods', uom: kg, tracking: 'lot' };",
        "if (!isItem(item)) throw new Error('a valid item was rejected');",
        'let rejected = false;',
        'try {',
        "  assertItem({ code: 'RM-1', type: 'plasma' });",
        '} catch {',
        '  rejected = true;',
        '}',
        "if (!rejected) throw new Error('an invalid item was accepted');",
        "console.log('consumer ok');",
      ].join('\n'),
    );
    await run(TSC, ['-p', project], { cwd: project });
    const out = await run(process.execPath, [join(project, 'consumer.ts')], { cwd: project });
    expect(out.stdout.trim()).toBe('consumer ok');

    // the types are real: a wrong payload does not compile
    writeFileSync(
      join(project, 'wrong.ts'),
      "import type { Item } from '@canon/item';\nexport const bad: Item = { code: 1, name: 'x', type: 'goods', uom: 'KGM', tracking: 'none' };\n",
    );
    await expect(run(TSC, ['-p', project], { cwd: project })).rejects.toMatchObject({
      stdout: expect.stringContaining('wrong.ts'),
    });
    rmSync(join(project, 'wrong.ts'));
  });

  it('brings a newly published version with npm update, while the old one stays byte-identical', async () => {
    const before = (await (await npmGet('/npm/@canon/item')).json()) as any;
    await publishItem('1.2.0', {
      hsCode: { type: 'string', pattern: '^[0-9]{6,10}$', description: 'Customs tariff number.' },
    });
    const after = (await (await npmGet('/npm/@canon/item')).json()) as any;
    expect(after['dist-tags'].latest).toBe('1.2.0');
    expect(after.versions['1.1.0'].dist.integrity).toBe(before.versions['1.1.0'].dist.integrity);

    await npm(['update']);
    expect(
      JSON.parse(readFileSync(join(project, 'node_modules/@canon/item/package.json'), 'utf8')).version,
    ).toBe('1.2.0');
    expect(readFileSync(join(project, 'node_modules/@canon/item/index.d.ts'), 'utf8')).toContain(
      'hsCode?: string;',
    );

    // the meta package follows
    const meta = (await (await npmGet('/npm/@canon/contracts')).json()) as any;
    expect(meta.versions[meta['dist-tags'].latest].dependencies['@canon/item']).toBe('^1.2.0');

    // deprecating 1.0.0 marks it in the packument; it stays installable
    await t.gql(
      'mutation { deprecateContractVersion(input: { contract: "item", version: "1.0.0", reason: "use 1.2.0" }) { __typename } }',
    );
    const deprecated = (await (await npmGet('/npm/@canon/item')).json()) as any;
    expect(deprecated.versions['1.0.0'].deprecated).toBe('Deprecated: use 1.2.0');
    expect(deprecated['dist-tags'].latest).toBe('1.2.0');
    await npm(['install', '@canon/item@1.0.0']);
    expect(
      JSON.parse(readFileSync(join(project, 'node_modules/@canon/item/package.json'), 'utf8')).version,
    ).toBe('1.0.0');
  });
});

describe('offline codegen and rebuilds', () => {
  it('canon codegen --out writes the same tarball bytes the registry serves', async () => {
    const out = join(work, 'codegen-out');
    const cli = resolve(import.meta.dirname, '../../src/cli.ts');
    await run(process.execPath, [cli, 'codegen', '--out', out], {
      env: { ...process.env, DATABASE_URL: '' },
      timeout: 120_000,
    });
    for (const name of ['uom', 'location', 'lot', 'work-center']) {
      const offline = readFileSync(join(out, `${name}-1.0.0.tgz`));
      const served = Buffer.from(
        await (await npmGet(`/npm/@canon/${name}/-/${name}-1.0.0.tgz`)).arrayBuffer(),
      );
      expect(Buffer.compare(offline, served), name).toBe(0);
    }
    expect(readFileSync(join(out, 'item', '1.0.0', 'index.d.ts'), 'utf8')).toContain(
      'export interface Item {',
    );
  });

  it('rebuilds packages made by another generator version, and only those', async () => {
    const conn = t.app.orm.em.getConnection();
    await conn.execute(
      `update package_version set generator = '0.0.0' where name = '@canon/lot' and version = '1.0.0'`,
    );
    const { docs, latest } = await t.app.services.contracts.publishedDocuments();
    expect(await t.app.services.publishing.backfill(docs, latest)).toBe(1);
    const rows = await conn.execute<{ generator: string }[]>(
      `select generator from package_version where name = '@canon/lot'`,
    );
    expect(rows.map((r) => r.generator)).not.toContain('0.0.0');
    expect(await t.app.services.publishing.backfill(docs, latest)).toBe(0);
  });
});

describe('anonymous read switch', () => {
  let open: TestApp;
  beforeAll(async () => {
    open = await startTestApp({ npmAnonymousRead: true });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('serves packages without a token when switched on', async () => {
    const res = await fetch(`${open.url}/npm/@canon/uom`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any)['dist-tags'].latest).toBe('1.0.0');
  });
});

describe('the contracts meta package keeps semver', () => {
  const metaLatest = async () => {
    const doc = (await (await npmGet('/npm/@canon/contracts')).json()) as any;
    const version = doc['dist-tags'].latest as string;
    return { version, deps: doc.versions[version].dependencies as Record<string, string> };
  };
  const mutate = async (doc: string, input: Record<string, unknown>) => {
    const r = await t.gql(
      `mutation($input: JSON!) { x: ${doc}(input: $input) { __typename ... on Error { code message } } }`.replace(
        'JSON!',
        `${doc[0].toUpperCase()}${doc.slice(1)}Input!`,
      ),
      { input },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.x.code, r.data.x.message).toBeUndefined();
  };
  const release = async (
    contract: string,
    version: string,
    schema: Record<string, unknown>,
    allowBreaking = false,
  ) => {
    await mutate('registerContractVersion', { contract, version, schema });
    await mutate('publishContractVersion', { contract, version, allowBreaking });
  };

  it('a new member is a minor step, a new major of a member a major one, and a deprecated major is dropped', async () => {
    const name = `gauge-${Date.now().toString(36)}`;
    const pkg = `@canon/${name}`;
    const base = { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] };
    const start = await metaLatest();
    await release(name, '1.0.0', base);
    const added = await metaLatest();
    expect(added.deps[pkg]).toBe('^1.0.0');
    expect(added.version).toBe(semverInc(start.version, 'minor'));

    await release(name, '2.0.0', { ...base, properties: { code: { type: 'integer' } } }, true);
    const major = await metaLatest();
    expect(major.deps[pkg]).toBe('^2.0.0');
    expect(major.version).toBe(semverInc(added.version, 'major'));

    await mutate('deprecateContractVersion', { contract: name, version: '2.0.0', reason: 'back to 1' });
    const deprecated = await metaLatest();
    expect(deprecated.deps[pkg]).toBe('^1.0.0');
    expect(deprecated.version).toBe(semverInc(major.version, 'major'));

    await mutate('deprecateContractVersion', { contract: name, version: '1.0.0', reason: 'gone' });
    await mutate('retireContractVersion', { contract: name, version: '1.0.0' });
    const gone = await metaLatest();
    expect(gone.deps[pkg]).toBeUndefined();
    expect(Number(gone.version.split('.')[0])).toBeGreaterThan(Number(deprecated.version.split('.')[0]));
    // every meta version ever served depends only on versions that were published when it was made
    const all = (await (await npmGet('/npm/@canon/contracts')).json()) as any;
    expect(Object.keys(all.versions)).toContain(added.version);
  });
});

const semverInc = (v: string, bump: 'major' | 'minor') => {
  const [major, minor] = v.split('.').map(Number);
  return bump === 'major' ? `${major + 1}.0.0` : `${major}.${minor + 1}.0`;
};
