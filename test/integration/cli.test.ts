import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { lockDataDir } from '../../src/db/data-dir-lock.ts';
import { createServices } from '../../src/services.ts';
import { openCanonDatabase } from '../../src/startup.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { closedObject, uniqueName } from '../support/schemas.ts';

const run = promisify(execFile);

// every test here starts Node processes that open and migrate a database: on a loaded 2-core
// machine one command can take 10-20 s, and a test runs several
vi.setConfig({ testTimeout: 300_000 });
const CLI = resolve(import.meta.dirname, '../../src/cli.ts');

/** Runs `canon …` on the database the environment names; never throws, returns exit code and output. */
async function canon(args: string[], env: Record<string, string | undefined>) {
  try {
    const r = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, DATABASE_URL: '', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let work: string;
let db: TestDatabase;
let env: Record<string, string | undefined>;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'canon-cli-'));
  db = await createTestDatabase();
  // on the PostgreSQL server the CLI uses its own database; otherwise an embedded data folder
  env = db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : { CANON_DATA_DIR: join(work, 'data') };
});
afterAll(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('canon migrate', () => {
  it('says how many migrations it applied, then that the database is up to date', async () => {
    const fresh = await createTestDatabase();
    const freshEnv = fresh.databaseUrl
      ? { DATABASE_URL: fresh.databaseUrl }
      : { CANON_DATA_DIR: join(work, 'migrate-data') };
    try {
      const first = await canon(['migrate'], freshEnv);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^applied \d+ migration\(s\): Migration\d+/);
      const second = await canon(['migrate'], freshEnv);
      expect(second.stdout.trim()).toBe('database is up to date');
    } finally {
      await fresh.drop();
    }
  });
});

