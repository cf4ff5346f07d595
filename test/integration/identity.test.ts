import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { nodes, registerSystem } from '../support/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) {
  ... on CreateApiTokenPayload { token replayed notice apiToken { id prefix name expiresAt actor { name role systemCode kind } } }
  ... on Error { code message path } } }`;

const count = async (sql: string) =>
  Number(
    (await t.app.orm.em.getConnection().execute<{ n: string }[]>(`select count(*)::text as n from ${sql}`))[0]
      .n,
  );

describe('authentication', () => {
  it('requires a token for the API', async () => {
    const r = await t.gql('{ me { name } }', {}, null);
    expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const contracts = await t.gql('{ contracts { edges { node { name } } } }', {}, null);
    expect(contracts.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(contracts.data?.contracts ?? null).toBeNull();
  });

  it('answers a wrong or malformed token with 401 UNAUTHENTICATED', async () => {
    const wrong = await t.gql('{ me { name } }', {}, 'canon_aaaaaaaaaaaa_notarealtoken');
    expect(wrong.status).toBe(401);
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('accepts the bootstrap admin token', async () => {
    const r = await t.gql('{ me { name role abilities { action subject } viewerCanPublishContracts } }');
    expect(r.data.me).toMatchObject({
      name: 'bootstrap-admin',
      role: 'ADMIN',
      viewerCanPublishContracts: true,
    });
    expect(r.data.me.abilities).toContainEqual({ action: 'manage', subject: 'all' });
  });
});

describe('API tokens', () => {
  it('are shown once, stored as a hash, and identify their actor', async () => {
    const r = await t.gql(CREATE, {
      input: { role: 'STEWARD', actorName: 'alice', name: 'laptop', expiresInDays: 30 },
    });
    const created = r.data.createApiToken;
    expect(created.token).toMatch(/^canon_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.token.startsWith(created.apiToken.prefix)).toBe(true);
    expect(created.apiToken.actor).toEqual({
      name: 'alice',
      role: 'STEWARD',
      systemCode: null,
      kind: 'USER',
    });
    expect(new Date(created.apiToken.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const stored = await t.app.orm.em
      .getConnection()
      .execute<{ token_hash: string }[]>('select token_hash from api_token where id = ?', [
        created.apiToken.id,
      ]);
    expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    // the secret is everything after the prefix; it may itself contain '_' (base64url)
    const secret = /^canon_[a-z2-7]{12}_(.+)$/.exec(created.token)![1];
    expect(JSON.stringify(stored)).not.toContain(secret);

    const me = await t.gql(
      '{ me { name role viewerCanPublishContracts viewerCanManageTokens } }',
      {},
      created.token,
    );
    expect(me.data.me).toEqual({
      name: 'alice',
      role: 'STEWARD',
      viewerCanPublishContracts: false,
      viewerCanManageTokens: false,
    });
    const audit = await t.gql(
      `query($id: String!) { auditEvents(subjectId: $id) { edges { node { action after } } } }`,
      {
        id: created.apiToken.id,
      },
    );
    expect(nodes(audit.data.auditEvents)[0].action).toBe('API_TOKEN_CREATED');
    expect(JSON.stringify(audit.data.auditEvents)).not.toContain(created.token);
  });

  it('binds connector tokens to a system and refuses inconsistent input without writing', async () => {
    const before = await count('api_token');
    const noSystem = await t.gql(CREATE, { input: { role: 'CONNECTOR' } });
    expect(noSystem.data.createApiToken).toMatchObject({ code: 'BAD_USER_INPUT', path: ['systemCode'] });
    const systemOnViewer = await t.gql(CREATE, { input: { role: 'VIEWER', systemCode: 'plm' } });
    expect(systemOnViewer.data.createApiToken.code).toBe('BAD_USER_INPUT');
    const badCode = await t.gql(CREATE, { input: { role: 'CONNECTOR', systemCode: 'MES Plant 1' } });
    expect(badCode.data.createApiToken.code).toBe('BAD_USER_INPUT');
    const badDays = await t.gql(CREATE, { input: { role: 'VIEWER', expiresInDays: 0 } });
    expect(badDays.data.createApiToken).toMatchObject({ code: 'BAD_USER_INPUT', path: ['expiresInDays'] });
    expect(await count('api_token')).toBe(before);

    for (const code of ['mes-plant1', 'wms-eu']) await registerSystem(t, { code, name: code, kind: 'OTHER' });
    const ok = await t.gql(CREATE, {
      input: { role: 'CONNECTOR', systemCode: 'mes-plant1', actorName: 'mes-plant1-connector' },
    });
    expect(ok.data.createApiToken.apiToken.actor).toMatchObject({
      role: 'CONNECTOR',
      systemCode: 'mes-plant1',
      kind: 'SERVICE',
    });
    const me = await t.gql('{ me { role systemCode } }', {}, ok.data.createApiToken.token);
    expect(me.data.me).toEqual({ role: 'CONNECTOR', systemCode: 'mes-plant1' });
    const mismatch = await t.gql(CREATE, {
      input: { role: 'CONNECTOR', systemCode: 'wms-eu', actorName: 'mes-plant1-connector' },
    });
    expect(mismatch.data.createApiToken.code).toBe('BAD_USER_INPUT');
  });

  it('may be created by admins only', async () => {
    for (const role of ['steward', 'viewer', 'pipeline'] as const) {
      const token = await t.tokenFor(role);
      const r = await t.gql(CREATE, { input: { role: 'ADMIN' } }, token);
      expect(r.data.createApiToken.code, role).toBe('FORBIDDEN');
    }
  });

  it('answer a retried creation with the same token, without its secret, and say why', async () => {
    const key = `create-${Date.now()}`;
    const input = { role: 'VIEWER', actorName: 'retrying-viewer', idempotencyKey: key };
    const first = (await t.gql(CREATE, { input })).data.createApiToken;
    expect(first).toMatchObject({ replayed: false, notice: null });
    expect(first.token).toMatch(/^canon_/);
    const before = await count('api_token');
    const again = (await t.gql(CREATE, { input })).data.createApiToken;
    expect(again.apiToken.id).toBe(first.apiToken.id);
    expect(again).toMatchObject({ token: null, replayed: true });
    expect(again.notice).toMatch(/shown once.*cannot be shown again/);
    expect(await count('api_token')).toBe(before);
    const reused = (await t.gql(CREATE, { input: { ...input, name: 'other' } })).data.createApiToken;
    expect(reused).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', path: ['idempotencyKey'] });
    expect((await t.gql('{ me { name } }', {}, first.token)).data.me.name).toBe('retrying-viewer');
  });

  it('stop working when revoked, and revoking twice is harmless', async () => {
    const r = await t.gql(CREATE, { input: { role: 'VIEWER' } });
    const { token, apiToken } = r.data.createApiToken;
    expect((await t.gql('{ me { role } }', {}, token)).data.me.role).toBe('VIEWER');
    const revoke = `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { ... on RevokeApiTokenPayload { apiToken { revokedAt } } ... on Error { code } } }`;
    const first = await t.gql(revoke, { id: apiToken.id }, token); // a token may revoke itself
    expect(first.data.revokeApiToken.apiToken.revokedAt).toBeTruthy();
    const after = await t.gql('{ me { role } }', {}, token);
    expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const again = await t.gql(revoke, { id: apiToken.id });
    expect(again.data.revokeApiToken.apiToken.revokedAt).toBe(first.data.revokeApiToken.apiToken.revokedAt);
  });

  it("gives unknown and other people's token ids the same answer", async () => {
    const mine = await t.tokenFor('viewer');
    const other = await t.gql(CREATE, { input: { role: 'VIEWER' } });
    const revoke = `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { ... on RevokeApiTokenPayload { apiToken { id } } ... on Error { code message } } }`;
    const foreign = await t.gql(revoke, { id: other.data.createApiToken.apiToken.id }, mine);
    const unknown = await t.gql(revoke, { id: '01900000-0000-7000-8000-000000000000' }, mine);
    expect(foreign.data.revokeApiToken).toEqual(unknown.data.revokeApiToken);
    expect(foreign.data.revokeApiToken.code).toBe('NOT_FOUND');
  });

  it('rotate to a new secret for the same actor', async () => {
    const r = await t.gql(CREATE, {
      input: { role: 'PIPELINE', actorName: 'ci-pipeline', expiresInDays: 10 },
    });
    const { token, apiToken } = r.data.createApiToken;
    const rotated = await t.gql(
      `mutation($id: ID!) { rotateApiToken(input: { id: $id }) { ... on RotateApiTokenPayload { token apiToken { actor { name } expiresAt } } ... on Error { code } } }`,
      { id: apiToken.id },
      token,
    );
    const fresh = rotated.data.rotateApiToken;
    expect(fresh.apiToken.actor.name).toBe('ci-pipeline');
    expect((await t.gql('{ me { name } }', {}, fresh.token)).data.me.name).toBe('ci-pipeline');
    expect((await t.gql('{ me { name } }', {}, token)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('expire', async () => {
    const r = await t.gql(CREATE, { input: { role: 'VIEWER', expiresInDays: 1 } });
    const { token, apiToken } = r.data.createApiToken;
    await t.app.orm.em
      .getConnection()
      .execute(`update api_token set expires_at = now() - interval '1 minute' where id = ?`, [apiToken.id]);
    expect((await t.gql('{ me { name } }', {}, token)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('are listed: your own, or all for admins', async () => {
    const token = await t.tokenFor('viewer', { actorName: 'lister' });
    const mine = await t.gql('{ apiTokens { edges { node { prefix actor { name } } } } }', {}, token);
    expect(nodes(mine.data.apiTokens).map((x: any) => x.actor.name)).toEqual(['lister']);
    const all = await t.gql('{ apiTokens { edges { node { prefix } } } }');
    expect(nodes(all.data.apiTokens).length).toBeGreaterThan(3);
  });
});

describe('audit trail', () => {
  it('pages newest first without gaps, bounded below by afterSequence, and keeps the two orders apart', async () => {
    for (let i = 0; i < 5; i++) await t.tokenFor('viewer');
    const page = async (args: string) =>
      (
        await t.gql(
          `{ auditEvents(${args}) { totalCount edges { node { sequence } } pageInfo { hasNextPage endCursor } } }`,
        )
      ).data.auditEvents;
    const all = (await page('first: 1000')).edges.map((e: any) => Number(e.node.sequence));
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const p: any = await page(`orderBy: NEWEST_FIRST, first: 3${after ? `, after: "${after}"` : ''}`);
      seen.push(...p.edges.map((e: any) => Number(e.node.sequence)));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual([...all].reverse());
    const floor = all[all.length - 3];
    const recent = await page(`orderBy: NEWEST_FIRST, afterSequence: "${floor}"`);
    expect(recent.edges.map((e: any) => Number(e.node.sequence))).toEqual(all.slice(-2).reverse());
    const cursor = (await page('orderBy: NEWEST_FIRST, first: 1')).pageInfo.endCursor;
    const mixed = await t.gql(`{ auditEvents(after: "${cursor}") { edges { cursor } } }`);
    expect(mixed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('is hash-chained, append-only in the database, and tampering is detected', async () => {
    const ok = await t.gql('{ verifyAuditChain { ... on AuditChainVerification { valid checked } } }');
    expect(ok.data.verifyAuditChain.valid).toBe(true);
    const conn = t.app.orm.em.getConnection();
    await expect(conn.execute(`update audit_event set action = 'X' where sequence = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(conn.execute('delete from audit_event where sequence = 1')).rejects.toThrow(/append-only/);
    // someone with the power to bypass the guard still cannot hide an edit
    await conn.execute('alter table audit_event disable trigger audit_event_append_only');
    await conn.execute(`update audit_event set after = '{"forged": true}' where sequence = 2`);
    await conn.execute('alter table audit_event enable trigger audit_event_append_only');
    const broken = await t.gql('{ verifyAuditChain { ... on AuditChainVerification { valid brokenAt } } }');
    expect(broken.data.verifyAuditChain).toEqual({ valid: false, brokenAt: '2' });
    const viewer = await t.tokenFor('viewer');
    const forbidden = await t.gql('{ verifyAuditChain { ... on Error { code } } }', {}, viewer);
    expect(forbidden.data.verifyAuditChain.code).toBe('FORBIDDEN');
  });
});
