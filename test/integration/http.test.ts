import { readFileSync } from 'node:fs';
import { buildClientSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { approve, itemData, propose, registerSystem, stewardPair, uniqueCode } from '../support/factories.ts';

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
    const body = await ready.json();
    expect(body).toMatchObject({
      status: 'ready',
      listener: { mode: t.db.kind === 'postgresql' ? 'listen' : 'poll', connected: true, reconnects: 0 },
      credentialCache: 'on',
    });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^canon_change_listener_connected 1$/m);
  });

  it('/ready is 503 while one of the migrations this build carries is not applied', async () => {
    const conn = t.app.orm.em.getConnection();
    const [last] = await conn.execute<{ id: number; name: string; executed_at: Date }[]>(
      'select id, name, executed_at from mikro_orm_migrations order by id desc limit 1',
    );
    await conn.execute('delete from mikro_orm_migrations where id = ?', [last.id]);
    try {
      const ready = await fetch(`${t.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'not ready',
        reason: `migrations not applied: ${last.name}`,
      });
    } finally {
      await conn.execute('insert into mikro_orm_migrations (id, name, executed_at) values (?, ?, ?)', [
        last.id,
        last.name,
        last.executed_at,
      ]);
    }
    expect((await fetch(`${t.url}/ready`)).status).toBe(200);
  });

  it('reports the version of the package it runs from', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect((await t.gql('{ version }')).data.version).toBe(pkg.version);
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

  it('/metrics counts typed errors by code, proposals waiting, decisions and xref lookups', async () => {
    const scrape = async () => (await fetch(`${t.url}/metrics`)).text();
    const value = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const before = await scrape();
    const missing = await t.gql(
      'mutation FindMissing { approveChange(input: { id: "0190aaaa-0000-7000-8000-000000000000" }) { ... on Error { code } } }',
    );
    expect(missing.data.approveChange.code).toBe('NOT_FOUND');
    const [proposer, approver] = await stewardPair(t);
    const cr = await propose(t, { domain: 'item', data: itemData(uniqueCode('MET')) }, proposer);
    const waiting = await scrape();
    expect(value(waiting, 'canon_change_requests_pending{domain="item"}')).toBeGreaterThanOrEqual(1);
    await approve(t, cr.id, approver);
    const system = uniqueCode('met').toLowerCase();
    await registerSystem(t, { code: system });
    await t.gql(
      'query($s: String!) { resolveXrefs(system: $s, domain: "item", externalIds: ["a", "b", "c"]) { __typename } }',
      {
        s: system,
      },
    );
    const after = await scrape();
    expect(value(after, 'canon_graphql_errors_total{operation="FindMissing",code="NOT_FOUND"}')).toBe(
      value(before, 'canon_graphql_errors_total{operation="FindMissing",code="NOT_FOUND"}') + 1,
    );
    expect(
      value(
        after,
        'canon_graphql_operations_total{operation="FindMissing",type="mutation",outcome="answered_error"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(after, 'canon_change_requests_decided_total{domain="item",status="APPLIED"}'),
    ).toBeGreaterThan(value(before, 'canon_change_requests_decided_total{domain="item",status="APPLIED"}'));
    expect(value(after, `canon_xref_resolves_total{system="${system}",domain="item",kind="id"}`)).toBe(3);
    expect(after).toMatch(/canon_change_feed_lag_events \d+/);
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
      '{ contracts { edges { node { versions { edges { node { contractName } } } latestVersion { changes { kind } } } } } }';
    expect((await t.gql(nested)).errors).toBeUndefined();
    // data queries: depth 12 (a contract and its versions link to each other without end)
    const chain = (n: number): string =>
      n === 0 ? 'name' : `latestVersion { contract { ${chain(n - 1)} } }`;
    const tooDeep = await t.gql(`{ contracts { edges { node { ${chain(6)} } } } }`);
    expect(tooDeep.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
    expect(tooDeep.errors?.[0].message).toMatch(/deeper than 12/);
    // introspection has a depth budget of its own (20), and its fields count like any others
    const ofType = (n: number): string => (n === 0 ? 'name' : `ofType { ${ofType(n - 1)} }`);
    const deepIntrospection = await t.gql(`{ __schema { types { fields { type { ${ofType(20)} } } } } }`);
    expect(deepIntrospection.errors?.[0].message).toMatch(/introspection query is nested deeper than 20/);
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

  it('answers the standard introspection query GraphiQL, Postman and code generators send', async () => {
    const r = await t.gql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(r.errors).toBeUndefined();
    const schema = buildClientSchema(r.data);
    expect(schema.getQueryType()?.getFields().contracts).toBeDefined();
    expect(printSchema(schema)).toContain('type Mutation');
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
