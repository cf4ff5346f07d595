/**
 * The `canon` command on the database (offline): migrate, tokens, systems, and serve. Contracts and
 * the audit commands are in cli-contracts.test.ts; the commands through a running Canon in
 * cli-remote.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { lockDataDir } from '../../src/db/data-dir-lock.ts';
import { createServices } from '../../src/services.ts';
import { openCanonDatabase } from '../../src/startup.ts';
import { CLI, runCanon as canon, cliWorkspace } from '../support/cli.ts';
import { createTestDatabase } from '../support/db.ts';

// every test here starts Node processes that open and migrate a database: on a loaded 2-core
// machine one command can take 10-20 s, and a test runs several
vi.setConfig({ testTimeout: 300_000 });

const ws = cliWorkspace('canon-cli');

describe('canon migrate', () => {
  it('says how many migrations it applied, then that the database is up to date', async () => {
    const fresh = await createTestDatabase({ fresh: true });
    const freshEnv = fresh.databaseUrl
      ? { DATABASE_URL: fresh.databaseUrl }
      : { CANON_DATA_DIR: join(ws.work, 'migrate-data') };
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
    const unregistered = await canon(['token', 'create', '--role', 'connector', '--system', 'plm'], ws.env);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain('NOT_FOUND');
    await canon(['systems', 'add', 'plm', '--name', 'PLM', '--kind', 'PLM'], ws.env);
    const r = await canon(
      ['token', 'create', '--role', 'connector', '--system', 'plm', '--name', 'plm-connector', '--json'],
      ws.env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ actor: 'plm-connector', role: 'connector' });
    expect(out.token).toMatch(/^canon_[a-z2-7]{12}_/);
    const bare = await canon(['token', 'create', '--role', 'viewer'], ws.env);
    expect(bare.stdout.trim()).toMatch(/^canon_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    const opened = await openCanonDatabase(loadConfig({ ...ws.env }), 'cli test');
    try {
      const actor = await createServices(opened.orm).auth.authenticate(out.token);
      expect(actor).toMatchObject({ name: 'plm-connector', role: 'connector', systemCode: 'plm' });
    } finally {
      await opened.close();
    }
  });

  it('explains bad input and exits non-zero', async () => {
    const noSystem = await canon(['token', 'create', '--role', 'connector'], ws.env);
    expect(noSystem.code).toBe(1);
    expect(noSystem.stderr).toContain('BAD_USER_INPUT');
    const badRole = await canon(['token', 'create', '--role', 'king'], ws.env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/Allowed choices are admin, steward, viewer, connector, pipeline/);
  });

  it('refuses an embedded data folder another process holds', async () => {
    const dir = join(ws.work, 'held');
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
      ws.env,
    );
    expect(add.stderr).toBe('');
    expect(add.stdout.trim()).toBe('wms-eu: WMS Europe (WMS, EU1,EU2)');
    const again = await canon(
      ['systems', 'add', 'wms-eu', '--name', 'WMS Europe', '--kind', 'WMS', '--sites', 'EU1,EU2'],
      ws.env,
    );
    expect(again.code).toBe(0);
    const own = await canon(
      ['systems', 'own', 'wms-eu', 'location', '--site', 'EU1', '--approvals', '1'],
      ws.env,
    );
    expect(own.stderr).toBe('');
    expect(own.stdout).toMatch(/^[0-9a-f-]{36} {2}location on EU1 \(1 approvals\)$/m);
    const listed = await canon(['systems', 'list', '--json'], ws.env);
    const wms = JSON.parse(listed.stdout).find((s: { code: string }) => s.code === 'wms-eu');
    expect(wms).toMatchObject({
      kind: 'WMS',
      sites: ['EU1', 'EU2'],
      active: true,
      owns: [{ domain: 'location', site: 'EU1', fields: null, requiredApprovals: 1 }],
    });
    const text = await canon(['systems', 'list'], ws.env);
    expect(text.stdout).toContain('wms-eu  WMS  WMS Europe\n  owns location on EU1 (1 approvals)');
  });

  it('explains refusals with the error code and exits non-zero', async () => {
    await canon(['systems', 'add', 'plm-x', '--name', 'PLM', '--kind', 'PLM'], ws.env);
    await canon(['systems', 'add', 'mes-x', '--name', 'MES', '--kind', 'MES'], ws.env);
    expect((await canon(['systems', 'own', 'plm-x', 'work-center'], ws.env)).code).toBe(0);
    const overlap = await canon(['systems', 'own', 'mes-x', 'work-center', '--fields', '/capacity'], ws.env);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toMatch(/^DUPLICATE_KEY: plm-x already owns/);
    const changed = await canon(['systems', 'add', 'plm-x', '--name', 'Other', '--kind', 'PLM'], ws.env);
    expect(changed.stderr).toMatch(/^DUPLICATE_KEY/);
    const badKind = await canon(['systems', 'add', 'x', '--name', 'X', '--kind', 'CRM'], ws.env);
    expect(badKind.code).not.toBe(0);
    expect(badKind.stderr).toContain('Allowed choices are ERP, MES, WMS');
    const badCode = await canon(['systems', 'add', 'Bad Code', '--name', 'X', '--kind', 'ERP'], ws.env);
    expect(badCode.stderr).toMatch(/^BAD_USER_INPUT: A system code/);
  });
});

describe('canon serve', () => {
  it('starts, reports ready, prints the development token once, and stops cleanly on SIGTERM', async () => {
    const dataDir = join(ws.work, 'serve-data');
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
