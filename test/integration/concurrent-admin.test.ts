/**
 * The same admin call arriving five times at once (a double-click, a retrying client, two operators)
 * has one effect: no internal error, no second credential, no duplicate audit event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { mutate, nodes, publishVersion, registerSystem, registerVersion } from '../support/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const TIMES = 5;
const fiveAtOnce = (run: () => Promise<any>) => Promise.all(Array.from({ length: TIMES }, run));
const typenames = (results: any[]) => results.map((r) => r.__typename ?? 'payload');
const noInternal = (results: any[]) => {
  for (const r of results) expect(r.code, JSON.stringify(r)).not.toBe('INTERNAL_SERVER_ERROR');
};
const auditCount = async (action: string, subjectId?: string) => {
  const r = await t.gql(
    'query($a: AuditAction, $s: String) { auditEvents(action: $a, subjectId: $s, first: 100) { edges { node { action } } } }',
    { a: action, s: subjectId ?? null },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return nodes(r.data.auditEvents).length;
};
const call = async (name: string, input: Record<string, unknown>, selection = '__typename') => {
  try {
    return await mutate(t, name, input, selection);
  } catch (error) {
    // a top-level GraphQL error (not the result union): report its code
    const m = /"code":"([A-Z_]+)"/.exec(String(error));
    return { code: m?.[1] ?? String(error) };
  }
};
const newToken = async () => {
  const r = await t.gql(
    'mutation { createApiToken(input: { role: VIEWER }) { ... on CreateApiTokenPayload { apiToken { id actor { id } } } } }',
  );
  return r.data.createApiToken.apiToken as { id: string; actor: { id: string } };
};

describe('the same admin call five times at once', () => {
  it('rotateApiToken: one rotation, one live successor; the others are told the token is revoked', async () => {
    const token = await newToken();
    const results = await fiveAtOnce(() => call('rotateApiToken', { id: token.id }, '__typename'));
    noInternal(results);
    expect(results.filter((r) => r.__typename === 'RotateApiTokenPayload')).toHaveLength(1);
    for (const r of results.filter((x) => x.__typename !== 'RotateApiTokenPayload'))
      expect(r.code).toBe('INVALID_STATE');
    const live = await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(
        'select count(*)::text as n from api_token where actor_id = ? and revoked_at is null',
        [token.actor.id],
      );
    expect(Number(live[0].n)).toBe(1);
    expect(await auditCount('API_TOKEN_ROTATED', token.id)).toBe(1);
  });

  it('revokeApiToken: one revocation, one audit event', async () => {
    const token = await newToken();
    const results = await fiveAtOnce(() => call('revokeApiToken', { id: token.id }));
    noInternal(results);
    expect(new Set(typenames(results))).toEqual(new Set(['RevokeApiTokenPayload']));
    expect(await auditCount('API_TOKEN_REVOKED', token.id)).toBe(1);
  });

  it('createApiToken for one named actor: every call answered, the actor created once', async () => {
    const results = await fiveAtOnce(() =>
      call('createApiToken', { role: 'VIEWER', actorName: 'concurrent-viewer' }, '__typename'),
    );
    noInternal(results);
    const actors = await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>("select count(*)::text as n from actor where name = 'concurrent-viewer'");
    expect(Number(actors[0].n)).toBe(1);
  });

  it('registerSystem, updateSystem, setApprovalPolicy, updateContract with the same details: no internal error', async () => {
    noInternal(
      await fiveAtOnce(() => call('registerSystem', { code: 'conc-sys', name: 'Conc', kind: 'MES' })),
    );
    noInternal(await fiveAtOnce(() => call('updateSystem', { code: 'conc-sys', name: 'Conc 2' })));
    noInternal(await fiveAtOnce(() => call('setApprovalPolicy', { domain: 'lot', requiredApprovals: 2 })));
    noInternal(
      await fiveAtOnce(() => call('updateContract', { name: 'lot', description: 'Lots and serials' })),
    );
  });

  it('contract drafts and versions: one deletion, one deprecation, one retirement', async () => {
    const schema = { type: 'object', properties: { code: { type: 'string', description: 'Code.' } } };
    await registerVersion(t, { contract: 'conc', version: '1.0.0', schema });
    noInternal(
      await fiveAtOnce(() => call('updateContractDraft', { contract: 'conc', version: '1.0.0', schema })),
    );
    await publishVersion(t, 'conc', '1.0.0');
    const next = {
      ...schema,
      properties: { ...schema.properties, name: { type: 'string', description: 'Name.' } },
    };
    expect(await registerVersion(t, { contract: 'conc', version: '1.1.0', schema: next })).toMatchObject({
      status: 'DRAFT',
    });
    const deleted = await fiveAtOnce(() =>
      call('deleteContractDraft', { contract: 'conc', version: '1.1.0' }),
    );
    noInternal(deleted);
    expect(await auditCount('CONTRACT_DRAFT_DELETED')).toBe(1);
    const deprecated = await fiveAtOnce(() =>
      call('deprecateContractVersion', { contract: 'conc', version: '1.0.0', reason: 'old' }),
    );
    noInternal(deprecated);
    expect(await auditCount('CONTRACT_VERSION_DEPRECATED')).toBe(1);
    const retired = await fiveAtOnce(() =>
      call('retireContractVersion', { contract: 'conc', version: '1.0.0' }),
    );
    noInternal(retired);
    expect(await auditCount('CONTRACT_VERSION_RETIRED')).toBe(1);
  });

  it('removeSystemOfRecord: one removal, one audit event', async () => {
    await registerSystem(t, { code: 'conc-sor', name: 'SoR', kind: 'PLM' });
    const rule = await mutate(
      t,
      'assignSystemOfRecord',
      { domain: 'work-center', system: 'conc-sor' },
      'id',
      { field: 'systemOfRecordRule' },
    );
    const results = await fiveAtOnce(() => call('removeSystemOfRecord', { id: rule.id }));
    noInternal(results);
    expect(await auditCount('SYSTEM_OF_RECORD_REMOVED', rule.id)).toBe(1);
  });
});
