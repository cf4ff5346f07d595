/**
 * Rule severities: an administrator relaxes a domain rule to a warning; payloads that break it go in
 * (by proposal and by import) with the finding kept on the change request and the record, and the
 * stewards' work list is `items(filter: { hasFindings: true })`.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonMapping } from '../../src/modules/onboarding/mappings.ts';
import { systemContext } from '../../src/startup.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  approve,
  ERROR_FIELDS,
  itemData,
  nodes,
  propose,
  registerSystem,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const BAD_GTIN = '4006381333932';
const GOOD_GTIN = '4006381333931';

const setSeverity = (rule: string, severity: string, token?: string) =>
  t.gql(
    `mutation($input: SetRuleSeverityInput!) { setRuleSeverity(input: $input) {
       ... on SetRuleSeverityPayload { ruleSeverity { domain rule severity } } ${ERROR_FIELDS} } }`,
    { input: { domain: 'item', rule, severity } },
    token,
  );

const workList = async (hasFindings: boolean, keyPrefix: string) =>
  nodes(
    (
      await t.gql(
        `query($f: RecordFilter) { items(first: 50, filter: $f) { edges { node {
           code findings { code rule path severity message } } } } }`,
        { f: { hasFindings, keyPrefix } },
      )
    ).data.items,
  );

const audits = async () =>
  Number(
    (
      await t.app.orm.em
        .fork()
        .getConnection()
        .execute("select count(*)::int as n from audit_event where action = 'RULE_SEVERITY_SET'")
    )[0].n,
  );

describe('rule severities', () => {
  it('lists the relaxable rules, blocking by default, and only admins change them', async () => {
    const listed = await t.gql('{ ruleSeverities(domain: "item") { rule severity description } }');
    expect(listed.data.ruleSeverities).toContainEqual(
      expect.objectContaining({ rule: 'item.gtin-check-digit', severity: 'BLOCKING' }),
    );
    const [steward] = await stewardPair(t);
    expect((await setSeverity('item.gtin-check-digit', 'WARNING', steward)).data.setRuleSeverity.code).toBe(
      'FORBIDDEN',
    );
    const unknown = await setSeverity('item.no-such-rule', 'WARNING');
    expect(unknown.data.setRuleSeverity).toMatchObject({ code: 'BAD_USER_INPUT', path: ['rule'] });
    expect(unknown.data.setRuleSeverity.message).toContain('item.gtin-check-digit');
    // the unit arithmetic is never relaxed
    expect((await setSeverity('item.uom-dimension', 'WARNING')).data.setRuleSeverity.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('lets a relaxed rule’s breach in as a warning on the proposal and the record', async () => {
    const [proposer, approver] = await stewardPair(t);
    const p = uniqueCode('SEV').toUpperCase();
    const refused = await propose(
      t,
      { domain: 'item', data: itemData(`${p}-1`, { barcode: BAD_GTIN }) },
      proposer,
    );
    expect(refused.code).toBe('CONTRACT_VALIDATION_FAILED');

    const before = await audits();
    expect((await setSeverity('item.gtin-check-digit', 'WARNING')).data.setRuleSeverity.ruleSeverity).toEqual(
      {
        domain: 'item',
        rule: 'item.gtin-check-digit',
        severity: 'WARNING',
      },
    );
    await setSeverity('item.gtin-check-digit', 'WARNING'); // the same again: no second audit
    expect(await audits()).toBe(before + 1);
    try {
      const cr = await propose(
        t,
        { domain: 'item', data: itemData(`${p}-1`, { barcode: BAD_GTIN }) },
        proposer,
      );
      expect(cr.status).toBe('PENDING');
      const read = await t.gql(
        'query($id: ID!) { changeRequest(id: $id) { validation { rule severity path } } }',
        {
          id: cr.id,
        },
      );
      expect(read.data.changeRequest.validation).toEqual([
        { rule: 'item.gtin-check-digit', severity: 'WARNING', path: '/barcode' },
      ]);
      expect((await approve(t, cr.id, approver)).status).toBe('APPLIED');
      await propose(t, { domain: 'item', data: itemData(`${p}-2`, { barcode: GOOD_GTIN }) }, proposer).then(
        (clean) => approve(t, clean.id, approver),
      );

      const flagged = await workList(true, p);
      expect(flagged.map((r) => r.code)).toEqual([`${p}-1`]);
      expect(flagged[0].findings).toEqual([
        expect.objectContaining({ rule: 'item.gtin-check-digit', severity: 'WARNING', path: '/barcode' }),
      ]);
      expect((await workList(false, p)).map((r) => r.code)).toEqual([`${p}-2`]);

      // an import in apply mode keeps the warning the same way; fixing the barcode clears it
      const mapping = canonMapping(await t.app.services.imports.schemaOf('item'));
      const run = (csv: string, system?: string) =>
        t.app.services.imports.run(
          systemContext('test'),
          {
            domain: 'item',
            mode: 'APPLY',
            mapping,
            format: 'csv',
            batchSize: 10,
            skipInvalid: false,
            resume: false,
            source: 'sev.csv',
            fingerprint: uniqueCode('fp'),
            ...(system ? { system } : {}),
          },
          Readable.from([Buffer.from(csv)]),
        );
      const imported = await run(
        `code,name,type,uom,tracking,barcode\n${p}-3,Three,goods,KGM,none,${BAD_GTIN}\n`,
      );
      expect(imported).toMatchObject({ rowsCreated: 1, rowsRefused: 0, rowsWarned: 1 });
      const report = await t.app.services.imports.report(systemContext('test'), imported.id, { limit: 10 });
      expect(report.map((r) => [r.rowNumber, r.pointer, r.severity])).toEqual([[2, '/barcode', 'WARNING']]);
      expect((await workList(true, p)).map((r) => r.code)).toEqual([`${p}-1`, `${p}-3`]);
      // imported for a system, a row's warning is also an exception of that system's
      const system = uniqueCode('sev').toLowerCase();
      await registerSystem(t, { code: system, kind: 'ERP' });
      const forSystem = await run(
        `code,name,type,uom,tracking,barcode\n${p}-4,Four,goods,KGM,none,${BAD_GTIN}\n`,
        system,
      );
      expect(forSystem).toMatchObject({ rowsCreated: 1, rowsWarned: 1 });
      const filed = await t.gql(
        'query($s: String!) { exceptions(system: $s) { edges { node { source code recordId payloadExcerpt } } } }',
        { s: system },
      );
      expect(
        filed.data.exceptions.edges.map((e: any) => [e.node.source, e.node.payloadExcerpt.pointer]),
      ).toEqual([['IMPORT', '/barcode']]);
      await run(`code,barcode\n${p}-4,96385081\n`); // another valid GTIN-8 (barcodes are unique)
      await run(`code,barcode\n${p}-3,96385074\n`); // a valid GTIN-8
      expect((await workList(true, p)).map((r) => r.code)).toEqual([`${p}-1`]);

      // proposed in bulk and approved as a whole, the warning stays with the record
      const upload = await fetch(`${t.url}/imports/item`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${proposer}` },
        body: `code,name,type,uom,tracking,barcode\n${p}-5,Five,goods,KGM,none,${BAD_GTIN}\n`,
      });
      const { importJob } = (await upload.json()) as { importJob: { id: string } };
      let bulkId: string | undefined;
      for (let i = 0; !bulkId && i < 300; i++) {
        const r = await t.gql(
          'query($j: ID!) { bulkChangeRequests(importJobId: $j, first: 1) { edges { node { id } } } }',
          {
            j: importJob.id,
          },
        );
        bulkId = nodes(r.data.bulkChangeRequests)[0]?.id;
        if (!bulkId) await new Promise((res) => setTimeout(res, 50));
      }
      const approved = await t.gql(
        'mutation($id: ID!) { approveBulkChange(input: { id: $id }) { ... on ApproveBulkChangePayload { decidedCount } } }',
        { id: bulkId },
        approver,
      );
      expect(approved.data.approveBulkChange.decidedCount).toBe(1);
      const bulkFlagged = (await workList(true, p)).find((r) => r.code === `${p}-5`);
      expect(bulkFlagged?.findings).toEqual([
        expect.objectContaining({ rule: 'item.gtin-check-digit', severity: 'WARNING', path: '/barcode' }),
      ]);
    } finally {
      await setSeverity('item.gtin-check-digit', 'BLOCKING');
    }
    const again = await propose(
      t,
      { domain: 'item', data: itemData(`${p}-4`, { barcode: BAD_GTIN }) },
      proposer,
    );
    expect(again.code).toBe('CONTRACT_VALIDATION_FAILED');
  });
});
