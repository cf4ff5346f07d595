/**
 * BOMs and routings as built-in domains: the rules (no cycle through any number of levels, units of
 * the component's dimension, live components and work centers, effectivity without overlap), the
 * explosion and where-used of a 5-level structure, and the history and as-of reads of a revision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { runCanon } from '../support/cli.ts';
import {
  createRecord,
  ERROR_FIELDS,
  itemData,
  propose,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let proposer: string;
beforeAll(async () => {
  t = await startTestApp();
  [proposer] = await stewardPair(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const line = (component: string, quantity: string, uom = 'C62', extra: Record<string, unknown> = {}) => ({
  component,
  quantity,
  uom,
  ...extra,
});
const bomData = (code: string, product: string, lines: unknown[], extra: Record<string, unknown> = {}) => ({
  code,
  product,
  type: 'normal',
  quantity: '1',
  uom: 'C62',
  validFrom: '2026-01-01',
  lines,
  ...extra,
});

/** Findings of a proposal that must be refused. */
async function refused(data: Record<string, unknown>, recordId?: string) {
  const r = await propose(
    t,
    { domain: 'bom', ...(recordId ? { recordId, patch: data } : { data }) },
    proposer,
  );
  expect(r.__typename).toBe('ValidationError');
  return r.findings as { code: string; path: string; message: string }[];
}

/** P0 ⊃ P1 ⊃ P2 ⊃ P3 ⊃ P4 ⊃ RAW (kg): each level needs 2 of the next; P4 needs 500 g of RAW. */
async function fiveLevels() {
  const s = uniqueCode('L');
  const items = [0, 1, 2, 3, 4].map((i) => `${s}-P${i}`);
  const raw = `${s}-RAW`;
  await createRecord(t, 'item', itemData(raw, { uom: 'KGM' }));
  for (const code of items) await createRecord(t, 'item', itemData(code, { uom: 'C62' }));
  const boms: { id: string; code: string }[] = [];
  for (let i = 4; i >= 0; i--) {
    const code = `BOM-${items[i]}`;
    const lines = i === 4 ? [line(raw, '500', 'GRM')] : [line(items[i + 1], '2')];
    const cr = await createRecord(t, 'bom', bomData(code, items[i], lines));
    boms.unshift({ id: cr.recordId, code });
  }
  return { items, raw, boms };
}

