/**
 * Duplicates in the console, in Debian's Chromium against a running Canon: the proposal of a part
 * that already exists shows its possible duplicate; the queue lists the pair with the rule that
 * matched; steward A merges it (the older record survives, the name comes from the newer) and lands
 * on the MERGE change request,
 * which steward B approves; another pair is marked not a duplicate and leaves the queue; a match over
 * the whole domain is started and followed. Screens are checked with axe-core and for script errors.
 */
import { describe, expect, it } from 'vitest';
import { consoleFixture } from '../support/console-fixture.ts';
import { approve, createRecord, itemData, propose, uniqueCode } from '../support/factories.ts';

const f = consoleFixture();

describe('steward console: duplicates', () => {
  it('shows the duplicate on the proposal, merges from the queue under four eyes, and dismisses a pair', async () => {
    const tag = uniqueCode('DUP').replace(/-/g, '');
    const older = await createRecord(f.t, 'item', itemData(`${tag}-1`, { name: `Bearing housing ${tag}` }));
    const proposal = await propose(
      f.t,
      { domain: 'item', data: itemData(`${tag}1`, { name: `Bearing Housing ${tag}` }) },
      f.stewardA,
    );
    const b = await f.session(f.stewardB);
    await b.page.goto(`/console/change-requests/${proposal.id}`);
    await b.page
      .getByTestId('possible-duplicates')
      .filter({ hasText: `${tag}-1` })
      .waitFor();
    await f.audit(b.page, 'change-request-duplicates');
    const newer = await approve(f.t, proposal.id, f.stewardB);
    expect(newer.status).toBe('APPLIED');
    // a second pair that is not one part: a steward says so
    const other = uniqueCode('DIF').replace(/-/g, '');
    await createRecord(f.t, 'item', itemData(`${other}-7`, { name: `Shaft ${other}` }));
    await createRecord(f.t, 'item', itemData(`${other}7`, { name: `Shaft key ${other}` }));

    const a = await f.session(f.stewardA);
    await a.page.goto('/console/duplicates/item');
    const pair = a.page.getByTestId('candidate-row').filter({ hasText: `${tag}-1` });
    await pair.waitFor();
    expect(await pair.innerText()).toContain('same-code');
    await f.audit(a.page, 'duplicates');
    const notOne = a.page.getByTestId('candidate-row').filter({ hasText: `${other}-7` });
    await notOne.getByRole('button', { name: 'Not a duplicate' }).click();
    await notOne.waitFor({ state: 'detached' });

    await pair.getByRole('button', { name: 'Merge…' }).click();
    const dialog = a.page.getByRole('dialog');
    await dialog.getByTestId('merge-fields').waitFor();
    await dialog.getByRole('radio', { name: `name from ${tag}1` }).check();
    await f.audit(a.page, 'merge-dialog');
    await dialog.getByRole('button', { name: 'Propose the merge' }).dblclick();
    await a.page.waitForURL(/\/console\/change-requests\//);
    await a.page
      .getByTestId('merge-details')
      .filter({ hasText: `${tag}1` })
      .waitFor();
    expect(await a.page.getByText(/\/name: from/).count()).toBe(1);
    await a.page.getByTestId('cr-status').filter({ hasText: 'PENDING' }).waitFor();
    await f.audit(a.page, 'change-request-merge');
    const mergeId = a.page.url().split('/').at(-1)!;
    const merges = await f.gqlAs(
      f.t.adminToken,
      `{ changeRequests(status: PENDING, recordId: "${older.recordId}") { totalCount } }`,
    );
    expect(merges.changeRequests.totalCount).toBe(1);

    await b.page.goto(`/console/change-requests/${mergeId}`);
    await b.page.getByRole('button', { name: 'Approve' }).click();
    await b.page.getByTestId('cr-status').filter({ hasText: 'APPLIED' }).waitFor();
    const merged = await f.gqlAs(f.t.adminToken, `{ record(id: "${newer.recordId}") { id followedFrom } }`);
    expect(merged.record).toEqual({ id: older.recordId, followedFrom: newer.recordId });

    await a.page.goto('/console/duplicates/item');
    await a.page.getByTestId('candidate-count').waitFor();
    expect(await a.page.getByTestId('candidate-row').filter({ hasText: tag }).count()).toBe(0);
    await a.page.getByRole('button', { name: 'Match the whole domain' }).click();
    await a.page
      .getByTestId('match-job')
      .filter({ hasText: /completed/ })
      .waitFor({ timeout: 60_000 });
    await a.context.close();
    await b.context.close();
  }, 180_000);

  it('every screen passes axe with no serious or critical violation, without script errors, CSP refusals or token leaks', () => {
    f.expectClean(['change-request-duplicates', 'change-request-merge', 'duplicates', 'merge-dialog']);
  });
});