describe('canon token create', () => {
  it('prints a token that authenticates against the same database', async () => {
    const unregistered = await canon(['token', 'create', '--role', 'connector', '--system', 'plm'], env);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain('NOT_FOUND');
    await canon(['systems', 'add', 'plm', '--name', 'PLM', '--kind', 'PLM'], env);
    const r = await canon(
      ['token', 'create', '--role', 'connector', '--system', 'plm', '--name', 'plm-connector', '--json'],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ actor: 'plm-connector', role: 'connector' });
    expect(out.token).toMatch(/^canon_[a-z2-7]{12}_/);
    const bare = await canon(['token', 'create', '--role', 'viewer'], env);
    expect(bare.stdout.trim()).toMatch(/^canon_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    const opened = await openCanonDatabase(loadConfig({ ...env }), 'cli test');
    try {
      const actor = await createServices(opened.orm).auth.authenticate(out.token);
      expect(actor).toMatchObject({ name: 'plm-connector', role: 'connector', systemCode: 'plm' });
    } finally {
      await opened.close();
    }
  });

  it('explains bad input and exits non-zero', async () => {
    const noSystem = await canon(['token', 'create', '--role', 'connector'], env);
    expect(noSystem.code).toBe(1);
    expect(noSystem.stderr).toContain('BAD_USER_INPUT');
    const badRole = await canon(['token', 'create', '--role', 'king'], env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/Allowed choices are admin, steward, viewer, connector, pipeline/);
  });

  it('refuses an embedded data folder another process holds', async () => {
    const dir = join(work, 'held');
    const release = lockDataDir(dir, 'test holder');
    try {
      const r = await canon(['token', 'create', '--role', 'viewer'], { CANON_DATA_DIR: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/in use by another Canon process \(pid \d+, test holder\)/);
    } finally {
      release();
    }
  });
});

describe('canon systems', () => {
  it('registers systems, assigns ownership and lists both', async () => {
    const add = await canon(
      ['systems', 'add', 'wms-eu', '--name', 'WMS Europe', '--kind', 'WMS', '--sites', 'EU1, EU2'],
      env,
    );
    expect(add.stderr).toBe('');
    expect(add.stdout.trim()).toBe('wms-eu: WMS Europe (WMS, EU1,EU2)');
    const again = await canon(
      ['systems', 'add', 'wms-eu', '--name', 'WMS Europe', '--kind', 'WMS', '--sites', 'EU1,EU2'],
      env,
    );
    expect(again.code).toBe(0);
    const own = await canon(
      ['systems', 'own', 'wms-eu', 'location', '--site', 'EU1', '--approvals', '1'],
      env,
    );
    expect(own.stderr).toBe('');
    expect(own.stdout).toMatch(/^[0-9a-f-]{36} {2}location on EU1 \(1 approvals\)$/m);
    const listed = await canon(['systems', 'list', '--json'], env);
    const wms = JSON.parse(listed.stdout).find((s: { code: string }) => s.code === 'wms-eu');
    expect(wms).toMatchObject({
      kind: 'WMS',
      sites: ['EU1', 'EU2'],
      active: true,
      owns: [{ domain: 'location', site: 'EU1', fields: null, requiredApprovals: 1 }],
    });
    const text = await canon(['systems', 'list'], env);
    expect(text.stdout).toContain('wms-eu  WMS  WMS Europe\n  owns location on EU1 (1 approvals)');
  });

  it('explains refusals with the error code and exits non-zero', async () => {
    await canon(['systems', 'add', 'plm-x', '--name', 'PLM', '--kind', 'PLM'], env);
    await canon(['systems', 'add', 'mes-x', '--name', 'MES', '--kind', 'MES'], env);
    expect((await canon(['systems', 'own', 'plm-x', 'work-center'], env)).code).toBe(0);
    const overlap = await canon(['systems', 'own', 'mes-x', 'work-center', '--fields', '/capacity'], env);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/^DUPLICATE_KEY: plm-x already owns/);
    const changed = await canon(['systems', 'add', 'plm-x', '--name', 'Other', '--kind', 'PLM'], env);
    expect(changed.stderr).toMatch(/^DUPLICATE_KEY/);
    const badKind = await canon(['systems', 'add', 'x', '--name', 'X', '--kind', 'CRM'], env);
    expect(badKind.code).not.toBe(0);
    expect(badKind.stderr).toContain('Allowed choices are ERP, MES, WMS');
    const badCode = await canon(['systems', 'add', 'Bad Code', '--name', 'X', '--kind', 'ERP'], env);
    expect(badCode.stderr).toMatch(/^BAD_USER_INPUT: A system code/);
  });
});

