import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await t?.close();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}`, ...headers },
    body,
  });

describe('operational endpoints', () => {
  it('/health says the process is up and /ready that the database is reachable and migrated', async () => {
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('/metrics exposes request and operation metrics in Prometheus format', async () => {
    await t.gql('query ListContracts { contracts { edges { node { name } } } }');
    const res = await fetch(`${t.url}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(
      /canon_graphql_operations_total\{operation="ListContracts",type="query",outcome="ok"\} \d+/,
    );
    expect(text).toContain('canon_graphql_operation_duration_seconds_bucket');
    expect(text).toContain('canon_http_requests_total');
    expect(text).toContain('canon_process_resident_memory_bytes');
    if (t.db.kind === 'postgresql') expect(text).toMatch(/canon_db_pool_connections \d+/);
  });

  it('echoes a valid request id and makes one up otherwise', async () => {
    const given = await fetch(`${t.url}/health`, { headers: { 'x-request-id': 'req-123' } });
    expect(given.headers.get('x-request-id')).toBe('req-123');
    const made = await fetch(`${t.url}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with a typed 404', async () => {
    const res = await fetch(`${t.url}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('GraphQL request limits and errors', () => {
  it('answers malformed GraphQL with BAD_USER_INPUT', async () => {
    const res = await post(JSON.stringify({ query: '{ me { name ' }));
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/Syntax Error/);
  });

  it('answers unknown fields and bad variables with BAD_USER_INPUT', async () => {
    const unknown = await t.gql('{ nothingHere }');
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badVar = await t.gql(
      'query($v: SemVer!) { contract(name: "item") { version(version: $v) { status } } }',
      { v: 'one' },
    );
    expect(badVar.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers a body that is not JSON with a 400', async () => {
    const res = await post('{not json');
    expect(res.status).toBe(400);
  });

  it('refuses bodies over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post(
      JSON.stringify({ query: '{ me { name } }', variables: { pad: 'x'.repeat(70 * 1024) } }),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('limits depth, aliases, tokens and selected fields with QUERY_TOO_COMPLEX', async () => {
    const nested =
      '{ contracts { edges { node { versions { contract } latestVersion { changes { kind } } } } } }';
    expect((await t.gql(nested)).errors).toBeUndefined();
    const ofType = (n: number): string => (n === 0 ? 'name' : `ofType { ${ofType(n - 1)} }`);
    const tooDeep = await t.gql(`{ __schema { types { fields { type { ${ofType(10)} } } } } }`);
    expect(tooDeep.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
    expect(tooDeep.errors?.[0].message).toMatch(/deeper than 12/);
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: version`).join(' ')} }`;
    expect((await t.gql(aliases)).errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const tokens = `{ ${Array.from({ length: 21_000 }, () => 'a').join(' ')} }`;
    expect((await t.gql(tokens)).errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    // fragments count where they are spread: 3 spreads of 700 fields exceed the budget of 2000
    const fields = Array.from({ length: 700 }, () => '__typename').join(' ');
    const wide = await t.gql(
      `query { me { ...F } a: me { ...F } b: me { ...F } } fragment F on Me { ${fields} }`,
    );
    expect(wide.errors?.[0].message).toMatch(/more than 2000 fields/);
  });

  it('masks unexpected errors', async () => {
    // a resolver failure that is not a typed error must not leak its message
    const original = t.app.services.contracts.listContracts;
    t.app.services.contracts.listContracts = async () => {
      throw new Error('secret internals');
    };
    try {
      const r = await t.gql('{ contracts { edges { node { name } } } }');
      expect(r.errors?.[0]).toMatchObject({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    } finally {
      t.app.services.contracts.listContracts = original;
    }
  });

  it('serves GraphiQL outside production', async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Canon GraphiQL');
  });
});
