/**
 * GraphiQL and the front door on a network without internet: Chromium may reach only loopback (every
 * other request is aborted and recorded), loads GraphiQL from Canon itself, shows the Headers tab with
 * the bearer line, runs a query with a real token, and its docs explorer lists the schema's root
 * fields. GET / answers the index of what this Canon serves, as HTML and as JSON.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_ASSETS } from '../../src/http/graphiql-assets.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser } from '../support/browser.ts';

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('GraphiQL offline', () => {
  it('renders from loopback only, with the bearer header, runs a query and lists the schema', async () => {
    const context = await browser.newContext({ baseURL: t.url });
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const { hostname, protocol } = new URL(route.request().url());
      const local = hostname === '127.0.0.1' || hostname === 'localhost' || protocol === 'data:';
      if (local || protocol === 'blob:') return route.continue();
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });

    const res = await page.goto('/graphql');
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    await page.locator('.graphiql-container').first().waitFor();
    // the query editor (Monaco) is up and the Headers tab shows the bearer line to complete
    await page.locator('.graphiql-editor .monaco-editor').first().waitFor();
    await expect
      .poll(() => page.locator('.monaco-editor[data-uri$="headers.json"]').innerText(), { timeout: 60_000 })
      .toContain('Bearer');

    // as a user does: the token goes into the Headers tab, then the schema is fetched again
    const headers = page.locator('.monaco-editor[data-uri$="headers.json"]');
    await headers.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');
    // typed key by key: Monaco's closing brackets and quotes are typed over, as for a user
    await page.keyboard.type(JSON.stringify({ Authorization: `Bearer ${t.adminToken}` }));
    await page.getByRole('button', { name: /re-fetch graphql schema/i }).click();

    // the docs explorer lists the root fields of the schema it fetched by introspection
    await page.getByRole('button', { name: /show documentation explorer/i }).click();
    const explorer = page.locator('.graphiql-doc-explorer');
    await explorer.getByText('Query', { exact: true }).first().click();
    await explorer.getByText('contracts', { exact: true }).first().waitFor();
    await explorer.getByText('resolveXrefs', { exact: true }).first().waitFor();

    // and a query typed into the editor runs with that header
    const query = page.locator('.graphiql-query-editor .monaco-editor').first();
    await query.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('{ me { role ');
    // the completion list the schema now offers may cover the button: the click goes to the button itself
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /execute query/i }).dispatchEvent('click');
    await expect
      .poll(() => page.locator('.graphiql-response').first().innerText(), { timeout: 60_000 })
      .toContain('ADMIN');

    expect(blocked).toEqual([]);
    // the only failed loads are the introspection tries with the placeholder token, before it was set
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await context.close();
  }, 180_000);

  it('serves its files from this origin, versioned and cacheable', async () => {
    const js = await fetch(`${t.url}${GRAPHIQL_ASSETS}graphiql.js`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await js.text()).length).toBeGreaterThan(1_000_000);
    const missing = await fetch(`${t.url}${GRAPHIQL_ASSETS}nope.js`);
    expect(missing.status).toBe(404);
    const page = await (await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<script(?![^>]*\b(src|type="application\/json")=?)[^>]*>/);
  });
});

describe('front door', () => {
  it('GET / lists what this Canon serves, as HTML and as JSON', async () => {
    const html = await fetch(`${t.url}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    const text = await html.text();
    for (const href of ['/graphql', '/health', '/metrics', '/npm/', '/docs/'])
      expect(text).toContain(`href="${href}"`);
    const json = await (await fetch(`${t.url}/`, { headers: { accept: 'application/json' } })).json();
    expect(json.links.map((l: { href: string }) => l.href)).toContain('/ready');
    expect(json.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves the docs it links to, and nothing outside docs/', async () => {
    const list = await (await fetch(`${t.url}/docs/`)).text();
    expect(list).toContain('href="/docs/api.md"');
    const api = await fetch(`${t.url}/docs/api.md`);
    expect(api.status).toBe(200);
    expect(await api.text()).toContain('#');
    for (const bad of ['/docs/../package.json', '/docs/%2e%2e%2fpackage.json', '/docs/nope.md'])
      expect((await fetch(`${t.url}${bad}`)).status).toBe(404);
  });
});
