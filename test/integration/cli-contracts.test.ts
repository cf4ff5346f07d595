/**
 * The `canon` command on the database (offline) for contracts — push, the CI check — and the audit
 * trail's keys, checkpoints and verification.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { runCanon as canon, cliWorkspace } from '../support/cli.ts';
import { closedObject, uniqueName } from '../support/schemas.ts';

// every test here starts Node processes that open and migrate a database: on a loaded 2-core
// machine one command can take 10-20 s, and a test runs several
vi.setConfig({ testTimeout: 300_000 });

const ws = cliWorkspace('canon-cli-contracts');

describe('canon contracts push', () => {
  const folder = () => {
    const dir = mkdtempSync(join(ws.work, 'contracts-'));
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
    const first = await canon(['contracts', 'push', dir], ws.env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(`${name}@1.0.0: published`);
    expect(first.stdout).toContain(`${name}@1.1.0: published`);
    const second = await canon(['contracts', 'push', dir], ws.env);
    expect(second.stdout).toContain(`${name}@1.0.0: unchanged`);
    expect(second.stdout).toContain(`${name}@1.1.0: unchanged`);
  });

  it('stops at an incompatible version with the reasons', async () => {
    const { dir, name } = folder();
    writeFileSync(
      join(dir, name, '1.2.0.schema.json'),
      JSON.stringify(closedObject({ code: { type: 'integer' } }, ['code'])),
    );
    const r = await canon(['contracts', 'push', dir], ws.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INCOMPATIBLE_SCHEMA');
    expect(r.stderr).toContain('#/properties/code');
  });

  it('checks a folder on the database as in CI, and lists tokens there too', async () => {
    const { dir, name } = folder();
    await canon(['contracts', 'push', dir], ws.env);
    writeFileSync(
      join(dir, name, '1.2.0.schema.json'),
      JSON.stringify(closedObject({ code: { type: 'integer' } }, ['code'])),
    );
    const check = await canon(['contracts', 'check', dir, '--json'], ws.env);
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report.results.map((r: { status: string }) => r.status)).toEqual([
      'UNCHANGED',
      'UNCHANGED',
      'FAILED',
    ]);
    expect(report.results[2].code).toBe('INCOMPATIBLE_SCHEMA');
    const tokens = await canon(['token', 'list', '--json'], ws.env);
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

describe('canon audit', () => {
  it('makes a key pair, signs a checkpoint, and verifies the log against it', async () => {
    const keys = join(ws.work, 'audit-keys');
    const keygen = await canon(['audit', 'keygen', '--out', keys], ws.env);
    expect(keygen.code, keygen.stderr).toBe(0);
    const file = join(ws.work, 'checkpoint.json');
    const cp = await canon(
      ['audit', 'checkpoint', '--key', join(keys, 'audit-signing-key.pem'), '--out', file],
      ws.env,
    );
    expect(cp.code, cp.stderr).toBe(0);
    expect(JSON.parse(cp.stdout)).toMatchObject({
      sequence: expect.stringMatching(/^\d+$/),
      signature: expect.any(String),
    });
    const ok = await canon(
      ['audit', 'verify', '--checkpoint', file, '--public-key', join(keys, 'audit-signing-key.pub.pem')],
      ws.env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/chain: valid/);
    expect(ok.stdout).toMatch(/checkpoint: valid/);
    // a checkpoint someone edited fails, and the command says so in its exit code
    const edited = join(ws.work, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...JSON.parse(cp.stdout), hash: 'f'.repeat(64) }));
    const bad = await canon(['audit', 'verify', '--checkpoint', edited], ws.env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/checkpoint: INVALID \(bad-signature\)/);
  });
});