describe('canon contracts push', () => {
  const folder = () => {
    const dir = mkdtempSync(join(work, 'contracts-'));
    const name = uniqueName('gauge');
    mkdirSync(join(dir, name));
    writeFileSync(
      join(dir, name, '1.0.0.schema.json'),
      JSON.stringify(closedObject({ code: { type: 'string' } }, ['code'])),
    );
    writeFileSync(
      join(dir, name, '1.1.0.schema.json'),
      JSON.stringify(
        closedObject(
          { code: { type: 'string' }, unit: { $ref: 'urn:canon:contract:uom:1.0.0#/$defs/code' } },
          ['code'],
        ),
      ),
    );
    return { dir, name };
  };

  it('registers and publishes a folder, and a second push changes nothing', async () => {
    const { dir, name } = folder();
    const first = await canon(['contracts', 'push', dir], env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(`${name}@1.0.0: published`);
    expect(first.stdout).toContain(`${name}@1.1.0: published`);
    const second = await canon(['contracts', 'push', dir], env);
    expect(second.stdout).toContain(`${name}@1.0.0: unchanged`);
    expect(second.stdout).toContain(`${name}@1.1.0: unchanged`);
  });

  it('stops at an incompatible version with the reasons', async () => {
    const { dir, name } = folder();
    writeFileSync(
      join(dir, name, '1.2.0.schema.json'),
      JSON.stringify(closedObject({ code: { type: 'integer' } }, ['code'])),
    );
    const r = await canon(['contracts', 'push', dir], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INCOMPATIBLE_SCHEMA');
    expect(r.stderr).toContain('#/properties/code');
  });

  it('checks a folder on the database as in CI, and lists tokens and contracts there too', async () => {
    const { dir, name } = folder();
    await canon(['contracts', 'push', dir], env);
    writeFileSync(
      join(dir, name, '1.2.0.schema.json'),
      JSON.stringify(closedObject({ code: { type: 'integer' } }, ['code'])),
    );
    const check = await canon(['contracts', 'check', dir, '--json'], env);
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report.results.map((r: { status: string }) => r.status)).toEqual([
      'UNCHANGED',
      'UNCHANGED',
      'FAILED',
    ]);
    expect(report.results[2].code).toBe('INCOMPATIBLE_SCHEMA');
    const listed = JSON.parse((await canon(['contracts', 'list', '--json'], env)).stdout);
    expect(listed.map((c: { name: string }) => c.name)).toContain(name);
    const tokens = await canon(['token', 'list', '--json'], env);
    expect(tokens.code, tokens.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(tokens.stdout))).toBe(true);
  });

  describe('through a running Canon (--url)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp();
    });
    afterAll(async () => {
      await app?.close();
    });

    it('pushes with an admin token', async () => {
      const { dir, name } = folder();
      const r = await canon(['contracts', 'push', dir, '--url', app.url, '--token', app.adminToken], {});
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`${name}@1.1.0: published`);
      const viewer = await app.tokenFor('viewer');
      const refused = await canon(
        ['contracts', 'push', folder().dir, '--url', app.url, '--token', viewer],
        {},
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('FORBIDDEN');
    });
  });
});

describe('canon serve', () => {
  it('starts, reports ready, prints the development token once, and stops cleanly on SIGTERM', async () => {
    const dataDir = join(work, 'serve-data');
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        CANON_DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'development',
      },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 90_000);
      child.stdout.on('data', () => {
        const m = /GraphQL:\s+(http:\/\/[^/\s]+)\/graphql/.exec(out);
        if (m && /Authorization: Bearer/.test(out)) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const token = /(canon_[a-z2-7]{12}_[A-Za-z0-9_-]{43})/.exec(out)?.[1];
    expect(token).toBeTruthy();
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const me = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { name role } }' }),
    });
    expect(((await me.json()) as any).data.me).toEqual({ name: 'dev-admin', role: 'ADMIN' });
    // while the server holds the folder, the offline CLI refuses it
    const busy = await canon(['token', 'create', '--role', 'viewer'], { CANON_DATA_DIR: dataDir });
    expect(busy.stderr).toMatch(/in use by another Canon process/);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});

describe('canon audit', () => {
  it('makes a key pair, signs a checkpoint, and verifies the log against it', async () => {
    const keys = join(work, 'audit-keys');
    const keygen = await canon(['audit', 'keygen', '--out', keys], env);
    expect(keygen.code, keygen.stderr).toBe(0);
    const file = join(work, 'checkpoint.json');
    const cp = await canon(
      ['audit', 'checkpoint', '--key', join(keys, 'audit-signing-key.pem'), '--out', file],
      env,
    );
    expect(cp.code, cp.stderr).toBe(0);
    expect(JSON.parse(cp.stdout)).toMatchObject({
      sequence: expect.stringMatching(/^\d+$/),
      signature: expect.any(String),
    });
    const ok = await canon(
      ['audit', 'verify', '--checkpoint', file, '--public-key', join(keys, 'audit-signing-key.pub.pem')],
      env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/chain: valid/);
    expect(ok.stdout).toMatch(/checkpoint: valid/);
    // a checkpoint someone edited fails, and the command says so in its exit code
    const edited = join(work, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...JSON.parse(cp.stdout), hash: 'f'.repeat(64) }));
    const bad = await canon(['audit', 'verify', '--checkpoint', edited], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/checkpoint: INVALID \(bad-signature\)/);
  });
});
