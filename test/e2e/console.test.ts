/**
 * The steward console end to end, in Debian's Chromium against a running Canon: stewards propose,
 * see proposals arrive live, read the diff, approve (once, however often they click), reject, bulk
 * approve with a stale proposal among them, look back in time; a viewer cannot decide; an admin
 * assigns a system of record. Every screen is checked with axe-core (no serious or critical
 * violation), for script errors and CSP refusals, and for the token never leaving the headers.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  ensureConsoleBuilt,
  launchBrowser,
  newSession,
  type PageWatch,
  screenshot,
  seriousViolations,
  signIn,
} from '../support/browser.ts';
import {
  createRecord,
  itemData,
  propose,
  registerSystem,
  staleProposal,
  uniqueCode,
} from '../support/factories.ts';
import { startDroppingProxy } from '../support/tcp-proxy.ts';

let t: TestApp;
let browser: Browser;
let stewardA: string;
let stewardB: string;
const watches: PageWatch[] = [];
const tokens: string[] = [];
const a11y: Record<string, string[]> = {};

beforeAll(async () => {
  ensureConsoleBuilt();
  t = await startTestApp();
  browser = await launchBrowser();
  stewardA = await t.tokenFor('steward', { actorName: 'Ana Steward' });
  stewardB = await t.tokenFor('steward', { actorName: 'Ben Steward' });
  tokens.push(stewardA, stewardB, t.adminToken);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function session(token: string) {
  const s = await newSession(browser, t.url);
  watches.push(s.watch);
  await signIn(s.page, token);
  return s;
}

/** axe on the screen as it is now, remembered per screen for the closing check. */
async function audit(page: Page, screen: string) {
  await page.waitForLoadState('networkidle').catch(() => {});
  a11y[screen] = await seriousViolations(page);
  await screenshot(page, screen);
}

const gqlAs = async (token: string, query: string, variables: Record<string, unknown> = {}) =>
  (await t.gql(query, variables, token)).data;

