/**
 * A steward signs in to the console with the company's identity provider: a real OpenID Connect
 * provider on loopback (`oidc-provider` with its development login form), Canon running the
 * authorization-code flow with PKCE on its side (/auth/sign-in, /auth/callback), Debian's Chromium
 * clicking through. The token never appears in a URL the server sees, and a refused sign-in lands
 * back on the sign-in page with a sentence.
 */
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcSettings } from '../../src/modules/auth/oidc/oidc-settings.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ensureConsoleBuilt, launchBrowser, newSession } from '../support/browser.ts';
import {
  CANON_AUDIENCE,
  type IdentityProvider,
  type Person,
  signingKey,
  startIdentityProvider,
} from '../support/identity-provider.ts';

let idp: IdentityProvider;
let t: TestApp;
let browser: Browser;
const people = new Map<string, Person>([
  ['dana', { groups: ['canon-stewards'], username: 'Dana Steward' }],
  ['olaf', { groups: ['everyone'], username: 'Olaf Outsider' }],
]);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(async () => {
  ensureConsoleBuilt();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider({
    keys: [await signingKey('key-1')],
    people,
    browserClient: { clientId: 'canon-console', redirectUri: `${publicUrl}/auth/callback` },
  });
  const oidc: OidcSettings = {
    issuer: idp.issuer,
    audience: CANON_AUDIENCE,
    algorithms: ['RS256'],
    rolesClaim: 'groups',
    nameClaim: 'preferred_username',
    groupRoles: new Map([['canon-stewards', 'steward']]),
    clockToleranceSeconds: 5,
    jwksCooldownMs: 0,
    console: { clientId: 'canon-console', scopes: 'openid profile canon', displayName: 'Plant SSO' },
  };
  t = await startTestApp({ port, publicUrl, oidc });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await idp?.close();
});

async function signInAs(login: string) {
  const session = await newSession(browser, t.url);
  const { page } = session;
  await page.goto('/console/');
  await page.getByRole('link', { name: 'Sign in with Plant SSO' }).click();
  // the provider's own login form, then its consent screen
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  return session;
}

describe('console sign-in with the identity provider', () => {
  it('offers the provider and the token form side by side', async () => {
    const options = await (await fetch(`${t.url}/auth/options`)).json();
    expect(options).toEqual({ identityProvider: { name: 'Plant SSO' } });
  });

  it('signs a steward in through the provider, with the role its groups map to', async () => {
    const { page, watch, context } = await signInAs('dana');
    await page.getByTestId('me-role').waitFor();
    expect(await page.getByTestId('me-name').innerText()).toBe('Dana Steward');
    expect(await page.getByTestId('me-role').innerText()).toMatch(/steward/i);
    // the token left the fragment at once and is kept for this tab only
    expect(new URL(page.url()).hash).toBe('');
    const stored = await page.evaluate(() => sessionStorage.getItem('canon.console.token'));
    expect(stored?.split('.')).toHaveLength(3);
    // no request the servers saw carried it
    for (const url of watch.requestUrls) expect(url).not.toContain(stored);
    await context.close();
  });

  it('brings a person without a mapped group back to the sign-in page with the reason', async () => {
    const { page, context } = await signInAs('olaf');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/none of its groups/);
    expect(await page.evaluate(() => sessionStorage.getItem('canon.console.token'))).toBeNull();
    await context.close();
  });

  it('refuses a callback it did not start (no state cookie)', async () => {
    const res = await fetch(`${t.url}/auth/callback?code=abc&state=forged`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(decodeURIComponent(res.headers.get('location') ?? '')).toMatch(/#error=.*sign in again/);
  });
});
