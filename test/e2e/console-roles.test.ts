/**
 * The console for every role, in Debian's Chromium against a running Canon: the page and its
 * Content-Security-Policy, sign-in (and a refused token), a viewer who cannot decide (and the API
 * refusing the forced call), a pipeline landing where it may, an admin assigning a system of record
 * and issuing a token, and the records, contracts and tokens screens. Every screen is checked with
 * axe-core, for script errors, CSP refusals and the token leaving the headers.
 */
import { describe, expect, it } from 'vitest';
import { newSession, signIn } from '../support/browser.ts';
import { consoleFixture } from '../support/console-fixture.ts';
import { createRecord, itemData, propose, registerSystem, uniqueCode } from '../support/factories.ts';

const f = consoleFixture();

describe('steward console: roles and screens', () => {
  it('serves the console at /console/ with a CSP that allows no inline script', async () => {
    const res = await fetch(`${f.t.url}/console/inbox`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('signs in with a token, shows who you are, and refuses a bad token with its code', async () => {
    const { page } = await newSession(f.browser, f.t.url);
    await page.goto('/console/');
    await expect(page.getByLabel('API token')).toBeDefined();
    await f.audit(page, 'sign-in');
    await page.getByLabel('API token').fill('canon_nope_nope');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('api-error').waitFor();
    expect(await page.getByTestId('api-error').innerText()).toContain('UNAUTHENTICATED');
    await page.getByRole('button', { name: 'Sign in again' }).click();
    await signIn(page, f.stewardA);
    expect(await page.getByTestId('me-name').innerText()).toBe('Ana Steward');
    expect(await page.getByTestId('me-role').innerText()).toMatch(/steward/i);
    // stewards read the audit trail but do not manage tokens of others
    await expect(page.getByRole('link', { name: 'Audit' }).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
    await page.context().close();
  });

  it('a pipeline token lands on a screen it may use', async () => {
    const pipeline = await f.t.tokenFor('pipeline', { actorName: 'Build pipeline' });
    f.tokens.push(pipeline);
    const p = await f.session(pipeline);
    await p.page.waitForURL(/\/console\/contracts$/);
    expect(await p.page.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
    expect(await p.page.getByTestId('api-error').count()).toBe(0);
    await p.context.close();
  });

  it('a viewer sees no approve button, and the API refuses when the call is forced', async () => {
    const viewer = await f.t.tokenFor('viewer', { actorName: 'Vera Viewer' });
    f.tokens.push(viewer);
    const cr = await propose(f.t, { domain: 'item', data: itemData(uniqueCode('VIEW')) }, f.stewardA);
    const v = await f.session(viewer);
    expect(await v.page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await v.page.goto(`/console/change-requests/${cr.id}`);
    await v.page.getByTestId('read-only').waitFor();
    expect(await v.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const forced = await v.page.evaluate(async (id) => {
      const token = Object.values(sessionStorage)[0];
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `mutation($id: ID!) { approveChange(input: { id: $id }) { __typename ... on Error { code } } }`,
          variables: { id },
        }),
      });
      return res.json();
    }, cr.id);
    expect(forced.errors?.[0]?.extensions?.code ?? forced.data?.approveChange?.code).toBe('FORBIDDEN');
    const still = await f.gqlAs(f.stewardB, 'query($id: ID!) { changeRequest(id: $id) { status } }', {
      id: cr.id,
    });
    expect(still.changeRequest.status).toBe('PENDING');
    await v.context.close();
  });

  it('an admin assigns a system of record; records, contracts and tokens screens work', async () => {
    const system = uniqueCode('plm');
    await registerSystem(f.t, { code: system, name: 'PLM e2e' });
    const admin = await f.session(f.t.adminToken);
    await admin.page.goto('/console/systems');
    await admin.page.getByRole('heading', { name: 'Assign a system of record' }).waitFor();
    await admin.page.getByRole('combobox', { name: 'System' }).click();
    await admin.page.getByRole('option', { name: system }).click();
    await admin.page.getByRole('combobox', { name: 'Domain' }).click();
    await admin.page.getByRole('option', { name: 'work-center' }).click();
    await admin.page.getByLabel('Site').fill('EU1');
    await admin.page.getByRole('button', { name: 'Assign', exact: true }).click();
    await admin.page.getByTestId('sor-rule').filter({ hasText: system }).waitFor();
    await f.audit(admin.page, 'systems');
    const rules = await f.gqlAs(
      f.t.adminToken,
      'query($s: String) { systemOfRecordRules(system: $s) { edges { node { domain site } } } }',
      { s: system },
    );
    expect(rules.systemOfRecordRules.edges).toEqual([{ node: { domain: 'work-center', site: 'EU1' } }]);

    await createRecord(f.t, 'item', itemData(uniqueCode('ADM')));
    await admin.page.goto('/console/records/item');
    await admin.page.getByTestId('record-row').first().waitFor();
    await f.audit(admin.page, 'records');
    await admin.page.goto('/console/contracts');
    await admin.page.getByRole('link', { name: 'item' }).waitFor();
    await f.audit(admin.page, 'contracts');
    await admin.page.goto('/console/contracts/item');
    await admin.page.getByTestId('npm-install').first().waitFor();
    expect(await admin.page.getByTestId('npm-install').first().innerText()).toContain(
      'npm install @canon/item',
    );
    // the JSON Schema draft of each version (the built-ins are 2020-12)
    expect(await admin.page.getByTestId('version-draft').first().innerText()).toBe('2020-12');
    await f.audit(admin.page, 'contract');
    await admin.page.getByRole('tab', { name: 'Compare versions' }).click();
    await admin.page.getByTestId('required-bump').waitFor();
    await admin.page.getByRole('tab', { name: 'Schema' }).click();
    await admin.page.getByTestId('schema-view').waitFor();

    await admin.page.goto('/console/tokens');
    await admin.page.getByLabel('Label').fill('MES line 3');
    await admin.page.getByRole('button', { name: 'Issue' }).click();
    const secret = await admin.page.getByTestId('token-secret').innerText();
    f.tokens.push(secret);
    expect(secret).toMatch(/^canon_/);
    await f.audit(admin.page, 'tokens');
    await admin.page.getByRole('button', { name: 'I have stored the secret' }).click();
    expect(await admin.page.getByTestId('token-secret').count()).toBe(0);
    await admin.page.goto('/console/change-requests/not-a-proposal');
    await admin.page.getByText('No change request with this id').waitFor();
    await admin.context.close();
  });

  it('every screen passes axe with no serious or critical violation, without script errors, CSP refusals or token leaks', () => {
    f.expectClean(['contract', 'contracts', 'records', 'sign-in', 'systems', 'tokens']);
  });
});
