import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ environment: 'production' });
});
afterAll(async () => {
  await t?.close();
});

it('serves no GraphiQL and creates no development token in production', async () => {
  const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
  // a browser's GET is answered as GraphQL over HTTP (no query: a 4xx), never with the GraphiQL page
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers.get('content-type') ?? '').not.toContain('text/html');
  expect(await res.text()).not.toContain('GraphiQL');
  expect(t.app.devAdminToken).toBeNull();
});

it('hides field suggestions and internals, and still answers queries', async () => {
  const typo = await t.gql('{ contractz { totalCount } }');
  expect(typo.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(typo.errors?.[0].message).not.toMatch(/Did you mean/);
  const ok = await t.gql('{ version }');
  expect(ok.status).toBe(200);
  expect(ok.data.version).toMatch(/^\d+\.\d+\.\d+/);
});

it('describes the change events (/asyncapi.json) to callers with a token only', async () => {
  expect((await fetch(`${t.url}/asyncapi.json`)).status).toBe(401);
  const res = await fetch(`${t.url}/asyncapi.json`, { headers: { authorization: `Bearer ${t.adminToken}` } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { asyncapi: string }).asyncapi).toBe('3.0.0');
});
