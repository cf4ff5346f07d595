/**
 * Exceptions and contract impact in the console, in Debian's Chromium against a running Canon: a MES
 * refuses an item (blocking: the record is quarantined) and reports two lot failures; steward A finds
 * them in the queue filtered by the MES, takes one, resolves one with a note, and resolves the rest in
 * one bulk action; the resolution time shows in the summary. A breaking contract version waits for
 * the MES: the contract's impact tab names it with its owner, and a steward acknowledges for it.
 * Screens are checked with axe-core and for script errors.
 */
import { describe, expect, it } from 'vitest';
import { consoleFixture } from '../support/console-fixture.ts';
import {
  acknowledgeChanges,
  connectorFor,
  createRecord,
  itemData,
  mutate,
  publishVersion,
  registerVersion,
  uniqueCode,
} from '../support/factories.ts';

const f = consoleFixture();

describe('steward console: exceptions and contract impact', () => {
  it('works the queue one by one and in bulk, and acknowledges a breaking version for a consumer', async () => {
    const mes = await connectorFor(f.t, { kind: 'MES' });
    await mutate(f.t, 'updateSystem', { code: mes.system, team: 'mes-team' }, 'code', { field: 'system' });
    await mutate(f.t, 'setSubscription', { system: mes.system, domain: 'item' }, 'id', {
      field: 'subscription',
    });
    const item = await createRecord(f.t, 'item', itemData(uniqueCode('EXC'), { uom: 'LTR' }));
    const feed = await f.gqlAs(
      mes.token,
      `{ changeFeed(types: [RECORD_CHANGED], domain: "item", first: 1000) { edges { node { sequence subjectId } } } }`,
    );
    const change = feed.changeFeed.edges
      .map((e: any) => e.node)
      .find((n: any) => n.subjectId === item.recordId);
    const refused = await acknowledgeChanges(f.t, mes.token, [
      {
        sequence: change.sequence,
        status: 'REFUSED',
        code: 'UNKNOWN_UOM',
        message: 'The MES knows no unit LTR',
        blocking: true,
      },
    ]);
    expect(refused.recorded).toBe(1);
    for (const lot of ['L-1', 'L-2'])
      await mutate(
        f.t,
        'reportException',
        {
          domain: 'item',
          externalId: `${mes.system}-${lot}`,
          code: 'LOT_WITHOUT_ITEM',
          message: `Lot ${lot} names an unknown item`,
        },
        'id',
        { token: mes.token, field: 'exception' },
      );

    const a = await f.session(f.stewardA);
    await a.page.goto(`/console/exceptions?system=${mes.system}`);
    const rows = a.page.getByTestId('exception-row');
    await rows.filter({ hasText: 'UNKNOWN_UOM' }).waitFor();
    expect(await rows.count()).toBe(3);
    expect(await rows.filter({ hasText: 'UNKNOWN_UOM' }).innerText()).toMatch(/quarantined/i);
    await f.audit(a.page, 'exceptions');

    const uom = rows.filter({ hasText: 'UNKNOWN_UOM' });
    await uom.getByRole('button', { name: 'Take' }).click();
    await uom.getByTestId('exception-state').filter({ hasText: 'ACKNOWLEDGED' }).waitFor();
    await uom.getByRole('textbox').fill('Unit LTR added to the MES unit table');
    await uom.getByRole('button', { name: 'Resolve' }).dblclick();
    await uom.waitFor({ state: 'detached' });
    const quarantine = await f.gqlAs(
      f.t.adminToken,
      `{ record(id: "${item.recordId}") { quarantine { since } } }`,
    );
    expect(quarantine.record.quarantine).toBeNull();

    for (const box of await a.page.getByRole('checkbox').all()) await box.check();
    const bulk = a.page.getByTestId('bulk-actions');
    await bulk.getByText('2 selected').waitFor();
    await bulk.getByRole('textbox').fill('Items created in the MES');
    await f.audit(a.page, 'exceptions-bulk');
    await bulk.getByRole('button', { name: 'Resolve all' }).click();
    await a.page.getByText('No exceptions here.').waitFor();
    await a.page.getByTestId('exception-summary').getByText('LOT_WITHOUT_ITEM').waitFor();
    const closed = await f.gqlAs(
      f.t.adminToken,
      `{ exceptions(system: "${mes.system}", states: [RESOLVED]) { totalCount edges { node { resolution } } } }`,
    );
    expect(closed.exceptions.totalCount).toBe(3);

    // a breaking version of a contract the MES subscribes to waits for it
    const contract = uniqueCode('impact').toLowerCase();
    const schema = { type: 'object', properties: { code: { type: 'string', description: 'Code.' } } };
    await registerVersion(f.t, { contract, version: '1.0.0', schema });
    await publishVersion(f.t, contract, '1.0.0');
    await mutate(f.t, 'setSubscription', { system: mes.system, domain: contract }, 'id', {
      field: 'subscription',
    });
    await registerVersion(f.t, { contract, version: '2.0.0', schema: { ...schema, required: ['code'] } });
    expect((await publishVersion(f.t, contract, '2.0.0', { allowBreaking: true })).code).toBe(
      'IMPACT_PENDING',
    );
    await a.page.goto(`/console/contracts/${contract}`);
    await a.page.getByRole('tab', { name: 'Consumers and impact' }).click();
    await a.page.getByTestId('impact-waiting').filter({ hasText: mes.system }).waitFor();
    expect(await a.page.getByTestId('impact-consumer').innerText()).toContain('mes-team');
    await f.audit(a.page, 'contract-impact');
    await a.page.getByRole('button', { name: `Acknowledge for ${mes.system}` }).click();
    await a.page.getByTestId('impact-state').filter({ hasText: 'CLEARED' }).waitFor();
    expect((await publishVersion(f.t, contract, '2.0.0', { allowBreaking: true })).status).toBe('PUBLISHED');
    await a.context.close();
  }, 180_000);

  it('every screen passes axe with no serious or critical violation, without script errors, CSP refusals or token leaks', () => {
    f.expectClean(['contract-impact', 'exceptions', 'exceptions-bulk']);
  });
});