describe('BOM rules', () => {
  it('refuses a cycle through five levels, and an item in its own BOM', async () => {
    const { items, boms } = await fiveLevels();
    const findings = await refused(bomData(boms[4].code, items[4], [line(items[0], '1')]), boms[4].id);
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'CONTRACT_VALIDATION_FAILED',
        path: '/lines/0/component',
        message: `${items[4]} would contain itself: ${[items[4], ...items.slice(0, 4), items[4]].join(' → ')}.`,
      }),
    ]);
    const self = await refused(bomData(uniqueCode('BOM-SELF'), items[2], [line(items[2], '1')]));
    expect(self.map((f) => f.message)).toContainEqual(expect.stringMatching(/would contain itself/));
  });

  it('lets only one of two approvals that together would close a cycle through', async () => {
    const [x, y] = [uniqueCode('CX'), uniqueCode('CY')];
    for (const code of [x, y]) await createRecord(t, 'item', itemData(code, { uom: 'C62' }));
    const [p, a] = await stewardPair(t);
    const crs = [
      await propose(t, { domain: 'bom', data: bomData(`BOM-${x}`, x, [line(y, '1')]) }, p),
      await propose(t, { domain: 'bom', data: bomData(`BOM-${y}`, y, [line(x, '1')]) }, p),
    ];
    expect(crs.map((c) => c.status)).toEqual(['PENDING', 'PENDING']);
    const decided = await Promise.all(
      crs.map((c) =>
        t.gql(
          `mutation($id: ID!) { approveChange(input: { id: $id }) { __typename
            ... on ApproveChangePayload { changeRequest { status } }
            ... on ValidationError { findings { message } } ... on Error { code } } }`,
          { id: c.id },
          a,
        ),
      ),
    );
    const outcomes = decided.map((d) => d.data.approveChange);
    const applied = outcomes.filter((o) => o.changeRequest?.status === 'APPLIED');
    expect(applied, JSON.stringify(outcomes)).toHaveLength(1);
    const refused = outcomes.find((o) => o.changeRequest?.status !== 'APPLIED');
    expect(JSON.stringify(refused)).toMatch(/would contain itself/);
  });

  it('finds a cycle two BOMs close within one import batch', async () => {
    const [x, y] = [uniqueCode('IX'), uniqueCode('IY')];
    for (const code of [x, y]) await createRecord(t, 'item', itemData(code, { uom: 'C62' }));
    const rows = [bomData(`BOM-${x}`, x, [line(y, '1')]), bomData(`BOM-${y}`, y, [line(x, '1')])];
    const res = await fetch(`${t.url}/imports/bom?mode=apply&format=ndjson&batch=10`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${t.adminToken}` },
      body: `${rows.map((r) => JSON.stringify({ data: r })).join('\n')}\n`,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { importJob } = (await res.json()) as { importJob: { id: string } };
    let job: any;
    for (let i = 0; i < 600; i++) {
      job = (
        await t.gql(
          `query($id: ID!) { importJob(id: $id) { status rowsCreated rowsRefused report { row code pointer message } } }`,
          {
            id: importJob.id,
          },
        )
      ).data.importJob;
      if (job.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // the batch is refused whole (no --skip-invalid): nothing written, the second row named
    expect(job.rowsCreated, JSON.stringify(job)).toBe(0);
    const cycle = job.report.find((r: { row: number }) => r.row === 2);
    expect(cycle).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED', pointer: '/lines/0/component' });
    expect(cycle.message).toMatch(/would contain itself/);
    const boms = await t.gql(`query($p: String!) { boms(filter: { keyPrefix: $p }) { totalCount } }`, {
      p: `BOM-${x}`,
    });
    expect(boms.data.boms.totalCount).toBe(0);
  });

  it('refuses a unit of another dimension than the component’s, an unknown component and a zero quantity', async () => {
    const raw = uniqueCode('RAW');
    const product = uniqueCode('PRD');
    await createRecord(t, 'item', itemData(raw, { uom: 'KGM' }));
    await createRecord(t, 'item', itemData(product, { uom: 'C62' }));
    const findings = await refused(
      bomData(uniqueCode('BOM'), product, [
        line(raw, '2', 'C62'),
        line('NO-SUCH-ITEM', '1'),
        line(raw, '0', 'KGM'),
      ]),
    );
    expect(findings.map((f) => [f.code, f.path])).toEqual(
      expect.arrayContaining([
        ['UOM_DIMENSION_MISMATCH', '/lines/0/uom'],
        ['REFERENCE_NOT_FOUND', '/lines/1/component'],
        ['CONTRACT_VALIDATION_FAILED', '/lines/2/quantity'],
      ]),
    );
  });

  it('keeps the revisions of one product from overlapping, and uses the one in force on the day', async () => {
    const raw = uniqueCode('RAW');
    const other = uniqueCode('RAW');
    const product = uniqueCode('PRD');
    for (const code of [raw, other]) await createRecord(t, 'item', itemData(code, { uom: 'KGM' }));
    await createRecord(t, 'item', itemData(product, { uom: 'C62' }));
    await createRecord(
      t,
      'bom',
      bomData(`${product}/A`, product, [line(raw, '1', 'KGM')], {
        engineeringRevision: 'A',
        validTo: '2027-01-01',
      }),
    );
    const overlap = await refused(
      bomData(`${product}/B`, product, [line(other, '1', 'KGM')], {
        engineeringRevision: 'B',
        validFrom: '2026-06-01',
      }),
    );
    expect(overlap[0]).toMatchObject({ code: 'CONTRACT_VALIDATION_FAILED', path: '/validFrom' });
    await createRecord(
      t,
      'bom',
      bomData(`${product}/B`, product, [line(other, '1', 'KGM')], {
        engineeringRevision: 'B',
        validFrom: '2027-01-01',
      }),
    );
    const explode = async (on: string) =>
      (
        await t.gql(
          `query($p: String!, $on: DateTime) { bomExplosion(product: $p, on: $on) {
          ... on BomExplosion { lines { componentCode } } ${ERROR_FIELDS} } }`,
          { p: product, on },
        )
      ).data.bomExplosion;
    expect((await explode('2026-08-01T00:00:00Z')).lines).toEqual([{ componentCode: raw }]);
    expect((await explode('2027-02-01T00:00:00Z')).lines).toEqual([{ componentCode: other }]);
    expect(await explode('2025-01-01T00:00:00Z')).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('BOM structure', () => {
  it('explodes five levels with exact quantities, through unit conversion', async () => {
    const { items, raw } = await fiveLevels();
    const r = await t.gql(
      `query($p: String!) { bomExplosion(product: $p, quantity: "3") { ... on BomExplosion {
        productCode quantity uom lines { level path componentCode component { code } quantity exactQuantity uom hasBom
        bom { key ... on Bom { engineeringRevision product { code } } } } } ${ERROR_FIELDS} } }`,
      { p: items[0] },
    );
    expect(r.errors).toBeUndefined();
    const lines = r.data.bomExplosion.lines;
    expect(lines.map((l: any) => [l.level, l.componentCode, l.quantity, l.uom, l.hasBom])).toEqual([
      [1, items[1], '6', 'C62', true],
      [2, items[2], '12', 'C62', true],
      [3, items[3], '24', 'C62', true],
      [4, items[4], '48', 'C62', true],
      [5, raw, '24000', 'GRM', false],
    ]);
    expect(lines[4].path).toEqual([...items, raw]);
    expect(lines[0].bom).toMatchObject({ key: `BOM-${items[0]}`, product: { code: items[0] } });
    expect(lines[4].component).toEqual({ code: raw });
    // a third of the product: not a terminating decimal, still exact as a fraction
    const third = await t.gql(
      `query($p: String!) { bomExplosion(product: $p, quantity: "1", uom: "C62") { ... on BomExplosion { lines { quantity exactQuantity } } } }`,
      { p: items[3] },
    );
    expect(third.data.bomExplosion.lines[1]).toEqual({ quantity: '1000', exactQuantity: '1000' });
    // a quantity in another unit of the same dimension converts exactly; others are refused
    const refuse = async (uom: string, quantity = '1') =>
      (
        await t.gql(
          `query($p: String!, $u: String, $q: Decimal) { bomExplosion(product: $p, uom: $u, quantity: $q) { ... on BomExplosion { lines { quantity } } ${ERROR_FIELDS} } }`,
          { p: items[3], u: uom, q: quantity },
        )
      ).data.bomExplosion;
    expect(await refuse('KGM')).toMatchObject({ code: 'UOM_DIMENSION_MISMATCH', path: ['uom'] });
    expect(await refuse('NO-SUCH-UNIT')).toMatchObject({ code: 'NOT_FOUND', path: ['uom'] });
    expect(await refuse('C62', '-1')).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('reads a structure one statement per level, however wide', async () => {
    const s = uniqueCode('W');
    const raw = `${s}-RAW`;
    await createRecord(t, 'item', itemData(raw, { uom: 'KGM' }));
    const assembly = async (name: string, width: number) => {
      const parts = Array.from({ length: width }, (_, i) => `${s}-${name}-${i}`);
      for (const part of parts) {
        await createRecord(t, 'item', itemData(part, { uom: 'C62' }));
        await createRecord(t, 'bom', bomData(`BOM-${part}`, part, [line(raw, '1', 'KGM')]));
      }
      const top = `${s}-${name}`;
      await createRecord(t, 'item', itemData(top, { uom: 'C62' }));
      await createRecord(
        t,
        'bom',
        bomData(
          `BOM-${top}`,
          top,
          parts.map((p) => line(p, '1')),
        ),
      );
      return top;
    };
    const narrow = await assembly('N', 1);
    const wide = await assembly('M', 8);
    const cost = (product: string) =>
      t.countQueries(() =>
        t.gql(
          `query($p: String!) { bomExplosion(product: $p) { ... on BomExplosion { lines { componentCode } } } }`,
          {
            p: product,
          },
        ),
      );
    await cost(narrow); // warm the caches
    expect(await cost(wide)).toBe(await cost(narrow));
    // the cycle check of a proposal walks the structure below it one statement per level too
    const parent = `${s}-TOP`;
    await createRecord(t, 'item', itemData(parent, { uom: 'C62' }));
    const proposal = (child: string, n: number) =>
      t.countQueries(() =>
        propose(
          t,
          { domain: 'bom', data: bomData(`BOM-${parent}-${n}`, parent, [line(child, '1')]) },
          proposer,
        ),
      );
    await proposal(narrow, 0); // warm
    expect(await proposal(wide, 1)).toBe(await proposal(narrow, 2));
    const used = await t.gql(`query($i: String!) { bomWhereUsed(item: $i) { totalCount } }`, { i: raw });
    // 9 part BOMs contain the raw material; the two tops contain their 1 + 8 parts
    expect(used.data.bomWhereUsed.totalCount).toBe(18);
  });

  it('answers where an item is used, level by level', async () => {
    const { items, raw } = await fiveLevels();
    const r = await t.gql(
      `query($i: String!) { bomWhereUsed(item: $i) { totalCount edges { node { level productCode componentCode quantity uom bom { key } } } } }`,
      { i: raw },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.bomWhereUsed.totalCount).toBe(5);
    const usages = r.data.bomWhereUsed.edges.map((e: any) => e.node);
    expect(usages.map((u: any) => [u.level, u.productCode, u.componentCode, u.quantity, u.uom])).toEqual([
      [1, items[4], raw, '500', 'GRM'],
      [2, items[3], items[4], '2', 'C62'],
      [3, items[2], items[3], '2', 'C62'],
      [4, items[1], items[2], '2', 'C62'],
      [5, items[0], items[1], '2', 'C62'],
    ]);
    expect(usages[0].bom.key).toBe(`BOM-${items[4]}`);
    const two = await t.gql(`query($i: String!) { bomWhereUsed(item: $i, maxLevels: 2) { totalCount } }`, {
      i: raw,
    });
    expect(two.data.bomWhereUsed.totalCount).toBe(2);
    // pages continue where the cursor points
    const first = await t.gql(
      `query($i: String!) { bomWhereUsed(item: $i, first: 2) { edges { node { level } } pageInfo { endCursor hasNextPage } } }`,
      { i: raw },
    );
    expect(first.data.bomWhereUsed.pageInfo.hasNextPage).toBe(true);
    const rest = await t.gql(
      `query($i: String!, $a: String) { bomWhereUsed(item: $i, first: 10, after: $a) { edges { node { level } } } }`,
      { i: raw, a: first.data.bomWhereUsed.pageInfo.endCursor },
    );
    expect(rest.data.bomWhereUsed.edges.map((e: any) => e.node.level)).toEqual([3, 4, 5]);
  });

  it('keeps the history of a BOM, and explodes it as of an earlier moment', async () => {
    const { items, boms } = await fiveLevels();
    const before = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const [p, a] = await stewardPair(t);
    const cr = await propose(
      t,
      {
        domain: 'bom',
        recordId: boms[3].id,
        patch: { lines: [line(items[4], '3')], engineeringRevision: 'B' },
      },
      p,
    );
    if (cr.status === 'PENDING')
      await t.gql(
        `mutation($id: ID!) { approveChange(input: { id: $id }) { __typename } }`,
        { id: cr.id },
        a,
      );
    const r = await t.gql(
      `query($id: ID!, $at: DateTime!) {
        now: record(id: $id) { revision ... on Bom { engineeringRevision lines { quantity } } }
        then: record(id: $id, asOf: $at) { revision ... on Bom { engineeringRevision lines { quantity } } }
        history(recordId: $id) { edges { node { revision changes { path op } } } } }`,
      { id: boms[3].id, at: before.toISOString() },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.now).toEqual({ revision: 2, engineeringRevision: 'B', lines: [{ quantity: '3' }] });
    expect(r.data.then).toEqual({ revision: 1, engineeringRevision: null, lines: [{ quantity: '2' }] });
    expect(r.data.history.edges.map((e: any) => e.node.revision)).toEqual([1, 2]);
    const explode = async (asOf?: string) =>
      (
        await t.gql(
          `query($p: String!, $asOf: DateTime) { bomExplosion(product: $p, asOf: $asOf) { ... on BomExplosion { lines { componentCode quantity } } } }`,
          { p: items[3], asOf },
        )
      ).data.bomExplosion.lines[0];
    expect(await explode()).toEqual({ componentCode: items[4], quantity: '3' });
    expect(await explode(before.toISOString())).toEqual({ componentCode: items[4], quantity: '2' });
  });

  it('explodes and answers where-used on the command line', async () => {
    const { items, raw } = await fiveLevels();
    const canon = (args: string[]) => runCanon(args, { CANON_URL: t.url, CANON_TOKEN: t.adminToken });
    const exploded = await canon(['bom', 'explode', items[0], '--quantity', '2', '--json']);
    expect(exploded.stderr).toBe('');
    expect(JSON.parse(exploded.stdout).lines.at(-1)).toMatchObject({
      level: 5,
      componentCode: raw,
      quantity: '16000',
    });
    const table = await canon(['bom', 'explode', items[3]]);
    expect(table.stdout).toMatch(new RegExp(`1 C62 of ${items[3]}, BOMs in force on \\d{4}-\\d{2}-\\d{2}:`));
    const used = JSON.parse((await canon(['bom', 'where-used', raw, '--json'])).stdout);
    expect(used.map((u: { level: number }) => u.level)).toEqual([1, 2, 3, 4, 5]);
    const none = await canon(['bom', 'explode', raw]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^NOT_FOUND: No live BOM of/);
  }, 120_000);
});

describe('routings', () => {
  it('needs live work centers, and BOM lines name its operations', async () => {
    const wc = uniqueCode('WC');
    await createRecord(t, 'work-center', { code: wc, name: 'Laser' });
    const product = uniqueCode('PRD');
    const raw = uniqueCode('RAW');
    await createRecord(t, 'item', itemData(product, { uom: 'C62' }));
    await createRecord(t, 'item', itemData(raw, { uom: 'KGM' }));
    const routing = (code: string, workCenter: string) => ({
      code,
      name: 'Cut and assemble',
      product,
      validFrom: '2026-01-01',
      operations: [
        {
          code: '10',
          sequence: 10,
          name: 'Cut',
          workCenter,
          setupMinutes: '15',
          runMinutes: '4.5',
          runUom: 'C62',
        },
      ],
    });
    const missing = await propose(
      t,
      { domain: 'routing', data: routing(uniqueCode('RT'), 'NO-SUCH-WC') },
      proposer,
    );
    expect(missing.findings).toEqual([
      expect.objectContaining({ code: 'REFERENCE_NOT_FOUND', path: '/operations/0/workCenter' }),
    ]);
    const code = uniqueCode('RT');
    await createRecord(t, 'routing', routing(code, wc));
    const typed = await t.gql(
      `query($c: String!) { routing(code: $c) { ... on Routing { operations { code runMinutes workCenter { code } runUom { code } } } } }`,
      { c: code },
    );
    expect(typed.data.routing.operations).toEqual([
      { code: '10', runMinutes: '4.5', workCenter: { code: wc }, runUom: { code: 'C62' } },
    ]);
    const bad = await refused(
      bomData(uniqueCode('BOM'), product, [line(raw, '1', 'KGM', { operation: '99' })], { routing: code }),
    );
    expect(bad).toEqual([
      expect.objectContaining({ code: 'REFERENCE_NOT_FOUND', path: '/lines/0/operation' }),
    ]);
    await createRecord(
      t,
      'bom',
      bomData(uniqueCode('BOM'), product, [line(raw, '1', 'KGM', { operation: '10' })], { routing: code }),
    );
  });
});