describe('steward console', () => {
  let item: { recordId: string };
  let itemCode: string;
  let proposalId: string;
  let beforeEdit: string;

  it('serves the console at /console/ with a CSP that allows no inline script', async () => {
    const res = await fetch(`${t.url}/console/inbox`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('signs in with a token, shows who you are, and refuses a bad token with its code', async () => {
    const { page } = await newSession(browser, t.url);
    await page.goto('/console/');
    await expect(page.getByLabel('API token')).toBeDefined();
    await audit(page, 'sign-in');
    await page.getByLabel('API token').fill('canon_nope_nope');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('api-error').waitFor();
    expect(await page.getByTestId('api-error').innerText()).toContain('UNAUTHENTICATED');
    await page.getByRole('button', { name: 'Sign in again' }).click();
    await signIn(page, stewardA);
    expect(await page.getByTestId('me-name').innerText()).toBe('Ana Steward');
    expect(await page.getByTestId('me-role').innerText()).toMatch(/steward/i);
    // stewards read the audit trail but do not manage tokens of others
    await expect(page.getByRole('link', { name: 'Audit' }).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
    await page.context().close();
  });

  it('A proposes an edit from a form generated from the contract; B sees it arrive live', async () => {
    itemCode = uniqueCode('E2E');
    item = await createRecord(t, 'item', itemData(itemCode, { name: 'Steel bracket' }));
    // the as-of picker works to the second: a whole second after the creation, one before the edit
    await new Promise((r) => setTimeout(r, 1100));
    beforeEdit = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1100));

    const b = await session(stewardB);
    await b.page.goto('/console/inbox');
    await b.page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
    const rowsBefore = await b.page.getByTestId('inbox-row').count();

    const a = await session(stewardA);
    await a.page.goto(`/console/records/item/${item.recordId}`);
    await a.page.getByRole('heading', { name: new RegExp(itemCode) }).waitFor();
    await audit(a.page, 'record');
    await a.page.getByRole('link', { name: 'Propose an edit' }).click();
    const name = a.page.locator('input[data-pointer="/name"]');
    await name.waitFor();
    await audit(a.page, 'propose');
    // the contract's own validator refuses in the browser: nothing is sent
    await name.fill('');
    await a.page.getByRole('button', { name: 'Propose' }).click();
    await a.page.getByTestId('form-errors').waitFor();
    const pending = await gqlAs(stewardB, '{ changeRequests(status: PENDING) { totalCount } }');
    expect(pending.changeRequests.totalCount).toBe(0);
    await name.fill('Steel bracket, galvanised');
    await a.page.getByLabel('Reason').fill('PLM release 7');
    await a.page.getByRole('button', { name: 'Propose' }).click();
    await a.page.waitForURL(/\/console\/change-requests\//);
    proposalId = a.page.url().split('/').at(-1)!;
    await a.page.getByTestId('cr-status').filter({ hasText: 'PENDING' }).waitFor();
    // four eyes: the proposer cannot approve, and is told why
    expect(await a.page.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    expect(await a.page.getByText('another steward must approve it').count()).toBe(1);

    await b.page.getByRole('link', { name: new RegExp(itemCode) }).waitFor({ timeout: 15_000 });
    expect(await b.page.getByTestId('inbox-row').count()).toBe(rowsBefore + 1);
    await audit(b.page, 'inbox');
    await a.context.close();
    await b.context.close();
  });

  it('B opens the diff and approves; a double click is one decision; the revision and audit row follow', async () => {
    const b = await session(stewardB);
    await b.page.goto('/console/inbox');
    await b.page.getByRole('link', { name: new RegExp(itemCode) }).click();
    await b.page.waitForURL(new RegExp(`/change-requests/${proposalId}`));
    const diff = b.page.getByTestId('field-diff');
    await diff.waitFor();
    const diffText = await diff.innerText();
    expect(diffText).toContain('/name');
    expect(diffText).toContain('Steel bracket, galvanised');
    expect(diffText).toMatch(/changed/i);
    await audit(b.page, 'change-request');
    await b.page.getByLabel('Comment (optional)').fill('Matches the drawing');
    await b.page.getByRole('button', { name: 'Approve' }).dblclick();
    await b.page.getByTestId('cr-status').filter({ hasText: 'APPLIED' }).waitFor();
    expect(await b.page.getByTestId('api-error').count()).toBe(0);
    const approvals = await gqlAs(
      t.adminToken,
      'query($id: String) { auditEvents(subjectId: $id, action: CHANGE_APPROVED) { edges { node { sequence } } } }',
      { id: proposalId },
    );
    expect(approvals.auditEvents.edges).toHaveLength(1);

    await b.page
      .getByRole('link', { name: new RegExp(itemCode) })
      .first()
      .click();
    await b.page.getByTestId('record-revision').filter({ hasText: 'Revision 2 of 2' }).waitFor();
    expect(await b.page.getByTestId('record-data').innerText()).toContain('Steel bracket, galvanised');
    expect(await b.page.getByTestId('revision').count()).toBe(2);

    await b.page.goto(`/console/audit?subject=${proposalId}`);
    await b.page.getByTestId('audit-row').filter({ hasText: 'CHANGE_APPROVED' }).waitFor();
    expect(await b.page.getByTestId('audit-row').filter({ hasText: 'Ben Steward' }).count()).toBe(1);
    await audit(b.page, 'audit');
    await b.context.close();
  });

  it('the as-of picker shows the value before the edit', async () => {
    const b = await session(stewardB);
    await b.page.goto(`/console/records/item/${item.recordId}`);
    await b.page.getByTestId('record-revision').waitFor();
    await b.page.getByLabel('As of').fill(beforeEdit.slice(0, 19));
    await b.page.getByTestId('record-revision').filter({ hasText: 'Revision 1 of 2' }).waitFor();
    const shown = await b.page.getByTestId('record-data').innerText();
    expect(shown).toContain('Steel bracket');
    expect(shown).not.toContain('galvanised');
    expect(b.page.url()).toContain('asOf=');
    // a deep link to that moment lands on the same screen after a reload
    await b.page.reload();
    await b.page.getByTestId('record-revision').filter({ hasText: 'Revision 1 of 2' }).waitFor();
    await b.context.close();
  });

  it('B rejects a proposal with a reason', async () => {
    const cr = await propose(t, { domain: 'item', data: itemData(uniqueCode('REJ')) }, stewardA);
    const b = await session(stewardB);
    await b.page.goto(`/console/change-requests/${cr.id}`);
    await b.page.getByLabel('Reason for rejecting').fill('Duplicate of an existing item');
    await b.page.getByRole('button', { name: 'Reject' }).click();
    await b.page.getByTestId('cr-status').filter({ hasText: 'REJECTED' }).waitFor();
    expect(await b.page.getByText('Duplicate of an existing item').count()).toBeGreaterThan(0);
    const decided = await gqlAs(
      stewardB,
      'query($id: ID!) { changeRequest(id: $id) { status decisionReason } }',
      {
        id: cr.id,
      },
    );
    expect(decided.changeRequest).toEqual({
      status: 'REJECTED',
      decisionReason: 'Duplicate of an existing item',
    });
    await b.context.close();
  });

  it('the live inbox picks up again after the connection drops, and misses nothing', async () => {
    // the steward reaches Canon through a proxy that cuts every open connection on demand
    const proxy = await startDroppingProxy(t.url);
    const b = await newSession(browser, proxy.url);
    try {
      await signIn(b.page, stewardB);
      await b.page.goto('/console/inbox');
      const status = b.page.getByTestId('live-status');
      await status.filter({ hasText: 'Live' }).waitFor();
      proxy.dropAll();
      // proposed while the event stream is down
      const code = uniqueCode('DROP');
      await propose(t, { domain: 'item', data: itemData(code) }, stewardA);
      await b.page.getByRole('link', { name: new RegExp(code) }).waitFor({ timeout: 20_000 });
      await status.filter({ hasText: /^Live/ }).waitFor();
      // and it keeps following: a proposal after the reconnect arrives too
      const later = uniqueCode('AFTER');
      await propose(t, { domain: 'item', data: itemData(later) }, stewardA);
      await b.page.getByRole('link', { name: new RegExp(later) }).waitFor({ timeout: 20_000 });
      // the cut connection is logged by the browser as a failed request; nothing else may go wrong
      expect(b.watch.problems.filter((p) => !/ERR_|Failed to load resource|network/i.test(p))).toEqual([]);
    } finally {
      await b.context.close();
      await proxy.close();
    }
  });

  it('the proposer withdraws their own proposal', async () => {
    const cr = await propose(t, { domain: 'item', data: itemData(uniqueCode('WD')) }, stewardA);
    const a = await session(stewardA);
    await a.page.goto(`/console/change-requests/${cr.id}`);
    await a.page.getByRole('button', { name: 'Withdraw my proposal' }).click();
    await a.page.getByTestId('cr-status').filter({ hasText: 'WITHDRAWN' }).waitFor();
    await a.context.close();
  });

  it('bulk approves 20 with one stale among them: 19 applied, 1 reported', async () => {
    const site = uniqueCode('B').toUpperCase();
    const ids: string[] = [];
    for (let i = 0; i < 19; i++) {
      ids.push(
        (await propose(t, { domain: 'item', data: itemData(`BULK-${site}-${i}`, { site }) }, stewardA)).id,
      );
    }
    const { stale } = await staleProposal(t, 'item', itemData(`STALE-${site}`, { site }));

    const b = await session(stewardB);
    await b.page.goto(`/console/inbox?site=${site}`);
    await b.page.getByText('20 pending match').waitFor();
    await b.page.getByLabel('Select every proposal on this page you may approve').check();
    await b.page.getByRole('button', { name: 'Approve selected (20)' }).click();
    const results = b.page.getByTestId('bulk-results');
    await results.waitFor();
    expect(await b.page.locator('[data-testid="bulk-result"][data-outcome="APPLIED"]').count()).toBe(19);
    const conflict = b.page.locator('[data-testid="bulk-result"][data-outcome="CONFLICT"]');
    expect(await conflict.count()).toBe(1);
    expect(await conflict.innerText()).toContain('stale');
    expect(await conflict.getByRole('link').innerText()).toContain(`STALE-${site}`);
    expect(await b.page.getByTestId('bulk-results').innerText()).toContain(
      '19 applied, 1 stale (not applied)',
    );
    await screenshot(b.page, 'inbox-bulk-results');
    await b.page.getByText('0 pending match').waitFor();
    await conflict.getByRole('link').click();
    await b.page.waitForURL(new RegExp(`/change-requests/${stale.id}$`));
    await b.page.getByTestId('stale').waitFor();
    expect(await b.page.getByTestId('stale').innerText()).toContain('Newer edit');
    await audit(b.page, 'change-request-stale');
    await b.context.close();
  });

  it('a steward approves with the keyboard alone', async () => {
    const cr = await propose(t, { domain: 'item', data: itemData(uniqueCode('KEY')) }, stewardA);
    const b = await session(stewardB);
    await b.page.goto(`/console/change-requests/${cr.id}`);
    await b.page.getByTestId('cr-status').waitFor();
    let focused = '';
    for (let i = 0; i < 60 && focused !== 'Approve'; i++) {
      await b.page.keyboard.press('Tab');
      focused = await b.page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? '',
      );
    }
    expect(focused).toBe('Approve');
    await b.page.keyboard.press('Enter');
    await b.page.getByTestId('cr-status').filter({ hasText: 'APPLIED' }).waitFor();
    await b.context.close();
  });

  it('a pipeline token lands on a screen it may use', async () => {
    const pipeline = await t.tokenFor('pipeline', { actorName: 'Build pipeline' });
    tokens.push(pipeline);
    const p = await session(pipeline);
    await p.page.waitForURL(/\/console\/contracts$/);
    expect(await p.page.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
    expect(await p.page.getByTestId('api-error').count()).toBe(0);
    await p.context.close();
  });

  it('a viewer sees no approve button, and the API refuses when the call is forced', async () => {
    const viewer = await t.tokenFor('viewer', { actorName: 'Vera Viewer' });
    tokens.push(viewer);
    const cr = await propose(t, { domain: 'item', data: itemData(uniqueCode('VIEW')) }, stewardA);
    const v = await session(viewer);
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
    const still = await gqlAs(stewardB, 'query($id: ID!) { changeRequest(id: $id) { status } }', {
      id: cr.id,
    });
    expect(still.changeRequest.status).toBe('PENDING');
    await v.context.close();
  });

  it('an admin assigns a system of record; records, contracts and tokens screens work', async () => {
    const system = uniqueCode('plm');
    await registerSystem(t, { code: system, name: 'PLM e2e' });
    const admin = await session(t.adminToken);
    await admin.page.goto('/console/systems');
    await admin.page.getByRole('heading', { name: 'Assign a system of record' }).waitFor();
    await admin.page.getByRole('combobox', { name: 'System' }).click();
    await admin.page.getByRole('option', { name: system }).click();
    await admin.page.getByRole('combobox', { name: 'Domain' }).click();
    await admin.page.getByRole('option', { name: 'work-center' }).click();
    await admin.page.getByLabel('Site').fill('EU1');
    await admin.page.getByRole('button', { name: 'Assign', exact: true }).click();
    await admin.page.getByTestId('sor-rule').filter({ hasText: system }).waitFor();
    await audit(admin.page, 'systems');
    const rules = await gqlAs(
      t.adminToken,
      'query($s: String) { systemOfRecordRules(system: $s) { edges { node { domain site } } } }',
      { s: system },
    );
    expect(rules.systemOfRecordRules.edges).toEqual([{ node: { domain: 'work-center', site: 'EU1' } }]);

    await admin.page.goto('/console/records/item');
    await admin.page.getByTestId('record-row').first().waitFor();
    await audit(admin.page, 'records');
    await admin.page.goto('/console/contracts');
    await admin.page.getByRole('link', { name: 'item' }).waitFor();
    await audit(admin.page, 'contracts');
    await admin.page.goto('/console/contracts/item');
    await admin.page.getByTestId('npm-install').first().waitFor();
    expect(await admin.page.getByTestId('npm-install').first().innerText()).toContain(
      'npm install @canon/item',
    );
    await audit(admin.page, 'contract');
    await admin.page.getByRole('tab', { name: 'Compare versions' }).click();
    await admin.page.getByTestId('required-bump').waitFor();
    await admin.page.getByRole('tab', { name: 'Schema' }).click();
    await admin.page.getByTestId('schema-view').waitFor();

    await admin.page.goto('/console/tokens');
    await admin.page.getByLabel('Label').fill('MES line 3');
    await admin.page.getByRole('button', { name: 'Issue' }).click();
    const secret = await admin.page.getByTestId('token-secret').innerText();
    tokens.push(secret);
    expect(secret).toMatch(/^canon_/);
    await audit(admin.page, 'tokens');
    await admin.page.getByRole('button', { name: 'I have stored the secret' }).click();
    expect(await admin.page.getByTestId('token-secret').count()).toBe(0);
    await admin.page.goto('/console/change-requests/not-a-proposal');
    await admin.page.getByText('No change request with this id').waitFor();
    await admin.context.close();
  });

  it('every screen passes axe with no serious or critical violation, without script errors or CSP refusals', () => {
    expect(Object.keys(a11y).sort()).toEqual(
      [
        'audit',
        'change-request',
        'change-request-stale',
        'contract',
        'contracts',
        'inbox',
        'propose',
        'record',
        'records',
        'sign-in',
        'systems',
        'tokens',
      ].sort(),
    );
    const failing = Object.entries(a11y).filter(([, v]) => v.length > 0);
    if (failing.length > 0) console.error(JSON.stringify(failing, null, 1));
    expect(failing).toEqual([]);
    expect(watches.flatMap((w) => w.problems)).toEqual([]);
    // the token travels in a header only: never in an address the browser requested
    const urls = watches.flatMap((w) => w.requestUrls);
    expect(urls.length).toBeGreaterThan(0);
    for (const token of tokens) expect(urls.filter((u) => u.includes(token))).toEqual([]);
  });
});
