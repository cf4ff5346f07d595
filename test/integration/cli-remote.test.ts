/**
 * The CLI through a running Canon (--url/--token and CANON_URL/CANON_TOKEN): tokens, systems,
 * contracts (including the CI check with --json and GitHub annotations, and a push after a failed
 * one), records and the audit chain — each command as a Node process, as a platform team scripts it —
 * plus what it says when the address does not answer, --version, and `npx` from a pipeline repository.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { freePort } from '../support/child-canon.ts';
import { runCanon } from '../support/cli.ts';
import { createRecord, itemData, uniqueCode } from '../support/factories.ts';
import { closedObject, uniqueName } from '../support/schemas.ts';

const run = promisify(execFile);
vi.setConfig({ testTimeout: 180_000 });
const ROOT = resolve(import.meta.dirname, '../..');

let t: TestApp;
let work: string;

/** `canon …` against the test server (CANON_URL/CANON_TOKEN); never throws: exit code and output. */
const canon = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCanon(args, { CANON_URL: t.url, CANON_TOKEN: t.adminToken, ...env });

beforeAll(async () => {
  t = await startTestApp();
  work = mkdtempSync(join(tmpdir(), 'canon-cli-remote-'));
}, 120_000);

afterAll(async () => {
  await t?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A contracts folder with one contract at the given versions (schemas by version). */
function contractsFolder(name: string, versions: Record<string, unknown>): string {
  const dir = mkdtempSync(join(work, 'contracts-'));
  mkdirSync(join(dir, name));
  for (const [v, schema] of Object.entries(versions))
    writeFileSync(join(dir, name, `${v}.schema.json`), JSON.stringify(schema));
  return dir;
}

const V1 = closedObject({ code: { type: 'string' } }, ['code']);
const WIDER = closedObject({ code: { type: 'string' }, note: { type: 'string' } }, ['code']);
const BREAKING = closedObject({ code: { type: 'integer' } }, ['code']);

/** A draft registered directly (not by a push), with one more field than WIDER. */
const draftOf = (contract: string, version: string, field: string, token: string) =>
  t.gql(
    `mutation($i: RegisterContractVersionInput!) { registerContractVersion(input: $i) { __typename } }`,
    {
      i: {
        contract,
        version,
        schema: closedObject(
          { code: { type: 'string' }, note: { type: 'string' }, [field]: { type: 'string' } },
          ['code'],
        ),
      },
    },
    token,
  );

describe('canon token through a running Canon', () => {
  it('lists, rotates and revokes tokens; the rotated and revoked ones stop working', async () => {
    const created = JSON.parse(
      (await canon(['token', 'create', '--role', 'viewer', '--name', 'Vic Viewer', '--json'])).stdout,
    );
    const listed = await canon(['token', 'list', '--json']);
    expect(listed.stderr).toBe('');
    const row = JSON.parse(listed.stdout).find((r: { id: string }) => r.id === created.id);
    expect(row).toMatchObject({ prefix: created.prefix, actor: { name: 'Vic Viewer', role: 'VIEWER' } });
    expect(listed.stdout).not.toContain(created.token);
    const table = await canon(['token', 'list']);
    expect(table.stdout).toMatch(new RegExp(`${created.prefix}\\s+Vic Viewer\\s+viewer`));

    const rotated = await canon(['token', 'rotate', created.id]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).toMatch(/^canon_/);
    expect((await t.gql('{ me { name } }', {}, created.token)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await t.gql('{ me { name } }', {}, fresh)).data.me.name).toBe('Vic Viewer');

    const newId = JSON.parse((await canon(['token', 'list', '--json', '--active'])).stdout).find(
      (r: { actor: { name: string } }) => r.actor.name === 'Vic Viewer',
    ).id;
    const revoked = await canon(['token', 'revoke', newId]);
    expect(revoked.stdout).toMatch(/revoked/);
    expect((await t.gql('{ me { name } }', {}, fresh)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const unknown = await canon(['token', 'revoke', '0190aaaa-0000-7000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^NOT_FOUND: /);
  });

  it('answers a role that may not with FORBIDDEN, and a bad token with what to check', async () => {
    const viewer = await t.tokenFor('viewer');
    const refused = await canon(['systems', 'add', 'nope', '--name', 'N', '--kind', 'ERP'], {
      CANON_TOKEN: viewer,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^FORBIDDEN: /);
    const bad = await canon(['systems', 'list'], { CANON_TOKEN: 'canon_nope_nope' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^UNAUTHENTICATED: /);
  });
});

describe('canon systems through a running Canon', () => {
  it('adds, updates, owns, disowns, removes and lists', async () => {
    const code = uniqueCode('mes').toLowerCase();
    expect(
      (await canon(['systems', 'add', code, '--name', 'MES', '--kind', 'MES', '--sites', 'EU1'])).stdout,
    ).toContain(`${code}: MES (MES, EU1)`);
    const updated = await canon(['systems', 'update', code, '--name', 'MES Europe', '--sites', 'EU1,EU2']);
    expect(updated.stdout.trim()).toBe(`${code}: MES Europe (MES, EU1,EU2)`);
    const nothing = await canon(['systems', 'update', code]);
    expect(nothing.stderr).toMatch(/^BAD_USER_INPUT: Nothing to change/);
    expect((await canon(['systems', 'own', code, 'work-center', '--site', 'EU2'])).code).toBe(0);
    const wrong = await canon(['systems', 'disown', code, 'work-center']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('owns: work-center on EU2');
    const disowned = await canon(['systems', 'disown', code, 'work-center', '--site', 'EU2']);
    expect(disowned.stdout.trim()).toBe(`${code} no longer owns work-center on EU2`);
    const removed = await canon(['systems', 'remove', code]);
    expect(removed.stdout).toContain('inactive');
    const listed = JSON.parse((await canon(['systems', 'list', '--json'])).stdout);
    expect(listed.find((s: { code: string }) => s.code === code)).toMatchObject({
      name: 'MES Europe',
      active: false,
      owns: [],
    });
    const audit = await t.gql(
      `query($s: String!) { auditEvents(subjectId: $s, first: 10, orderBy: OLDEST_FIRST) { edges { node { action } } } }`,
      { s: code },
    );
    expect(audit.data.auditEvents.edges.map((e: { node: { action: string } }) => e.node.action)).toEqual([
      'SYSTEM_REGISTERED',
      'SYSTEM_UPDATED',
      'SYSTEM_DEACTIVATED',
    ]);
  });
});

describe('canon contracts through a running Canon', () => {
  it('pushes, lists, shows, diffs, deprecates, retires and deletes a draft', async () => {
    const name = uniqueName('gauge');
    const pushed = await canon(['contracts', 'push', contractsFolder(name, { '1.0.0': V1, '1.1.0': WIDER })]);
    expect(pushed.stdout).toBe(`${name}@1.0.0: published\n${name}@1.1.0: published\n`);
    const listed = JSON.parse((await canon(['contracts', 'list', '--json'])).stdout);
    expect(listed.find((c: { name: string }) => c.name === name)).toMatchObject({
      latestVersion: { version: '1.1.0' },
      versions: expect.arrayContaining([
        { version: '1.0.0', status: 'PUBLISHED' },
        { version: '1.1.0', status: 'PUBLISHED' },
      ]),
    });
    const shown = await canon(['contracts', 'show', name, '1.1.0']);
    expect(JSON.parse(shown.stdout).properties.note).toEqual({ type: 'string' });
    const diff = await canon(['contracts', 'diff', name, '1.0.0', '1.1.0']);
    expect(diff.stdout).toMatch(/needs a MINOR bump; backward compatible/);
    expect(diff.stdout).toContain('/properties/note');
    const file = join(work, `${name}-breaking.json`);
    writeFileSync(file, JSON.stringify(BREAKING));
    expect((await canon(['contracts', 'diff', name, '1.1.0', file])).stdout).toMatch(/needs a MAJOR bump/);

    expect(
      (await canon(['contracts', 'deprecate', name, '1.0.0', '--reason', 'use 1.1'])).stdout.trim(),
    ).toBe(`${name}@1.0.0: deprecated`);
    expect((await canon(['contracts', 'retire', name, '1.0.0'])).stdout.trim()).toBe(
      `${name}@1.0.0: retired`,
    );
    await t.gql(
      `mutation($i: RegisterContractVersionInput!) { registerContractVersion(input: $i) { __typename } }`,
      {
        i: {
          contract: name,
          version: '1.2.0',
          schema: closedObject({ code: { type: 'string' }, x: { type: 'number' } }, ['code']),
        },
      },
    );
    expect((await canon(['contracts', 'delete-draft', name, '1.2.0'])).stdout.trim()).toBe(
      `${name}@1.2.0: draft deleted`,
    );
    const notDraft = await canon(['contracts', 'delete-draft', name, '1.1.0']);
    expect(notDraft.code).toBe(1);
    expect(notDraft.stderr).toMatch(/^INVALID_STATE: /);
  });

  it('check: exit 0 for an acceptable folder, 1 with the changes for a breaking or too-low version', async () => {
    const name = uniqueName('caliper');
    await canon(['contracts', 'push', contractsFolder(name, { '1.0.0': V1 })]);
    const good = await canon(['contracts', 'check', contractsFolder(name, { '1.0.0': V1, '1.1.0': WIDER })]);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toContain(`${name}@1.0.0: unchanged`);
    expect(good.stdout).toContain(`${name}@1.1.0: ok: minor change from 1.0.0`);

    // a pipeline token reads, so it may check
    const pipeline = await t.tokenFor('pipeline');
    const tooLow = await canon(['contracts', 'check', contractsFolder(name, { '1.0.1': WIDER }), '--json'], {
      CANON_TOKEN: pipeline,
    });
    expect(tooLow.code).toBe(1);
    const report = JSON.parse(tooLow.stdout);
    expect(report.ok).toBe(false);
    expect(report.results[0]).toMatchObject({
      status: 'FAILED',
      code: 'VERSION_TOO_LOW',
      requiredBump: 'MINOR',
    });
    expect(report.results[0].changes.map((c: { path: string }) => c.path)).toContain('#/properties/note');

    const breaking = await canon(['contracts', 'check', contractsFolder(name, { '1.1.0': BREAKING })], {
      GITHUB_ACTIONS: 'true',
    });
    expect(breaking.code).toBe(1);
    expect(breaking.stdout).toContain('FAIL INCOMPATIBLE_SCHEMA');
    expect(breaking.stdout).toMatch(
      new RegExp(
        `^::error file=[^,]*${name}/1\\.1\\.0\\.schema\\.json,title=INCOMPATIBLE_SCHEMA ${name}@1\\.1\\.0::`,
        'm',
      ),
    );
    const rewritten = await canon(['contracts', 'check', contractsFolder(name, { '1.0.0': WIDER })]);
    expect(rewritten.stdout).toContain('FAIL VERSION_CONFLICT');
    // the check changed nothing
    const versions = await t.gql(`query($n: String!) { contract(name: $n) { versions { totalCount } } }`, {
      n: name,
    });
    expect(versions.data.contract.versions.totalCount).toBe(1);
  });

  it('a push that failed leaves no draft in the way; a draft of its own is replaced, one of someone else is not', async () => {
    const name = uniqueName('bore');
    await canon(['contracts', 'push', contractsFolder(name, { '1.0.0': V1 })]);
    const failed = await canon(['contracts', 'push', contractsFolder(name, { '1.1.0': BREAKING })]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^INCOMPATIBLE_SCHEMA: .*1\.1\.0.*The draft was not kept/);
    const fixed = await canon(['contracts', 'push', contractsFolder(name, { '1.1.0': WIDER })]);
    expect(fixed.stdout.trim()).toBe(`${name}@1.1.0: published`);

    // a draft this same actor left with other content (an older Canon, a crash between the steps)
    const admin = t.adminToken;
    await draftOf(name, '1.2.0', 'a', admin);
    const third = closedObject(
      { code: { type: 'string' }, note: { type: 'string' }, b: { type: 'string' } },
      ['code'],
    );
    const replaced = await canon(['contracts', 'push', contractsFolder(name, { '1.2.0': third })]);
    expect(replaced.stdout.trim(), replaced.stderr).toBe(
      `${name}@1.2.0: published (replaced the draft an earlier push had left with other content)`,
    );
    // another admin's draft is theirs: refused, named, untouched
    const other = await t.tokenFor('admin', { actorName: 'Other Admin' });
    await draftOf(name, '1.3.0', 'c', other);
    const mine = closedObject({ code: { type: 'string' }, note: { type: 'string' }, d: { type: 'string' } }, [
      'code',
    ]);
    const blocked = await canon(['contracts', 'push', contractsFolder(name, { '1.3.0': mine })]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^VERSION_CONFLICT: .*1\.3\.0 exists as a draft with other content/);
    const still = await t.gql(
      `query($n: String!) { contract(name: $n) { version(version: "1.3.0") { status schema } } }`,
      {
        n: name,
      },
    );
    expect(still.data.contract.version.status).toBe('DRAFT');
    expect(still.data.contract.version.schema.properties.c).toBeDefined();
  });
});

describe('canon records and audit through a running Canon', () => {
  it('gets a record by key (and as of a moment) and lists its history', async () => {
    const code = uniqueCode('CLI');
    await createRecord(t, 'item', itemData(code));
    const got = await canon(['records', 'get', 'item', code, '--json']);
    expect(got.stderr).toBe('');
    expect(JSON.parse(got.stdout)).toMatchObject({ key: code, status: 'ACTIVE', revision: 1 });
    const text = await canon(['records', 'get', 'item', code]);
    expect(text.stdout).toMatch(new RegExp(`^item ${code}: active, revision 1`));
    const before = await canon(['records', 'get', 'item', code, '--as-of', '2000-01-01T00:00:00Z']);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/^NOT_FOUND: No item record has the key/);
    const prefix = await canon(['records', 'get', 'item', code.slice(0, -1)]);
    expect(prefix.stderr).toMatch(/^NOT_FOUND/);
    const history = JSON.parse((await canon(['records', 'history', 'item', code, '--json'])).stdout);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ revision: 1, operation: 'CREATE' });
  });

  it('verifies the audit chain', async () => {
    const r = await canon(['audit', 'verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^chain: valid \(\d+ events\)/);
  });
});

describe('canon import and export through a running Canon', () => {
  it('uploads the file, follows the job to its end, writes the report, and exports it again', async () => {
    const system = uniqueCode('odoo').toLowerCase();
    await canon(['systems', 'add', system, '--name', 'Odoo', '--kind', 'ERP']);
    const report = join(work, `${system}.report.csv`);
    const fixture = join(ROOT, 'test/fixtures/odoo/uom.uom.csv');
    const args = [
      'import',
      fixture,
      '--domain',
      'uom',
      '--system',
      system,
      '--mapping',
      'odoo:uom.uom',
      '--mode',
      'apply',
    ];
    const r = await canon([...args, '--report', report]);
    expect([0, 2], r.stderr).toContain(r.code);
    expect(r.stderr).toMatch(/^import [0-9a-f-]{36} started on http/m);
    expect(r.stdout).toMatch(/^import [0-9a-f-]{36} completed: \d+ rows, \d+ created/m);
    expect(r.stdout).toMatch(/report: \d+ line\(s\) in /);
    expect((await import('node:fs')).readFileSync(report, 'utf8')).toMatch(
      /^row,businessKey,pointer,code,message,severity/,
    );
    // the same file again changes nothing
    const again = await canon(args);
    expect(again.stdout).toMatch(/ 0 created, 0 updated/);
    // and out again, from the server, with the system's ids
    const exported = join(work, `${system}.ndjson`);
    const out = await canon(['export', '--domain', 'uom', '--system', system, '--out', exported]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/^export of uom consistent with change sequence \d+/m);
    const rows = (await import('node:fs'))
      .readFileSync(exported, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.stderr).toContain(`${rows.length} record(s) exported`);
    expect(rows.some((r) => r.externalId === 'uom.product_uom_dozen')).toBe(true);
    // the same extract reconciled on the server: every row matches its record
    const diffReport = join(work, `${system}.differences.csv`);
    const rec = await canon([
      'reconcile',
      fixture,
      '--domain',
      'uom',
      '--system',
      system,
      '--mapping',
      'odoo:uom.uom',
      '--report',
      diffReport,
    ]);
    expect(rec.stderr).toMatch(/^reconciliation [0-9a-f-]{36} started on http/m);
    expect(rec.stdout).toMatch(/^6 rows: 6 matched \(6 identical\)/m);
    expect((await import('node:fs')).readFileSync(diffReport, 'utf8')).toMatch(
      /^kind,row,externalId,key,recordId,pointer,canon,system,message/,
    );
    const badDomain = await canon(['export', '--domain', 'nope']);
    expect(badDomain.code).toBe(1);
    expect(badDomain.stderr).toMatch(/^(NOT_FOUND|BAD_USER_INPUT): /);
    const mappingFile = await canon(['import', fixture, '--domain', 'uom', '--mapping', 'my-mapping.json']);
    expect(mappingFile.stderr).toMatch(/^BAD_USER_INPUT: --mapping my-mapping.json: a running Canon takes/);
  });
});

describe('the CLI itself', () => {
  it('says which address does not answer and why, not "fetch failed"', async () => {
    const port = await freePort();
    const r = await canon(['systems', 'list', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot reach Canon at http://127.0.0.1:${port}: nothing is listening there`);
    const notCanon = await canon(['systems', 'list', '--url', `${t.url}/graphql`]);
    expect(notCanon.stderr).toMatch(/is .* a Canon server|did not answer as Canon|does not exist/);
    const noToken = await canon(['systems', 'list'], { CANON_TOKEN: '' });
    expect(noToken.stderr).toMatch(/^UNAUTHENTICATED: A token is needed to call/);
    const badUrl = await canon(['systems', 'list', '--url', 'not a url']);
    expect(badUrl.stderr).toMatch(/^BAD_USER_INPUT: "not a url" is not a URL/);
  });

  it('--version prints the package version; --help is quick and loads no database', async () => {
    const pkg = JSON.parse((await import('node:fs')).readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.name).toMatch(/^@[a-z0-9-]+\/[a-z0-9-]+$/);
    expect((await canon(['--version'])).stdout.trim()).toBe(pkg.version);
    const help = await canon(['--help'], { CANON_DATA_DIR: '/nonexistent/never-created' });
    expect(help.code).toBe(0);
    for (const group of ['contracts', 'token', 'systems', 'records', 'audit', 'import', 'codegen'])
      expect(help.stdout).toContain(group);
  });

  it('runs with npx from a pipeline repository that installs it', async () => {
    const repo = mkdtempSync(join(work, 'pipeline-'));
    writeFileSync(
      join(repo, 'package.json'),
      JSON.stringify({ name: 'pipeline', version: '1.0.0', private: true }),
    );
    // as in the pipeline's own shell: no npm_* settings of the npm that runs this test (its prefix)
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const npm = (args: string[]) => run('npm', args, { cwd: repo, env, timeout: 120_000 });
    await npm([
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--install-links=false',
      ROOT,
    ]);
    const pkg = JSON.parse((await import('node:fs')).readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const version = await npm(['exec', '--no', '--', pkg.name.split('/')[1], '--version']);
    expect(version.stdout.trim()).toBe(pkg.version);
    const out = join(repo, 'dist');
    const codegen = await run('npx', ['--no-install', pkg.name, 'codegen', '--out', out], {
      cwd: repo,
      env,
      timeout: 120_000,
    });
    expect(codegen.stdout).toMatch(/^@canon\/item@1\.0\.0 {2}sha512-/m);
  });
});
