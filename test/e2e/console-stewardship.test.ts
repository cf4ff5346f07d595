/**
 * The stewards' work in the console, in Debian's Chromium against a running Canon: steward A
 * proposes from a form generated from the contract, steward B sees it arrive live (also after the
 * connection drops), reads the diff, approves once however often the button is clicked, looks back
 * in time, rejects, bulk approves with a stale proposal among them, approves with the keyboard
 * alone; the proposer withdraws. Every screen is checked with axe-core, for script errors, CSP
 * refusals and the token leaving the headers.
 */
import { describe, expect, it } from 'vitest';
import { newSession, screenshot, signIn } from '../support/browser.ts';
import { consoleFixture } from '../support/console-fixture.ts';
import { createRecord, itemData, propose, staleProposal, uniqueCode } from '../support/factories.ts';
import { startDroppingProxy } from '../support/tcp-proxy.ts';

const f = consoleFixture();

describe('steward console: stewardship', () => {
  let item: { recordId: string };
  let itemCode: string;
  let proposalId: string;
  let beforeEdit: string;

  it('A proposes an edit from a form generated from the contract; B sees it arrive live', async () => {
    itemCode = uniqueCode('E2E');
    item = await createRecord(f.t, 'item', itemData(itemCode, { name: 'Steel bracket' }));
    // the as-of picker works to the second: a whole second after the creation, one before the edit
    await new Promise((r) => setTimeout(r, 1100));
    beforeEdit = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1100));

    const b = await f.session(f.stewardB);
    await b.page.goto('/console/inbox');
    await b.page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
    const rowsBefore = await b.page.getByTestId('inbox-row').count();

    const a = await f.session(f.stewardA);
    await a.page.goto(`/console/records/item/${item.recordId}`);
    await a.page.getByRole('heading', { name: new RegExp(itemCode) }).waitFor();
    await f.audit(a.page, 'record');
    await a.page.getByRole('link', { name: 'Propose an edit' }).click();
    const name = a.page.locator('input[data-pointer="/name"]');
    await name.waitFor();
    await f.audit(a.page, 'propose');
    // a reference to another record's key is suggested from the live records of its domain
    const unit = a.page.locator('input[data-pointer="/purchaseUom"]');
    await unit.fill('TN');
    await a.page.getByRole('option', { name: /^TNE/ }).waitFor();
    await unit.fill('');
    // the contract's own validator refuses in the f.browser: nothing is sent
    await name.fill('');
    await a.page.getByRole('button', { name: 'Propose' }).click();
    await a.page.getByTestId('form-errors').waitFor();
    const pending = await f.gqlAs(f.stewardB, '{ changeRequests(status: PENDING) { totalCount } }');
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
    await f.audit(b.page, 'inbox');
    await a.context.close();
    await b.context.close();
  });

  it('B opens the diff and approves; a double click is one decision; the revision and audit row follow', async () => {
    const b = await f.session(f.stewardB);
    await b.page.goto('/console/inbox');
    await b.page.getByRole('link', { name: new RegExp(itemCode) }).click();
    await b.page.waitForURL(new RegExp(`/change-requests/${proposalId}`));
    const diff = b.page.getByTestId('field-diff');
    await diff.waitFor();
    const diffText = await diff.innerText();
    expect(diffText).toContain('/name');
    expect(diffText).toContain('Steel bracket, galvanised');
    expect(diffText).toMatch(/changed/i);
    await f.audit(b.page, 'change-request');
    await b.page.getByLabel('Comment (optional)').fill('Matches the drawing');
    await b.page.getByRole('button', { name: 'Approve' }).dblclick();
    await b.page.getByTestId('cr-status').filter({ hasText: 'APPLIED' }).waitFor();
    expect(await b.page.getByTestId('api-error').count()).toBe(0);
    const approvals = await f.gqlAs(
      f.t.adminToken,
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
    await f.audit(b.page, 'audit');
    await b.context.close();
  });

  it('the as-of picker shows the value before the edit', async () => {
    const b = await f.session(f.stewardB);
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
    const cr = await propose(f.t, { domain: 'item', data: itemData(uniqueCode('REJ')) }, f.stewardA);
    const b = await f.session(f.stewardB);
    await b.page.goto(`/console/change-requests/${cr.id}`);
    await b.page.getByLabel('Reason for rejecting').fill('Duplicate of an existing item');
    await b.page.getByRole('button', { name: 'Reject' }).click();
    await b.page.getByTestId('cr-status').filter({ hasText: 'REJECTED' }).waitFor();
    expect(await b.page.getByText('Duplicate of an existing item').count()).toBeGreaterThan(0);
    const decided = await f.gqlAs(
      f.stewardB,
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
    const proxy = await startDroppingProxy(f.t.url);
    const b = await newSession(f.browser, proxy.url);
    try {
      await signIn(b.page, f.stewardB);
      await b.page.goto('/console/inbox');
      const status = b.page.getByTestId('live-status');
      await status.filter({ hasText: 'Live' }).waitFor();
      proxy.dropAll();
      // proposed while the event stream is down
      const code = uniqueCode('DROP');
      await propose(f.t, { domain: 'item', data: itemData(code) }, f.stewardA);
      await b.page.getByRole('link', { name: new RegExp(code) }).waitFor({ timeout: 20_000 });
      await status.filter({ hasText: /^Live/ }).waitFor();
      // and it keeps following: a proposal after the reconnect arrives too
      const later = uniqueCode('AFTER');
      await propose(f.t, { domain: 'item', data: itemData(later) }, f.stewardA);
      await b.page.getByRole('link', { name: new RegExp(later) }).waitFor({ timeout: 20_000 });
      // the cut connection is logged by the f.browser as a failed request; nothing else may go wrong
      expect(b.watch.problems.filter((p) => !/ERR_|Failed to load resource|network/i.test(p))).toEqual([]);
    } finally {
      await b.context.close();
      await proxy.close();
    }
  });

  it('the proposer withdraws their own proposal', async () => {
    const cr = await propose(f.t, { domain: 'item', data: itemData(uniqueCode('WD')) }, f.stewardA);
    const a = await f.session(f.stewardA);
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
        (await propose(f.t, { domain: 'item', data: itemData(`BULK-${site}-${i}`, { site }) }, f.stewardA))
          .id,
      );
    }
    const { stale } = await staleProposal(f.t, 'item', itemData(`STALE-${site}`, { site }));

    const b = await f.session(f.stewardB);
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
    await f.audit(b.page, 'change-request-stale');
    await b.context.close();
  });

  it('a steward approves with the keyboard alone', async () => {
    const cr = await propose(f.t, { domain: 'item', data: itemData(uniqueCode('KEY')) }, f.stewardA);
    const b = await f.session(f.stewardB);
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

  it('every screen passes axe with no serious or critical violation, without script errors, CSP refusals or token leaks', () => {
    f.expectClean(['audit', 'change-request', 'change-request-stale', 'inbox', 'propose', 'record']);
  });
});
