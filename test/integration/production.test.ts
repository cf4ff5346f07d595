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
  expect(await res.text()).not.toContain('GraphiQL');
  expect(t.app.devAdminToken).toBeNull();
});
